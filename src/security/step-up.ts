import type { CollectionBeforeValidateHook, PayloadRequest } from 'payload'
import { APIError } from 'payload'

import { isMasked } from './payout-crypto'

/**
 * Step-up for the two actions that move money (docs/decisions/005-sessions-and-step-up.md):
 * approving a payout batch and changing where a partner is paid. Both need a session that
 * began with a password entry within STEP_UP_WINDOW_MS. Anyone past that window signs in again
 * (the batch review asks for the password in place), which also proves the person is still the
 * one at the keyboard. API keys never qualify: they carry no password entry at all.
 */
export const STEP_UP_WINDOW_MS = 10 * 60 * 1000
export const STEP_UP_CODE = 'step_up_required'

type SessionUser = {
  id: number | string
  _sid?: string
  _strategy?: string
  sessions?: { id: string; createdAt?: string | Date | null }[] | null
}

/** When the caller's current session began with a password, or null (no session: API key, none). */
export async function sessionStartedAt(req: PayloadRequest): Promise<Date | null> {
  const user = req.user as SessionUser | null | undefined
  if (!user || user._strategy !== 'local-jwt' || !user._sid) return null
  let sessions = user.sessions
  if (!Array.isArray(sessions)) {
    const row = await req.payload.db.findOne<SessionUser>({ collection: 'users', req, where: { id: { equals: user.id } } })
    sessions = row?.sessions ?? []
  }
  const createdAt = sessions.find((s) => s.id === user._sid)?.createdAt
  return createdAt ? new Date(createdAt) : null
}

export type StepUpResult = { ok: true } | { ok: false; message: string }

/** Whether the caller signed in with their password recently enough for `action`. */
export async function checkStepUp(req: PayloadRequest, action: string, now = Date.now()): Promise<StepUpResult> {
  const minutes = STEP_UP_WINDOW_MS / 60_000
  const user = req.user as SessionUser | null | undefined
  if (user?._strategy === 'api-key') {
    return { ok: false, message: `${action} needs a person who signed in with their password; an API key cannot do it.` }
  }
  const started = await sessionStartedAt(req)
  if (started && now - started.getTime() <= STEP_UP_WINDOW_MS) return { ok: true }
  return {
    ok: false,
    message: `${action} needs a password entered in the last ${minutes} minutes. Confirm your password (sign in again) and retry.`,
  }
}

/**
 * For custom endpoints: null when the caller may go on, otherwise the 403 to send. Callers that
 * are not logged in pass, so the endpoint's own check answers them as it always has.
 */
export async function requireStepUp(req: PayloadRequest, action: string): Promise<Response | null> {
  if (!req.user) return null
  const r = await checkStepUp(req, action)
  if (r.ok) return null
  return Response.json({ error: { code: STEP_UP_CODE, message: r.message } }, { status: 403 })
}

const PAYEE_DETAIL_KEYS = ['holderName', 'iban', 'bic', 'routingNumber', 'accountNumber'] as const

/**
 * Whether `data` changes where a partner is paid: a new payout email or bank detail (the admin
 * form sends the masked value back when it is unchanged) or another payout method.
 */
export function changesPayee(data: Record<string, unknown> | undefined, originalDoc?: Record<string, unknown>): boolean {
  if (!data) return false
  const fresh = (v: unknown) => typeof v === 'string' && v.trim() !== '' && !isMasked(v)
  if (fresh(data.payoutEmail)) return true
  const details = data.payoutDetails as Record<string, unknown> | undefined
  if (details && PAYEE_DETAIL_KEYS.some((k) => fresh(details[k]))) return true
  if (data.payoutMethod !== undefined && (data.payoutMethod ?? null) !== (originalDoc?.payoutMethod ?? null)) {
    // Choosing a method on a new partner without details pays nobody yet.
    return originalDoc != null
  }
  return false
}

/**
 * Partners hook: REST and GraphQL edits that change the payee need a recent password entry.
 * Server-side code (the Local API, e.g. seeding) is trusted and not asked.
 */
export const requireStepUpForPayeeChange: CollectionBeforeValidateHook = async ({ data, originalDoc, req }) => {
  if (req.payloadAPI === 'local' || !req.user) return data
  if (!changesPayee(data as Record<string, unknown> | undefined, originalDoc as Record<string, unknown> | undefined)) return data
  const r = await checkStepUp(req, 'Changing payout details')
  if (!r.ok) throw new APIError(r.message, 403, { code: STEP_UP_CODE }, true)
  return data
}
