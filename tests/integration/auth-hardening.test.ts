import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test, vi } from 'vitest'

import { ACCOUNT_FAILURES, PER_CLIENT_FAILURES } from '../../src/security/login-throttle'
import { STEP_UP_WINDOW_MS } from '../../src/security/step-up'
import { inviteAndActivate, outboxFor, ownerQuery, resetTokenIn, uniqueEmail } from '../helpers/accounts'
import { batchInState, createBatchOrg, createPartner, type BatchOrg } from '../helpers/batches'
import { login, request, withHeaders, type ApiResponse, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'
import { freePort, TEST_PAYOUT_KEY, TEST_SECRET, waitForHttp } from '../setup/global-setup'

/**
 * Checklist rows 27-29: login throttling without a lockout DoS, identical answers for unknown,
 * locked and throttled accounts, the password denylist on every way a password is set, fresh
 * sessions at login, the production cookie, and step-up before approving and changing a payee.
 */

/** A client address, as our proxy would report it (the right-most X-Forwarded-For entry). */
const from = (ip: string) => ({ 'x-forwarded-for': ip })
let ipSeq = 0
/** A fresh documentation-range address per call, so tests never share a client's count. */
const freshIp = () => `198.51.${100 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`

const loginAs = (email: string, password: string, headers: Record<string, string> = {}) =>
  request('POST', '/api/users/login', { email, password }, headers)

/** Status, body and whether a session cookie came back: everything a caller can compare. */
const answer = (r: ApiResponse) => ({
  status: r.status,
  body: r.body,
  sessionCookie: /payload-token=[^;]{10,}/.test(r.headers.get('set-cookie') ?? ''),
})

const accountRow = async (email: string) =>
  (
    await ownerQuery<{ login_attempts: number | null; lock_until: Date | null }>(
      'select login_attempts::int as login_attempts, lock_until from users where lower(email) = $1',
      [email],
    )
  )[0]!

/** Locks an account the only way one can now: ACCOUNT_FAILURES failures spread over several clients. */
async function lockFromManyClients(email: string) {
  for (let i = 0; i < ACCOUNT_FAILURES; i++) {
    if (i % PER_CLIENT_FAILURES === 0) ipSeq++
    const r = await loginAs(email, `not-the-password-${i}`, from(`203.0.113.${(ipSeq % 250) + 1}`))
    expect(r.status).toBe(401)
  }
  const row = await accountRow(email)
  expect(row.lock_until).not.toBeNull()
  expect(new Date(row.lock_until!).getTime()).toBeGreaterThan(Date.now())
}

function jwtClaims(token: string): { sid?: string; id?: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
}
function jwtHeader(token: string): { alg?: string } {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'))
}

let admin: Session

beforeAll(async () => {
  admin = await login('admin@demo.test')
})

describe('row 28: login throttling', () => {
  test('an unknown address and a wrong password for a known one get the same answer', async () => {
    const { email } = await inviteAndActivate(admin, 'auditor')
    const ip = freshIp()
    const known = await loginAs(email, 'wrong-but-long-enough', from(ip))
    const unknown = await loginAs(uniqueEmail('nobody'), 'wrong-but-long-enough', from(ip))
    expect(known.status).toBe(401)
    expect(answer(unknown)).toEqual(answer(known))
  })

  test('a locked account answers exactly like an unknown one, even to the right password', async () => {
    const { email, password } = await inviteAndActivate(admin, 'auditor')
    await lockFromManyClients(email)
    const ip = freshIp()
    const right = await loginAs(email, password, from(ip))
    const unknown = await loginAs(uniqueEmail('nobody'), password, from(ip))
    expect(right.status).toBe(401)
    expect(answer(right)).toEqual(answer(unknown))
    expect(JSON.stringify(right.body)).not.toMatch(/lock/i)
  })

  test('one client cannot lock anyone out: its further tries are not counted, and the owner still logs in', async () => {
    const { email, password } = await inviteAndActivate(admin, 'finance')
    const attacker = freshIp()
    for (let i = 0; i < PER_CLIENT_FAILURES * 3; i++) {
      expect((await loginAs(email, `guess-number-${i}-xyz`, from(attacker))).status).toBe(401)
    }
    const row = await accountRow(email)
    expect(row.login_attempts).toBe(PER_CLIENT_FAILURES)
    expect(row.lock_until).toBeNull()
    // The throttled client is refused even the right password, with the wrong-password answer,
    // so guessing from it has stopped...
    const throttled = await loginAs(email, password, from(attacker))
    const wrong = await loginAs(email, 'still-not-right-1', from(freshIp()))
    expect(answer(throttled)).toEqual(answer(wrong))
    // ...while the owner, elsewhere, signs in; the success clears the account's count.
    const owner = await loginAs(email, password, from(freshIp()))
    expect(owner.status, JSON.stringify(owner.body)).toBe(200)
    expect((await accountRow(email)).login_attempts).toBe(0)
  })

  test('the account lock caps failures across clients: once locked, no guess is counted or checked', async () => {
    const { email, password } = await inviteAndActivate(admin, 'ops')
    await lockFromManyClients(email)
    const before = await accountRow(email)
    expect(before.login_attempts).toBe(ACCOUNT_FAILURES)
    for (let i = 0; i < 3; i++) expect((await loginAs(email, `more-guesses-${i}-x`, from(freshIp()))).status).toBe(401)
    expect((await loginAs(email, password, from(freshIp()))).status).toBe(401)
    const after = await accountRow(email)
    expect(after.login_attempts).toBe(ACCOUNT_FAILURES)
    expect(new Date(after.lock_until!).getTime()).toBe(new Date(before.lock_until!).getTime())
  })

  test('the owner of a locked account gets back in by resetting the password', async () => {
    const { email } = await inviteAndActivate(admin, 'auditor')
    await lockFromManyClients(email)
    expect((await request('POST', '/api/users/forgot-password', { email })).status).toBe(200)
    const mail = (await outboxFor(admin, email)).find((m) => /reset/i.test(m.subject) && !/invited/i.test(m.subject))
    const token = resetTokenIn(mail!)
    expect(token).toBeTruthy()
    const reset = await request('POST', '/api/users/reset-password', { token, password: 'fresh-start-pw-2026' })
    expect(reset.status, JSON.stringify(reset.body)).toBe(200)
    expect(await accountRow(email)).toMatchObject({ login_attempts: 0, lock_until: null })
    expect((await loginAs(email, 'fresh-start-pw-2026', from(freshIp()))).status).toBe(200)
  })
})

describe('row 27: password hashing and the common-password denylist', () => {
  const field = (res: ApiResponse) => {
    const errors = (res.body?.errors ?? []) as { data?: { errors?: { path?: string; message?: string }[] } }[]
    return errors.flatMap((e) => e.data?.errors ?? [])
  }
  const expectRefused = (res: ApiResponse) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    const errs = field(res)
    expect(errs.map((e) => e.path)).toContain('password')
    expect(errs.find((e) => e.path === 'password')?.message).toMatch(/too common/)
  }

  test('stored hashes are Payload PBKDF2-SHA256 (600,000 rounds, tagged) with a 256-bit salt', async () => {
    const { userId } = await inviteAndActivate(admin, 'auditor')
    const [row] = await ownerQuery<{ hash: string; salt: string }>('select hash, salt from users where id = $1', [userId])
    expect(row!.hash).toMatch(/^pbkdf2-sha256-v1:[0-9a-f]{64}$/)
    expect(row!.salt).toMatch(/^[0-9a-f]{64}$/)
  })

  test('reset-password refuses a common password, naming the field, and keeps the old one', async () => {
    const email = uniqueEmail('common-reset')
    expect((await admin.request('POST', '/api/invitations', { email, role: 'auditor' })).status).toBe(201)
    const token = (await outboxFor(admin, email)).map(resetTokenIn).find(Boolean)
    expectRefused(await request('POST', '/api/users/reset-password', { token, password: 'Password2024!' }))
    expect((await loginAs(email, 'Password2024!', from(freshIp()))).status).toBe(401)
    const ok = await request('POST', '/api/users/reset-password', { token, password: 'plum-orbit-canvas-7' })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
  })

  test('changing your own password refuses a padded common one and your own address', async () => {
    const { email, userId, password, session } = await inviteAndActivate(admin, 'ops')
    expectRefused(await session.request('PATCH', `/api/users/${userId}`, { password: 'iloveyou12345' }))
    expectRefused(await session.request('PATCH', `/api/users/${userId}`, { password: `${email.split('@')[0]}!` }))
    expect((await loginAs(email, password, from(freshIp()))).status).toBe(200)
  })

  test('an admin creating a user cannot give them a common password', async () => {
    const email = uniqueEmail('common-create')
    expectRefused(await admin.request('POST', '/api/users', { email, password: 'qwertyuiop123' }))
    expect((await ownerQuery('select id from users where lower(email) = $1', [email])).length).toBe(0)
  })
})

describe('row 29: sessions', () => {
  test('every login starts a new session: a new token and session id, whatever cookie was sent', async () => {
    const { email, password } = await inviteAndActivate(admin, 'auditor')
    const first = await loginAs(email, password)
    const cookie = /payload-token=[^;]+/.exec(first.headers.get('set-cookie') ?? '')![0]
    const second = await loginAs(email, password, { cookie })
    expect(second.status).toBe(200)
    const [a, b] = [jwtClaims(first.body.token), jwtClaims(second.body.token)]
    expect(a.sid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(b.sid).not.toBe(a.sid)
    expect(second.body.token).not.toBe(first.body.token)
    // The token is signed (HMAC-SHA256 with the server secret): the session id alone is worthless.
    expect(jwtHeader(second.body.token).alg).toBe('HS256')
    const sids = await ownerQuery<{ id: string }>(
      'select s.id from users_sessions s join users u on u.id = s._parent_id where lower(u.email) = $1',
      [email],
    )
    expect(sids.map((s) => s.id)).toEqual(expect.arrayContaining([a.sid, b.sid]))
  })

  describe('the production cookie (a second server without INSECURE_COOKIES)', () => {
    let server: ChildProcess | null = null
    let prodUrl = ''

    beforeAll(async () => {
      const port = await freePort()
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: inject('appUrl'),
        DATABASE_POOL_MAX: '2',
        PAYLOAD_SECRET: TEST_SECRET,
        PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
        PAYOUT_ENCRYPTION_KEY_ID: 'test1',
        IMPORT_WORKER: 'off',
        PORT: String(port),
      }
      delete env.INSECURE_COOKIES
      delete env.SMTP_HOST
      server = spawn('npx', ['next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      const log: string[] = []
      server.stdout?.on('data', (d: Buffer) => log.push(d.toString()))
      server.stderr?.on('data', (d: Buffer) => log.push(d.toString()))
      prodUrl = `http://127.0.0.1:${port}`
      await waitForHttp(`${prodUrl}/api/users/me`, server, log)
    }, 120_000)

    afterAll(async () => {
      if (server?.pid) {
        process.kill(-server.pid, 'SIGTERM')
        await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 5000))])
      }
    })

    test('is __Host-payload-token with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain, and it authenticates', async () => {
      const res = await fetch(`${prodUrl}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'auditor@demo.test', password: 'demo-password-123' }),
      })
      expect(res.status).toBe(200)
      const setCookie = res.headers.getSetCookie().find((c) => c.includes('-token='))
      expect(setCookie).toBeDefined()
      expect(setCookie).toMatch(/^__Host-payload-token=[^;]{20,}/)
      expect(setCookie).toMatch(/;\s*Secure/i)
      expect(setCookie).toMatch(/;\s*HttpOnly/i)
      expect(setCookie).toMatch(/;\s*SameSite=Lax/i)
      expect(setCookie).toMatch(/;\s*Path=\/(;|$)/)
      expect(setCookie).not.toMatch(/;\s*Domain=/i)

      const pair = setCookie!.split(';')[0]!
      const me = await fetch(`${prodUrl}/api/users/me`, { headers: { cookie: pair } })
      expect((await me.json()).user?.email).toBe('auditor@demo.test')
      // The old name is not read any more, so a cookie planted under it does nothing.
      const planted = await fetch(`${prodUrl}/api/users/me`, { headers: { cookie: pair.replace('__Host-payload-token', 'payload-token') } })
      expect((await planted.json()).user).toBeNull()
    })
  })
})

describe('row 29: step-up before approving and changing a payee', () => {
  let owner: pg.Client
  let org: BatchOrg
  const sessionsByRole: Partial<Record<'ops' | 'manager' | 'finance', Session>> = {}

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: inject('ownerUrl') })
    await owner.connect()
    org = await createBatchOrg(owner)
    for (const role of ['ops', 'manager', 'finance'] as const) sessionsByRole[role] = await org.as(`${role}@demo.test`)
  })

  afterAll(async () => {
    await owner?.end()
  })

  /** Makes the session look as if its password was entered `minutes` ago. */
  async function ageSession(session: Session, minutes: number) {
    const sid = jwtClaims(session.token).sid
    const r = await owner.query(`update users_sessions set created_at = now() - make_interval(mins => $2) where id = $1`, [sid, minutes])
    expect(r.rowCount).toBe(1)
  }

  /** A fresh login of a demo user acting in the scenario organization. */
  async function freshSession(email: string): Promise<Session> {
    const s = await login(email)
    return withHeaders(s, org.headers)
  }

  const stale = Math.ceil(STEP_UP_WINDOW_MS / 60_000) + 1

  test('approving needs a password entered within the window; a new sign-in allows it', async () => {
    const id = await batchInState(owner, org.organizationId, (role) => sessionsByRole[role]!, 'submitted')
    const manager = await freshSession('manager@demo.test')
    await ageSession(manager, stale)
    const refused = await manager.request('POST', `/api/batches/${id}/approve`)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('step_up_required')
    const [row] = await ownerQuery<{ status: string }>('select status from batches where id = $1', [id])
    expect(row!.status).toBe('submitted')

    const again = await freshSession('manager@demo.test')
    const ok = await again.request('POST', `/api/batches/${id}/approve`)
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body.status).toBe('approved')
  })

  test('the test session helper signs in again only when its own sign-in is past the window (long CI runs)', async () => {
    const id = await batchInState(owner, org.organizationId, (role) => sessionsByRole[role]!, 'submitted')
    const manager = await freshSession('manager@demo.test')
    const firstCookie = manager.cookie
    await ageSession(manager, stale)
    // Aged only in the database: the helper's clock says the sign-in is recent, so the answer stands.
    expect((await manager.request('POST', `/api/batches/${id}/approve`)).body.error.code).toBe('step_up_required')
    expect(manager.cookie).toBe(firstCookie)
    // Its clock past the window too, as after ten minutes of a slow run: it signs in and retries.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + STEP_UP_WINDOW_MS + 60_000)
      const ok = await manager.request('POST', `/api/batches/${id}/approve`)
      expect(ok.status, JSON.stringify(ok.body)).toBe(200)
      expect(ok.body.status).toBe('approved')
    } finally {
      vi.useRealTimers()
    }
    expect(manager.cookie).not.toBe(firstCookie)
  })

  test('someone who may not approve at all hears forbidden, whatever the age of their session', async () => {
    const id = await batchInState(owner, org.organizationId, (role) => sessionsByRole[role]!, 'submitted')
    for (const email of ['ops@demo.test', 'finance@demo.test']) {
      const s = await freshSession(email)
      await ageSession(s, stale)
      const res = await s.request('POST', `/api/batches/${id}/approve`)
      expect(res.status, email).toBe(403)
      expect(res.body.error.code, email).toBe('forbidden')
    }
    const [row] = await ownerQuery<{ status: string }>('select status from batches where id = $1', [id])
    expect(row!.status).toBe('submitted')
  })

  test('importing partners needs a recent password (a file can set payout details); a dry run does not', async () => {
    const code = `SU${randomUUID().slice(0, 8)}`.toUpperCase()
    const csv = `name,code,payout_method,payout_email\nStep-up payee ${code},${code},paypal,${code.toLowerCase()}@example.test\n`
    const stored = async () =>
      (
        await ownerQuery<{ n: string }>('select count(*) n from partner_codes where organization_id = $1 and code = $2', [
          org.organizationId,
          code,
        ])
      )[0]!.n
    const ops = await freshSession('ops@demo.test')
    await ageSession(ops, stale)
    const opts = { kind: 'partners', fileName: `step-up-${code}.csv`, headers: { cookie: ops.cookie, ...org.headers } }
    const refused = await upload(null, csv, opts)
    expect(refused.status, JSON.stringify(refused.body)).toBe(403)
    expect((refused.body as { error: { code: string } }).error.code).toBe('step_up_required')
    expect(await stored()).toBe('0')
    const preview = await upload(null, csv, { ...opts, dryRun: true })
    expect(preview.status, JSON.stringify(preview.body)).toBe(200)
    expect(await stored()).toBe('0')

    const fresh = await freshSession('ops@demo.test')
    const ok = await upload(null, csv, { ...opts, headers: { cookie: fresh.cookie, ...org.headers } })
    expect(ok.status, JSON.stringify(ok.body)).toBe(201)
    expect(await stored()).toBe('1')
  })

  test('an API key cannot approve at all', async () => {
    const id = await batchInState(owner, org.organizationId, (role) => sessionsByRole[role]!, 'submitted')
    const manager = await freshSession('manager@demo.test')
    const me = (await manager.request('GET', '/api/users/me')).body.user as { id: number; enableAPIKey?: boolean }
    // A demo user shared by other files: enable a key, use it, and take it away again.
    const apiKey = randomUUID()
    expect((await manager.request('PATCH', `/api/users/${me.id}`, { enableAPIKey: true, apiKey })).status).toBe(200)
    try {
      const res = await request('POST', `/api/batches/${id}/approve`, undefined, {
        authorization: `users API-Key ${apiKey}`,
        ...org.headers,
      })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('step_up_required')
    } finally {
      await manager.request('PATCH', `/api/users/${me.id}`, { enableAPIKey: false, apiKey: null })
    }
    const [row] = await ownerQuery<{ status: string }>('select status from batches where id = $1', [id])
    expect(row!.status).toBe('submitted')
  })

  test('changing payout details needs a recent password; other partner edits do not', async () => {
    const partnerId = await createPartner(owner, org.organizationId, { payoutMethod: 'paypal' })
    const ops = await freshSession('ops@demo.test')
    await ageSession(ops, stale)
    const before = (await ownerQuery<{ payout_email: string }>('select payout_email from partners where id = $1', [partnerId]))[0]!

    const refused = await ops.request('PATCH', `/api/partners/${partnerId}`, { payoutEmail: 'attacker@example.test' })
    expect(refused.status).toBe(403)
    expect(JSON.stringify(refused.body)).toMatch(/password/i)
    const method = await ops.request('PATCH', `/api/partners/${partnerId}`, { payoutMethod: 'wise' })
    expect(method.status).toBe(403)
    const after = (
      await ownerQuery<{ payout_email: string; payout_method: string }>('select payout_email, payout_method from partners where id = $1', [
        partnerId,
      ])
    )[0]!
    expect(after).toEqual({ payout_email: before.payout_email, payout_method: 'paypal' })

    const renamed = await ops.request('PATCH', `/api/partners/${partnerId}`, { name: 'Renamed with an old session' })
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200)

    const fresh = await freshSession('ops@demo.test')
    const ok = await fresh.request('PATCH', `/api/partners/${partnerId}`, { payoutEmail: 'new-payee@example.test' })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    const changed = (await ownerQuery<{ payout_email: string }>('select payout_email from partners where id = $1', [partnerId]))[0]!
    expect(changed.payout_email).not.toBe(before.payout_email)
  })
})
