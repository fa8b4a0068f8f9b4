import { randomBytes } from 'node:crypto'

import pg from 'pg'
import { expect, inject } from 'vitest'

import { login, request, type Session } from './http'

/** A fresh, unique address per call, so tests never depend on each other's users. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.test`
}

/** Raw SQL as the database owner (bypasses RLS): for checking what really got stored. */
export async function ownerQuery<T extends Record<string, unknown> = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('ownerUrl') })
  await client.connect()
  try {
    return (await client.query<T>(text, params)).rows
  } finally {
    await client.end()
  }
}

export async function organizationIdBySlug(slug: string): Promise<number> {
  const rows = await ownerQuery<{ id: number }>('select id from organizations where slug = $1', [slug])
  if (!rows[0]) throw new Error(`no organization with slug ${slug}`)
  return Number(rows[0].id)
}

export async function userIdByEmail(email: string): Promise<number | null> {
  const rows = await ownerQuery<{ id: number }>('select id from users where lower(email) = lower($1)', [email])
  return rows[0] ? Number(rows[0].id) : null
}

export interface OutboxMail {
  id: number
  recipient: string
  subject: string
  bodyText?: string | null
  bodyHtml?: string | null
  organization: number
}

/** Outbox mails to one recipient, newest first, as an admin sees them through the API. */
export async function outboxFor(admin: Session, recipient: string, headers: Record<string, string> = {}): Promise<OutboxMail[]> {
  const q = `where[recipient][equals]=${encodeURIComponent(recipient)}&sort=-createdAt&limit=50&depth=0`
  const res = await admin.request('GET', `/api/outbox?${q}`, undefined, headers)
  if (res.status !== 200) throw new Error(`GET /api/outbox: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.docs as OutboxMail[]
}

/** The token of a `/admin/reset/<token>` link in a mail body (text or HTML). */
export function resetTokenIn(mail: Pick<OutboxMail, 'bodyText' | 'bodyHtml'>): string | null {
  const body = `${mail.bodyText ?? ''}\n${mail.bodyHtml ?? ''}`
  return /\/admin\/reset\/([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? null
}

export const STRONG_PASSWORD = 'correct-horse-battery-1'

/**
 * Invites a new person as `admin` (in the admin's active organization, or the one named by
 * `headers['x-organization-id']`), reads the invitation from the outbox and sets the
 * password through POST /api/users/reset-password. Returns the logged-in session.
 */
export async function inviteAndActivate(
  admin: Session,
  role: string,
  opts: { email?: string; password?: string; headers?: Record<string, string> } = {},
): Promise<{ email: string; userId: number; password: string; session: Session }> {
  const email = opts.email ?? uniqueEmail(role)
  const password = opts.password ?? STRONG_PASSWORD
  const invited = await admin.request('POST', '/api/invitations', { email, role, name: `Test ${role}` }, opts.headers ?? {})
  expect(invited.status, JSON.stringify(invited.body)).toBe(201)
  const mails = await outboxFor(admin, email, opts.headers ?? {})
  const token = mails.map(resetTokenIn).find((t) => t != null)
  expect(token, `no reset link in the invitation to ${email}`).toBeTruthy()
  const reset = await request('POST', '/api/users/reset-password', { token, password })
  expect(reset.status, JSON.stringify(reset.body)).toBe(200)
  const session = await login(email, password)
  return { email, userId: Number(invited.body.userId), password, session }
}
