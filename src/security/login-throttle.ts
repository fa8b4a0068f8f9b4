import { pbkdf2, randomBytes } from 'node:crypto'

import type { CollectionAfterErrorHook, CollectionAfterLoginHook, CollectionBeforeOperationHook, PayloadRequest } from 'payload'
import { AuthenticationError } from 'payload'

/**
 * Login throttling in front of Payload's per-account lockout (docs/decisions/003-login-throttling.md).
 *
 * - One client (IP) gets PER_CLIENT_FAILURES tries at one account per window; after that its
 *   attempts at that account are refused before Payload counts them, so one client alone can
 *   neither guess on nor lock out someone else's account.
 * - Payload's lockout (Users.auth.maxLoginAttempts/lockTime) stays as the per-account cap that
 *   holds across clients: at most ACCOUNT_FAILURES per ACCOUNT_LOCK_MS, i.e. <= 80 a hour.
 * - Unknown, locked and throttled accounts get the wrong-password answer after the same PBKDF2
 *   work, so neither the body, the status nor the time tells whether an account exists.
 */
export const PER_CLIENT_FAILURES = 5
export const PER_CLIENT_WINDOW_MS = 15 * 60 * 1000
export const ACCOUNT_FAILURES = 20
export const ACCOUNT_LOCK_MS = 15 * 60 * 1000

// Payload's current local-strategy parameters (payload/dist/auth/strategies/local/generatePasswordSaltHash.js).
const PBKDF2_ITERATIONS = 600_000
const PBKDF2_KEY_LENGTH = 32
const MAX_TRACKED = 50_000
/**
 * Attempts of one client at one account allowed in flight at once. Failures are only known when
 * an attempt ends, so without this a burst of parallel guesses from one client would all reach
 * the account counter (and lock it); with it one client gets at most 4 + 10 < ACCOUNT_FAILURES.
 * Parallel logins of the same person from one address (several tabs, scripts) stay well below.
 */
export const MAX_IN_FLIGHT = 10
const IN_FLIGHT_MS = 60_000

/** Failed attempts per "client|account", oldest first. Per process; see the decision. */
const attempts = new Map<string, number[]>()
/** Start times of attempts not yet answered, per "client|account". */
const inFlight = new Map<string, number[]>()

/**
 * The client address: the right-most X-Forwarded-For entry, the one added by the proxy in front
 * of the app (or by Next.js from the socket when nobody sent the header). Entries further left
 * come from the client and are not trusted.
 */
export function clientAddress(headers: Headers | undefined): string {
  const xff = headers?.get('x-forwarded-for') ?? ''
  const parts = xff
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  return parts.at(-1) ?? headers?.get('x-real-ip') ?? 'unknown'
}

const keyOf = (req: PayloadRequest, email: string) => `${clientAddress(req.headers)}|${email}`

function recent(key: string, now: number): number[] {
  const list = (attempts.get(key) ?? []).filter((t) => now - t < PER_CLIENT_WINDOW_MS)
  if (list.length) attempts.set(key, list)
  else attempts.delete(key)
  return list
}

function record(key: string, now: number): void {
  if (attempts.size >= MAX_TRACKED && !attempts.has(key)) {
    // Drop the oldest entries (Map keeps insertion order) rather than grow without bound.
    for (const k of attempts.keys()) {
      attempts.delete(k)
      if (attempts.size < MAX_TRACKED * 0.9) break
    }
  }
  // Only the newest few matter; a client hammering away must not grow the list.
  attempts.set(key, [...recent(key, now), now].slice(-PER_CLIENT_FAILURES))
  if (inFlight.size >= MAX_TRACKED) inFlight.clear()
}

/** The PBKDF2 a real password check costs, on nothing, so refusals without a check take as long. */
export function equalizeWork(password: string): Promise<void> {
  return new Promise((resolve) => {
    randomBytes(32, (_e, salt) => {
      pbkdf2(password, salt.toString('hex'), PBKDF2_ITERATIONS, PBKDF2_KEY_LENGTH, 'sha256', () => resolve())
    })
  })
}

const normalizeEmail = (v: unknown) => (typeof v === 'string' ? v.toLowerCase().trim() : '')

export const throttleLogin: CollectionBeforeOperationHook = async ({ args, operation, req }) => {
  if (operation !== 'login') return args
  const data = (args as { data?: { email?: unknown; password?: unknown } }).data ?? {}
  const email = normalizeEmail(data.email)
  const password = typeof data.password === 'string' ? data.password : ''
  // Missing fields: Payload answers with its validation error, the same for every account.
  if (!email || password.trim() === '') return args

  const now = Date.now()
  const key = keyOf(req, email)
  const pending = (inFlight.get(key) ?? []).filter((t) => now - t < IN_FLIGHT_MS)
  const throttled = recent(key, now).length >= PER_CLIENT_FAILURES || pending.length >= MAX_IN_FLIGHT
  // Ended by clearLoginThrottle (success) or recordLoginFailure (any refusal, this one included).
  inFlight.set(key, [...pending, now])

  const user = await req.payload.db.findOne<{ id: number | string; lockUntil?: string | null }>({
    collection: 'users',
    req,
    where: { email: { equals: email } },
  })
  const locked = user?.lockUntil != null && new Date(user.lockUntil).getTime() > now
  if (!user || locked || throttled) {
    await equalizeWork(password)
    // Payload would answer a locked account with "locked", which confirms that the account
    // exists; everyone who is refused here gets the wrong-password answer instead.
    throw new AuthenticationError(req.t)
  }
  return args
}

function endAttempt(key: string): void {
  const list = inFlight.get(key)
  if (!list) return
  list.shift()
  if (list.length === 0) inFlight.delete(key)
}

/** A successful login (or password reset, which logs in) ends the client's count for that account. */
export const clearLoginThrottle: CollectionAfterLoginHook = ({ req, user }) => {
  const email = normalizeEmail((user as { email?: unknown }).email)
  if (email) {
    const key = keyOf(req, email)
    attempts.delete(key)
    endAttempt(key)
  }
  return user
}

const isLoginRequest = (req: PayloadRequest) =>
  req.method === 'POST' && /\/users\/login\/?$/.test(new URL(req.url ?? '', 'http://x').pathname)

/**
 * Every refused login (wrong password, unknown, locked, throttled, disabled) counts against the
 * client for that account. Payload's "locked" answer, should a lock land between our check and
 * Payload's, is replaced by the wrong-password one.
 */
export const recordLoginFailure: CollectionAfterErrorHook = ({ error, req }) => {
  if (!isLoginRequest(req)) return
  const email = normalizeEmail((req.data as { email?: unknown } | undefined)?.email)
  if (!email) return
  const key = keyOf(req, email)
  endAttempt(key)
  if ((error as { status?: number }).status !== 401) return
  record(key, Date.now())
  if ((error as Error).name === 'LockedAuth') {
    return { response: { errors: [{ message: new AuthenticationError(req.t).message }] }, status: 401 }
  }
}

/** For tests in this process only. */
export function resetLoginThrottleForTests(): void {
  attempts.clear()
  inFlight.clear()
}
