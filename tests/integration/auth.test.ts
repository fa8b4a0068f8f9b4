import { randomUUID } from 'node:crypto'

import { beforeAll, describe, expect, test } from 'vitest'

import {
  STRONG_PASSWORD,
  inviteAndActivate,
  organizationIdBySlug,
  outboxFor,
  ownerQuery,
  resetTokenIn,
  uniqueEmail,
  userIdByEmail,
} from '../helpers/accounts'
import { ACCOUNT_FAILURES, PER_CLIENT_FAILURES } from '../../src/security/login-throttle'
import { login, request, type ApiResponse, type Session } from '../helpers/http'

/** Paths of the field errors in a Payload ValidationError response. */
function fieldErrorPaths(res: ApiResponse): string[] {
  const errors = (res.body?.errors ?? []) as { data?: { errors?: { path?: string }[] } }[]
  return errors.flatMap((e) => (e.data?.errors ?? []).map((f) => String(f.path)))
}

async function me(headers: Record<string, string>) {
  const res = await request('GET', '/api/users/me', undefined, headers)
  expect(res.status).toBe(200)
  return res.body.user as { id: number; email: string } | null
}

let admin: Session

beforeAll(async () => {
  admin = await login('admin@demo.test')
})

/** ACCOUNT_FAILURES failures from PER_CLIENT_FAILURES-sized groups of clients: one client alone is throttled first. */
async function lockOut(email: string) {
  const tag = Math.floor(Math.random() * 200)
  for (let i = 0; i < ACCOUNT_FAILURES; i++) {
    const ip = `192.0.2.${tag + Math.floor(i / PER_CLIENT_FAILURES)}`
    const wrong = await request('POST', '/api/users/login', { email, password: `wrong-password-${i}-xyz` }, { 'x-forwarded-for': ip })
    expect(wrong.status).toBe(401)
    expect(wrong.body?.token).toBeUndefined()
  }
  const [row] = await ownerQuery<{ lock_until: Date | null }>('select lock_until from users where lower(email) = $1', [email])
  expect(row?.lock_until).not.toBeNull()
  expect(new Date(row!.lock_until!).getTime()).toBeGreaterThan(Date.now())
}

describe('login lockout', () => {
  test('enough wrong passwords lock the account; the right one is then refused like a wrong one', async () => {
    const { email, password } = await inviteAndActivate(admin, 'auditor')
    await lockOut(email)
    const right = await request('POST', '/api/users/login', { email, password })
    const wrong = await request('POST', '/api/users/login', { email: uniqueEmail('nobody'), password })
    expect(right.status).toBe(401)
    expect(right.body?.token).toBeUndefined()
    expect(right.headers.get('set-cookie') ?? '').not.toMatch(/payload-token=[^;]{10,}/)
    // No "locked": that would tell an attacker the account exists (docs/decisions/003-login-throttling.md).
    expect(right.body).toEqual(wrong.body)
  })
})

describe('password length', () => {
  test('reset-password refuses 11 characters, naming the password field, and accepts 12', async () => {
    const email = uniqueEmail('reset-len')
    const invited = await admin.request('POST', '/api/invitations', { email, role: 'auditor' })
    expect(invited.status).toBe(201)
    const token = (await outboxFor(admin, email)).map(resetTokenIn).find(Boolean)
    expect(token).toBeTruthy()

    const short = await request('POST', '/api/users/reset-password', { token, password: 'a'.repeat(11) })
    expect(short.status).toBe(400)
    expect(fieldErrorPaths(short)).toContain('password')
    expect(short.body?.token).toBeUndefined()
    const refused = await request('POST', '/api/users/login', { email, password: 'a'.repeat(11) })
    expect(refused.status).toBe(401)

    const ok = await request('POST', '/api/users/reset-password', { token, password: 'bramble-kite' })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    await login(email, 'bramble-kite')
  })

  test('changing your own password through PATCH /api/users/:id needs 12 characters', async () => {
    const { email, userId, password, session } = await inviteAndActivate(admin, 'finance')
    const short = await session.request('PATCH', `/api/users/${userId}`, { password: 'c'.repeat(11) })
    expect(short.status).toBe(400)
    expect(fieldErrorPaths(short)).toContain('password')
    // The old password still works, the short one does not.
    expect((await request('POST', '/api/users/login', { email, password: 'c'.repeat(11) })).status).toBe(401)
    await login(email, password)

    const ok = await session.request('PATCH', `/api/users/${userId}`, { password: 'dune-lantern' })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    await login(email, 'dune-lantern')
    expect((await request('POST', '/api/users/login', { email, password })).status).toBe(401)
  })
})

describe('session cookie and logout', () => {
  test('the login cookie is HttpOnly and SameSite=Lax', async () => {
    const res = await request('POST', '/api/users/login', { email: 'manager@demo.test', password: 'demo-password-123' })
    expect(res.status).toBe(200)
    const cookie = (res.headers.get('set-cookie') ?? '').split(/,(?=\s*[\w-]+=)/).find((c) => c.trim().startsWith('payload-token='))
    expect(cookie).toBeDefined()
    expect(cookie).toMatch(/;\s*HttpOnly/i)
    expect(cookie).toMatch(/;\s*SameSite=Lax/i)
  })

  test('logout ends the session on the server: the captured cookie and token stop working', async () => {
    const { email, session } = await inviteAndActivate(admin, 'manager')
    expect((await me({ cookie: session.cookie }))?.email).toBe(email)
    expect((await me({ authorization: `JWT ${session.token}` }))?.email).toBe(email)

    const out = await session.request('POST', '/api/users/logout')
    expect(out.status).toBe(200)

    expect(await me({ cookie: session.cookie })).toBeNull()
    expect(await me({ authorization: `JWT ${session.token}` })).toBeNull()
    expect((await request('GET', '/api/conversions?limit=1', undefined, { cookie: session.cookie })).status).toBe(403)
  })
})

describe('disabling a user', () => {
  test('ends their sessions at once and refuses their login', async () => {
    const { email, userId, password, session } = await inviteAndActivate(admin, 'ops')
    expect((await me({ cookie: session.cookie }))?.id).toBe(userId)

    const res = await admin.request('PATCH', `/api/users/${userId}`, { disabled: true })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const [row] = await ownerQuery<{ disabled: boolean }>('select disabled from users where id = $1', [userId])
    expect(row?.disabled).toBe(true)

    expect(await me({ cookie: session.cookie })).toBeNull()
    expect(await me({ authorization: `JWT ${session.token}` })).toBeNull()
    expect((await request('GET', '/api/conversions?limit=1', undefined, { cookie: session.cookie })).status).toBe(403)
    const again = await request('POST', '/api/users/login', { email, password })
    expect(again.status).toBe(401)
    expect(again.body?.token).toBeUndefined()
  })

  test('a member cannot disable someone (the field is admin-only)', async () => {
    const { userId } = await inviteAndActivate(admin, 'auditor')
    const ops = await login('ops@demo.test')
    await ops.request('PATCH', `/api/users/${userId}`, { disabled: true })
    const [row] = await ownerQuery<{ disabled: boolean }>('select disabled from users where id = $1', [userId])
    expect(row?.disabled).toBe(false)
  })

  test("a disabled user's API key stops working too", async () => {
    const { userId, session } = await inviteAndActivate(admin, 'auditor')
    const apiKey = randomUUID()
    const enabled = await session.request('PATCH', `/api/users/${userId}`, { enableAPIKey: true, apiKey })
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200)
    const auth = { authorization: `users API-Key ${apiKey}` }
    expect((await me(auth))?.id).toBe(userId)

    expect((await admin.request('PATCH', `/api/users/${userId}`, { disabled: true })).status).toBe(200)
    expect(await me(auth)).toBeNull()
    expect((await request('GET', '/api/conversions?limit=1', undefined, auth)).status).toBe(403)
  })
})

describe('API keys', () => {
  let userId: number
  let apiKey: string
  let demoId: number
  let secondOrgId: number
  let northwindId: number

  beforeAll(async () => {
    demoId = await organizationIdBySlug('demo')
    northwindId = await organizationIdBySlug('northwind')
    // A person in two organizations: auditor in Demo (active), ops in a new one; not in Northwind.
    const person = await inviteAndActivate(admin, 'auditor')
    userId = person.userId
    const org = await admin.request('POST', '/api/organizations', { name: 'API Key Org', slug: `api-key-${Date.now().toString(36)}` })
    expect(org.status, JSON.stringify(org.body)).toBe(201)
    secondOrgId = Number(org.body.doc.id)
    const invited = await admin.request(
      'POST',
      '/api/invitations',
      { email: person.email, role: 'ops' },
      { 'x-organization-id': String(secondOrgId) },
    )
    expect(invited.status, JSON.stringify(invited.body)).toBe(201)
    const created = await person.session.request(
      'POST',
      '/api/conversions',
      {
        code: 'APIKEY',
        orderId: '#api-1',
        valueMinor: 1234,
        currency: 'USD',
        occurredAt: new Date(Date.UTC(2026, 9, 3)).toISOString(),
        status: 'unattributed',
      },
      { 'x-organization-id': String(secondOrgId) },
    )
    expect(created.status, JSON.stringify(created.body)).toBe(201)

    apiKey = randomUUID()
    const res = await person.session.request('PATCH', `/api/users/${userId}`, { enableAPIKey: true, apiKey })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
  })

  const withKey = (headers: Record<string, string> = {}) => ({ authorization: `users API-Key ${apiKey}`, ...headers })
  const orgsOf = (res: ApiResponse) => new Set((res.body.docs as { organization: number }[]).map((d) => Number(d.organization)))

  test('authenticates as the user and reads only the active organization', async () => {
    expect((await me(withKey()))?.id).toBe(userId)
    const res = await request('GET', '/api/conversions?limit=200&depth=0', undefined, withKey())
    expect(res.status).toBe(200)
    expect(res.body.docs.length).toBeGreaterThan(0)
    expect(orgsOf(res)).toEqual(new Set([demoId]))
  })

  test('x-organization-id selects another of the user’s organizations', async () => {
    const res = await request('GET', '/api/conversions?limit=200&depth=0', undefined, withKey({ 'x-organization-id': String(secondOrgId) }))
    expect(res.status).toBe(200)
    expect(res.body.docs.map((d: { orderId: string }) => d.orderId)).toEqual(['#api-1'])
    expect(orgsOf(res)).toEqual(new Set([secondOrgId]))
  })

  test('an organization the user does not belong to yields none of its data', async () => {
    const counted = await ownerQuery<{ n: string }>('select count(*) as n from conversions where organization_id = $1', [northwindId])
    expect(Number(counted[0]?.n)).toBeGreaterThan(0)
    const res = await request('GET', '/api/conversions?limit=200&depth=0', undefined, withKey({ 'x-organization-id': String(northwindId) }))
    expect([200, 403]).toContain(res.status)
    if (res.status === 200) expect(orgsOf(res).has(northwindId)).toBe(false)
    const one = await ownerQuery<{ id: number }>('select id from conversions where organization_id = $1 limit 1', [northwindId])
    const byId = await request(
      'GET',
      `/api/conversions/${one[0]!.id}?depth=0`,
      undefined,
      withKey({ 'x-organization-id': String(northwindId) }),
    )
    expect([403, 404]).toContain(byId.status)
  })

  test('a wrong key authenticates nobody', async () => {
    expect(await me({ authorization: `users API-Key ${randomUUID()}` })).toBeNull()
  })
})

describe('no public sign-up', () => {
  test('POST /api/users without a login is refused and stores nothing', async () => {
    const email = uniqueEmail('signup')
    const res = await request('POST', '/api/users', { email, password: STRONG_PASSWORD, name: 'Walk-in' })
    expect([401, 403]).toContain(res.status)
    expect(await userIdByEmail(email)).toBeNull()
  })

  test('a logged-in non-admin cannot create users either', async () => {
    const ops = await login('ops@demo.test')
    const email = uniqueEmail('signup-ops')
    const res = await ops.request('POST', '/api/users', { email, password: STRONG_PASSWORD })
    expect(res.status).toBe(403)
    expect(await userIdByEmail(email)).toBeNull()
  })
})

describe('forgot password', () => {
  test('a member gets a reset link in the outbox; an unknown address gets the same answer', async () => {
    const { email, password } = await inviteAndActivate(admin, 'auditor')
    const before = (await outboxFor(admin, email)).length
    const known = await request('POST', '/api/users/forgot-password', { email })
    expect(known.status).toBe(200)

    const mails = await outboxFor(admin, email)
    expect(mails.length).toBe(before + 1)
    const mail = mails.find((m) => /reset/i.test(m.subject) && !/invited/i.test(m.subject))
    expect(mail, JSON.stringify(mails.map((m) => m.subject))).toBeDefined()
    const token = resetTokenIn(mail!)
    expect(token).toBeTruthy()
    const [row] = await ownerQuery<{ reset_password_token: string }>('select reset_password_token from users where lower(email) = $1', [
      email,
    ])
    expect(row?.reset_password_token).toBe(token)

    const unknown = await request('POST', '/api/users/forgot-password', { email: uniqueEmail('nobody') })
    expect(unknown.status).toBe(known.status)
    expect(JSON.stringify(unknown.body)).toBe(JSON.stringify(known.body))

    // The link works: the password can be set with it, and the old one stops working.
    const reset = await request('POST', '/api/users/reset-password', { token, password: 'ember-quartz-9' })
    expect(reset.status).toBe(200)
    await login(email, 'ember-quartz-9')
    expect((await request('POST', '/api/users/login', { email, password })).status).toBe(401)
  })
})

describe('unlocking a locked account', () => {
  test('another member cannot lift the lockout (it would allow unlimited guessing)', async () => {
    const { email, password } = await inviteAndActivate(admin, 'finance')
    await lockOut(email)
    const ops = await login('ops@demo.test')
    const res = await ops.request('POST', '/api/users/unlock', { email })
    expect(res.status).toBe(403)
    const [row] = await ownerQuery<{ lock_until: Date | null }>('select lock_until from users where lower(email) = $1', [email])
    expect(row?.lock_until).not.toBeNull()
    expect((await request('POST', '/api/users/login', { email, password })).status).toBe(401)
  })

  test('the admin of their organization can unlock them', async () => {
    const { email, password } = await inviteAndActivate(admin, 'finance')
    await lockOut(email)
    const res = await admin.request('POST', '/api/users/unlock', { email })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await login(email, password)
  })
})

describe('credentials belong to their owner', () => {
  // An admin of some organization invites an existing person (no consent is asked) and so
  // becomes "their admin"; that must not let them take over the person's account elsewhere.
  let victim: { email: string; userId: number; password: string }
  let otherAdmin: Session
  let otherOrgId: string

  beforeAll(async () => {
    const person = await inviteAndActivate(admin, 'finance')
    victim = { email: person.email, userId: person.userId, password: person.password }
    const org = await admin.request('POST', '/api/organizations', { name: 'Other Org', slug: `other-${Date.now().toString(36)}` })
    expect(org.status, JSON.stringify(org.body)).toBe(201)
    otherOrgId = String(org.body.doc.id)
    const other = await inviteAndActivate(admin, 'admin', { headers: { 'x-organization-id': otherOrgId } })
    otherAdmin = other.session
    const invited = await otherAdmin.request(
      'POST',
      '/api/invitations',
      { email: victim.email, role: 'auditor' },
      { 'x-organization-id': otherOrgId },
    )
    expect(invited.status, JSON.stringify(invited.body)).toBe(201)
  })

  test("an admin cannot set another member's password", async () => {
    const res = await otherAdmin.request(
      'PATCH',
      `/api/users/${victim.userId}`,
      { password: 'attacker-chosen-pw' },
      { 'x-organization-id': otherOrgId },
    )
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect((await request('POST', '/api/users/login', { email: victim.email, password: 'attacker-chosen-pw' })).status).toBe(401)
    await login(victim.email, victim.password)
  })

  test("an admin cannot change another member's email", async () => {
    const taken = uniqueEmail('taken')
    const res = await otherAdmin.request('PATCH', `/api/users/${victim.userId}`, { email: taken }, { 'x-organization-id': otherOrgId })
    expect(res.status).toBeGreaterThanOrEqual(400)
    const [row] = await ownerQuery<{ email: string }>('select email from users where id = $1', [victim.userId])
    expect(row?.email).toBe(victim.email)
  })

  test('an admin cannot give another member an API key they know', async () => {
    const apiKey = randomUUID()
    const res = await otherAdmin.request(
      'PATCH',
      `/api/users/${victim.userId}`,
      { enableAPIKey: true, apiKey },
      { 'x-organization-id': otherOrgId },
    )
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(await me({ authorization: `users API-Key ${apiKey}` })).toBeNull()
  })

  test('the admin can still rename the member, and the member can change their own email', async () => {
    const renamed = await otherAdmin.request(
      'PATCH',
      `/api/users/${victim.userId}`,
      { name: 'Renamed by admin' },
      { 'x-organization-id': otherOrgId },
    )
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200)
    const self = await login(victim.email, victim.password)
    const newEmail = uniqueEmail('moved')
    const res = await self.request('PATCH', `/api/users/${victim.userId}`, { email: newEmail })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await login(newEmail, victim.password)
    victim.email = newEmail
  })
})

describe('disabling is limited to people the admin fully administers', () => {
  test('a person who also belongs to an organization the admin does not administer cannot be disabled by that admin', async () => {
    const { userId } = await inviteAndActivate(admin, 'auditor')
    const other = (
      await ownerQuery<{ id: number }>(`insert into organizations (name, slug) values ('Elsewhere', $1) returning id`, [
        `elsewhere-${randomUUID().slice(0, 8)}`,
      ])
    )[0]!.id
    await ownerQuery(`insert into memberships (user_id, role, organization_id) values ($1, 'ops', $2)`, [userId, other])
    const res = await admin.request('PATCH', `/api/users/${userId}`, { disabled: true })
    expect(res.status).toBe(403)
    const [row] = await ownerQuery<{ disabled: boolean }>('select disabled from users where id = $1', [userId])
    expect(row?.disabled).toBe(false)
  })

  test('a disabled account gets exactly the wrong-password answer, so the password is not confirmed', async () => {
    const { email, userId, password } = await inviteAndActivate(admin, 'ops')
    expect((await admin.request('PATCH', `/api/users/${userId}`, { disabled: true })).status).toBe(200)
    const right = await request('POST', '/api/users/login', { email, password })
    const wrong = await request('POST', '/api/users/login', { email, password: `${password}-nope` })
    expect(right.status).toBe(wrong.status)
    expect(right.body).toEqual(wrong.body)
  })

  test('disabling is audited with who and what changed', async () => {
    const { userId } = await inviteAndActivate(admin, 'finance')
    expect((await admin.request('PATCH', `/api/users/${userId}`, { disabled: true })).status).toBe(200)
    const [event] = await ownerQuery<{ action: string; actor_label: string; changes: unknown }>(
      `select action, actor_label, changes from audit_events where entity_type = 'user' and entity_id = $1 order by id desc limit 1`,
      [String(userId)],
    )
    expect(event).toMatchObject({
      action: 'user.updated',
      actor_label: 'admin@demo.test',
      changes: { disabled: { before: false, after: true } },
    })
  })
})
