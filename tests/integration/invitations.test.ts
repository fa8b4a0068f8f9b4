import { beforeAll, describe, expect, test } from 'vitest'

import { STRONG_PASSWORD, organizationIdBySlug, outboxFor, ownerQuery, resetTokenIn, uniqueEmail, userIdByEmail } from '../helpers/accounts'
import { baseUrl, login, request, type Session } from '../helpers/http'

let admin: Session
let demoId: number

beforeAll(async () => {
  admin = await login('admin@demo.test')
  demoId = await organizationIdBySlug('demo')
})

describe('inviting a new person', () => {
  const email = uniqueEmail('invitee')
  let userId: number
  let membershipId: number

  beforeAll(async () => {
    const res = await admin.request('POST', '/api/invitations', { email, role: 'finance', name: 'New Finance' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ role: 'finance', newUser: true })
    userId = Number(res.body.userId)
    membershipId = Number(res.body.membershipId)
  })

  test('creates a membership with that role in the admin’s active organization', async () => {
    expect(await userIdByEmail(email)).toBe(userId)
    const rows = await ownerQuery<{ id: number; organization_id: number; role: string }>(
      'select id, organization_id, role from memberships where user_id = $1',
      [userId],
    )
    expect(rows.map((r) => ({ id: Number(r.id), org: Number(r.organization_id), role: r.role }))).toEqual([
      { id: membershipId, org: demoId, role: 'finance' },
    ])
  })

  test('puts a mail with a /admin/reset/<token> link into the outbox', async () => {
    const mails = await outboxFor(admin, email)
    expect(mails).toHaveLength(1)
    expect(Number(mails[0]!.organization)).toBe(demoId)
    const token = resetTokenIn(mails[0]!)
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    const [row] = await ownerQuery<{ reset_password_token: string }>('select reset_password_token from users where id = $1', [userId])
    expect(row?.reset_password_token).toBe(token)
  })

  test('the invited person sets a password with the link, logs in and sees the organization', async () => {
    const token = resetTokenIn((await outboxFor(admin, email))[0]!)
    const reset = await request('POST', '/api/users/reset-password', { token, password: STRONG_PASSWORD })
    expect(reset.status, JSON.stringify(reset.body)).toBe(200)
    const person = await login(email, STRONG_PASSWORD)
    const me = await person.request('GET', '/api/users/me')
    expect(Number(me.body.user.activeOrganization?.id ?? me.body.user.activeOrganization)).toBe(demoId)
    const orgs = await person.request('GET', '/api/organizations?depth=0')
    expect(orgs.status).toBe(200)
    expect(orgs.body.docs.map((d: { id: number }) => Number(d.id))).toEqual([demoId])
    const conversions = await person.request('GET', '/api/conversions?limit=5&depth=0')
    expect(conversions.status).toBe(200)
    expect(conversions.body.docs.length).toBeGreaterThan(0)
    // The token is spent: it cannot set the password a second time.
    const replay = await request('POST', '/api/users/reset-password', { token, password: 'another-password-99' })
    expect(replay.status).not.toBe(200)
  })

  test('inviting the same email again (any letter case) answers 409 and adds nothing', async () => {
    for (const again of [email, email.toUpperCase()]) {
      const res = await admin.request('POST', '/api/invitations', { email: again, role: 'auditor' })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('already_member')
    }
    const rows = await ownerQuery('select id from memberships where user_id = $1', [userId])
    expect(rows).toHaveLength(1)
    expect(await ownerQuery('select id from users where lower(email) = lower($1)', [email])).toHaveLength(1)
  })

  test('writes a membership.invited audit event', async () => {
    const rows = await ownerQuery<{
      action: string
      entity_id: string
      organization_id: number
      actor_id: number
      changes: { email: string; role: string; newUser: boolean }
    }>(
      `select action, entity_id, organization_id, actor_id, changes from audit_events where action = 'membership.invited' and entity_id = $1`,
      [String(membershipId)],
    )
    expect(rows).toHaveLength(1)
    const adminId = Number((await admin.request('GET', '/api/users/me')).body.user.id)
    expect(Number(rows[0]!.organization_id)).toBe(demoId)
    expect(Number(rows[0]!.actor_id)).toBe(adminId)
    expect(rows[0]!.changes).toMatchObject({ email, role: 'finance', newUser: true })
  })
})

describe('inviting an existing person into another organization', () => {
  test('adds a membership there and mails a login link, not a reset link', async () => {
    const northwind = await organizationIdBySlug('northwind')
    const email = uniqueEmail('existing')
    expect((await admin.request('POST', '/api/invitations', { email, role: 'auditor' })).status).toBe(201)
    const userId = await userIdByEmail(email)
    const [before] = await ownerQuery<{ reset_password_token: string | null }>('select reset_password_token from users where id = $1', [
      userId,
    ])

    const headers = { 'x-organization-id': String(northwind) }
    const res = await admin.request('POST', '/api/invitations', { email, role: 'manager' }, headers)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ newUser: false, role: 'manager' })
    expect(Number(res.body.userId)).toBe(userId)
    const rows = await ownerQuery<{ organization_id: number; role: string }>(
      'select organization_id, role from memberships where user_id = $1 order by organization_id',
      [userId],
    )
    expect(rows.map((r) => [Number(r.organization_id), r.role])).toEqual([
      [demoId, 'auditor'],
      [northwind, 'manager'],
    ])
    const mails = await outboxFor(admin, email, headers)
    expect(mails).toHaveLength(1)
    expect(resetTokenIn(mails[0]!)).toBeNull()
    expect(mails[0]!.bodyText).toMatch(/\/admin\b/)
    // No new reset token was issued behind the person's back.
    const [after] = await ownerQuery<{ reset_password_token: string | null }>('select reset_password_token from users where id = $1', [
      userId,
    ])
    expect(after?.reset_password_token).toBe(before?.reset_password_token)
  })
})

describe('who may invite, and what', () => {
  test('ops inviting gets 403 and nobody is created', async () => {
    const ops = await login('ops@demo.test')
    const email = uniqueEmail('by-ops')
    const res = await ops.request('POST', '/api/invitations', { email, role: 'auditor' })
    expect(res.status).toBe(403)
    expect(await userIdByEmail(email)).toBeNull()
  })

  test('without a login: 401', async () => {
    const email = uniqueEmail('anon')
    const res = await request('POST', '/api/invitations', { email, role: 'auditor' })
    expect(res.status).toBe(401)
    expect(await userIdByEmail(email)).toBeNull()
  })

  test.each([
    ['missing role', { email: 'x-missing-role@example.test' }, 'role'],
    ['unknown role', { email: 'x-bad-role@example.test', role: 'owner' }, 'role'],
    ['bad email', { email: 'not-an-email', role: 'auditor' }, 'email'],
    ['missing email', { role: 'auditor' }, 'email'],
  ])('bad body (%s) answers 400 naming the field', async (_label, body, field) => {
    const res = await admin.request('POST', '/api/invitations', body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.message).toMatch(new RegExp(`^${field}\\b`))
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field)
    if (typeof (body as { email?: string }).email === 'string') expect(await userIdByEmail((body as { email: string }).email)).toBeNull()
  })

  test('a body that is not JSON answers 400', async () => {
    const res = await fetch(`${baseUrl()}/api/invitations`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: '{"email":',
    })
    expect(res.status).toBe(400)
  })
})
