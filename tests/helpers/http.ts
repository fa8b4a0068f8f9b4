import { inject } from 'vitest'

import { SEED_PASSWORD } from '../setup/global-setup'

export interface Session {
  email: string
  cookie: string
  token: string
  request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResponse>
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

export async function login(email: string, password = SEED_PASSWORD): Promise<Session> {
  const res = await request('POST', '/api/users/login', { email, password })
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`)
  const setCookie = res.headers.get('set-cookie') ?? ''
  const cookie = /payload-token=[^;]+/.exec(setCookie)?.[0]
  if (!cookie) throw new Error('no payload-token cookie')
  return sessionFromCookie(email, cookie, res.body.token)
}

export function sessionFromCookie(email: string, cookie: string, token: string): Session {
  return {
    email,
    cookie,
    token,
    request: (method, path, body, headers = {}) => request(method, path, body, { cookie, ...headers }),
  }
}
