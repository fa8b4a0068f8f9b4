import { describe, expect, test } from 'vitest'

import { organizationScope } from './tenant-adapter'

describe('organizationScope (which list totals may come from the kept per-organization counts)', () => {
  test('no filter, or only the organization, possibly nested in and', () => {
    expect(organizationScope(undefined)).toEqual([])
    expect(organizationScope({})).toEqual([])
    expect(organizationScope({ organization: { equals: 3 } })).toEqual([3])
    expect(organizationScope({ and: [{}, { organization: { equals: '3' } }] })).toEqual([3])
    expect(organizationScope({ and: [{ and: [{ organization: { equals: 3 } }] }, { organization: { equals: 4 } }] })).toEqual([3, 4])
  })

  test('any other condition needs the exact count', () => {
    expect(organizationScope({ partner: { equals: 1 } })).toBeNull()
    expect(organizationScope({ and: [{ organization: { equals: 3 } }, { partner: { equals: 1 } }] })).toBeNull()
    expect(organizationScope({ or: [{ organization: { equals: 3 } }] })).toBeNull()
    expect(organizationScope({ organization: { in: [3] } })).toBeNull()
    expect(organizationScope({ organization: { equals: 3, exists: true } })).toBeNull()
    expect(organizationScope({ organization: { not_equals: 3 } })).toBeNull()
    expect(organizationScope({ organization: { equals: 'x' } })).toBeNull()
    expect(organizationScope({ organization: { equals: null } })).toBeNull()
  })
})
