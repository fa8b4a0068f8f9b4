import { describe, expect, test } from 'vitest'

import { login } from '../helpers/http'

describe('the running app', () => {
  test('ops logs in and lists conversions of the active organization only', async () => {
    const ops = await login('ops@demo.test')
    const me = await ops.request('GET', '/api/users/me')
    const orgId = me.body.user.activeOrganization
    const res = await ops.request('GET', '/api/conversions?limit=100&depth=0')
    expect(res.status).toBe(200)
    expect(res.body.docs.length).toBeGreaterThan(0)
    expect(new Set(res.body.docs.map((d: { organization: number }) => d.organization))).toEqual(new Set([orgId]))
  })
})
