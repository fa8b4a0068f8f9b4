import { describe, expect, test } from 'vitest'

import { CONTENT_SECURITY_POLICY, HSTS_VALUE } from '../../src/security/headers.mjs'
import { login, request } from '../helpers/http'

/**
 * The headers of real responses from the production server: an admin page, the login page, the
 * REST API (JSON and an error), the CSV export and a static bundle. HSTS appears only when a
 * TLS-terminating proxy says the request came over https.
 */
const PATHS = ['/admin', '/admin/login', '/api/users/me', '/api/partners', '/api/audit-events/export', '/api/no-such-route']

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  )
}

describe.each(PATHS)('%s', (path) => {
  test('carries CSP with frame-ancestors none, nosniff, a referrer policy and no HSTS over http', async () => {
    const res = await request('GET', path)
    expect(res.status).toBeLessThan(500)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toBe(CONTENT_SECURITY_POLICY)
    const d = directives(csp)
    expect(d.get('frame-ancestors')).toEqual(["'none'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('default-src')).toEqual(["'self'"])
    // Nothing may be loaded from, or sent to, another origin.
    for (const [name, values] of d)
      expect(
        values.filter((v) => /^(https?:|\*|wss?:)/.test(v)),
        name,
      ).toEqual([])
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('same-origin')
    expect(res.headers.get('strict-transport-security')).toBeNull()
    expect(res.headers.get('x-powered-by')).toBeNull()
  })

  test('behind a https proxy (x-forwarded-proto: https) adds HSTS', async () => {
    const res = await request('GET', path, undefined, { 'x-forwarded-proto': 'https' })
    expect(res.headers.get('strict-transport-security')).toBe(HSTS_VALUE)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })
})

test('a proxy chain whose first hop was http gets no HSTS; https first gets it', async () => {
  expect(
    (await request('GET', '/admin/login', undefined, { 'x-forwarded-proto': 'http' })).headers.get('strict-transport-security'),
  ).toBeNull()
  expect(
    (await request('GET', '/admin/login', undefined, { 'x-forwarded-proto': 'http, https' })).headers.get('strict-transport-security'),
  ).toBeNull()
  expect(
    (await request('GET', '/admin/login', undefined, { 'x-forwarded-proto': 'https, http' })).headers.get('strict-transport-security'),
  ).toBe(HSTS_VALUE)
})

test('logged-in API responses and the CSV download carry the headers too', async () => {
  const admin = await login('admin@demo.test')
  for (const path of ['/api/partners?limit=1', '/api/audit-events/export?action=none']) {
    const res = await admin.request('GET', path)
    expect(res.status, path).toBe(200)
    expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
  }
})

test('a static bundle of the admin carries nosniff and the CSP', async () => {
  const page = await request('GET', '/admin/login')
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(String(page.body))?.[1]
  expect(script, 'no /_next/static script on the login page').toBeTruthy()
  const res = await fetch(`${(await import('../helpers/http')).baseUrl()}${script}`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/javascript/)
  expect(res.headers.get('x-content-type-options')).toBe('nosniff')
})
