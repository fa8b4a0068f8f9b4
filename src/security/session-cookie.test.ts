import { describe, expect, test } from 'vitest'

import { sessionCookieSettings } from './session-cookie'

describe('session cookie settings', () => {
  test('production: __Host- name, Secure, SameSite=Lax', () => {
    expect(sessionCookieSettings({ NODE_ENV: 'production' })).toEqual({ cookiePrefix: '__Host-payload', secure: true, sameSite: 'Lax' })
  })

  test('plain-http runs keep the unprefixed name a browser accepts without Secure', () => {
    expect(sessionCookieSettings({ NODE_ENV: 'production', INSECURE_COOKIES: 'true' })).toEqual({
      cookiePrefix: 'payload',
      secure: false,
      sameSite: 'Lax',
    })
    expect(sessionCookieSettings({ NODE_ENV: 'development' }).cookiePrefix).toBe('payload')
  })
})
