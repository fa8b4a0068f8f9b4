import { inject } from 'vitest'

import { STEP_UP_CODE, STEP_UP_WINDOW_MS } from '../../src/security/step-up'
import { SEED_PASSWORD } from '../setup/global-setup'

export interface Session {
  email: string
  readonly cookie: string
  readonly token: string
  request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResponse>
  /**
   * Given an answer this session received, signs in again when that answer asked for step-up and
   * the session's own password entry really is older than the window; true when it did, so the
   * caller retries. This is what a person does (confirm the password), and it only fires when a
   * long run (CI on a loaded machine) kept a test's session past ten minutes: a session aged on
   * purpose in the database still gets its step_up_required answer.
   */
  renewAfter?: (answer: ApiResponse) => Promise<boolean>
}

export interface ApiResponse {
  status: number
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, asserted per test
  headers: Headers
}

export function baseUrl(): string {
  return inject('baseUrl')
}

export async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await fetch(baseUrl() + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

async function signIn(email: string, password: string): Promise<{ cookie: string; token: string; signedInAt: number }> {
  // Taken before the request, so this clock never reads a session as younger than the server does.
  const signedInAt = Date.now()
  const res = await request('POST', '/api/users/login', { email, password })
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`)
  const setCookie = res.headers.get('set-cookie') ?? ''
  const cookie = /payload-token=[^;]+/.exec(setCookie)?.[0]
  if (!cookie) throw new Error('no payload-token cookie')
  return { cookie, token: res.body.token as string, signedInAt }
}

export async function login(email: string, password = SEED_PASSWORD): Promise<Session> {
  let current = await signIn(email, password)
  const renewAfter = async (answer: ApiResponse): Promise<boolean> => {
    const askedForStepUp = answer.status === 403 && answer.body?.error?.code === STEP_UP_CODE
    if (!askedForStepUp || Date.now() - current.signedInAt <= STEP_UP_WINDOW_MS) return false
    current = await signIn(email, password)
    return true
  }
  return {
    email,
    get cookie() {
      return current.cookie
    },
    get token() {
      return current.token
    },
    request: (method, path, body, headers = {}) =>
      sendRenewing({ renewAfter }, () => request(method, path, body, { cookie: current.cookie, ...headers })),
    renewAfter,
  }
}

/**
 * Sends, and sends once more if the answer made the session sign in again (Session.renewAfter).
 * `send` must read the session's cookie when called, so the second try carries the new one.
 */
export async function sendRenewing(session: Pick<Session, 'renewAfter'> | null, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const answer = await send()
  return session?.renewAfter && (await session.renewAfter(answer)) ? send() : answer
}

/** The session acting in one organization: every request carries `headers` (x-organization-id). */
export function withHeaders(session: Session, headers: Record<string, string>): Session {
  return {
    email: session.email,
    get cookie() {
      return session.cookie
    },
    get token() {
      return session.token
    },
    request: (method, path, body, h = {}) => session.request(method, path, body, { ...headers, ...h }),
    renewAfter: session.renewAfter,
  }
}

export function sessionFromCookie(email: string, cookie: string, token: string): Session {
  return {
    email,
    cookie,
    token,
    request: (method, path, body, headers = {}) => request(method, path, body, { cookie, ...headers }),
  }
}
