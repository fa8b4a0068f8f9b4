import { describe, expect, test } from 'vitest'

import { DEFAULT_PROGRAM_SETTINGS } from './settings'
import { eligibilityDate, entryStatusAt, holdStatus } from './hold'

describe('eligibilityDate', () => {
  test.each<[string, Date | string, number, string, string]>([
    ['default 30 days', '2026-01-15', DEFAULT_PROGRAM_SETTINGS.holdDays, 'UTC', '2026-02-14'],
    ['zero hold', '2026-01-15', 0, 'UTC', '2026-01-15'],
    ['across a month end', '2026-01-31', 1, 'UTC', '2026-02-01'],
    ['into a leap day', '2028-01-30', 30, 'UTC', '2028-02-29'],
    ['non-leap February', '2026-01-30', 30, 'UTC', '2026-03-01'],
    ['across a year end', '2026-12-15', 30, 'UTC', '2027-01-14'],
    ['across the spring DST change', '2026-03-01', 30, 'America/New_York', '2026-03-31'],
    ['instant late in the day stays on its UTC date', new Date('2026-01-15T23:59:59Z'), 30, 'UTC', '2026-02-14'],
    ['instant placed in the org zone first', new Date('2026-01-16T03:00:00Z'), 30, 'America/New_York', '2026-02-14'],
    ['east of UTC moves forward', new Date('2026-01-15T20:00:00Z'), 30, 'Asia/Tokyo', '2026-02-15'],
  ])('%s', (_name, date, holdDays, timeZone, expected) => {
    expect(eligibilityDate(date, holdDays, timeZone)).toBe(expected)
  })

  test.each([-1, 1.5, Number.NaN])('refuses holdDays %s', (holdDays) => {
    expect(() => eligibilityDate('2026-01-01', holdDays)).toThrow()
  })

  test('refuses a date that is not a calendar date', () => {
    expect(() => eligibilityDate('2026-02-30', 30)).toThrow()
  })
})

describe('holdStatus', () => {
  test.each<[string, string, Date | string, string, string]>([
    ['day before', '2026-02-14', '2026-02-13', 'UTC', 'pending'],
    ['on the day', '2026-02-14', '2026-02-14', 'UTC', 'eligible'],
    ['after', '2026-02-14', '2027-01-01', 'UTC', 'eligible'],
    ['as-of instant in UTC', '2026-02-14', new Date('2026-02-14T00:00:00Z'), 'UTC', 'eligible'],
    ['as-of instant still the day before in the org zone', '2026-02-14', new Date('2026-02-14T03:00:00Z'), 'America/New_York', 'pending'],
  ])('%s', (_name, eligibleOn, asOf, timeZone, expected) => {
    expect(holdStatus(eligibleOn, asOf, timeZone)).toBe(expected)
  })
})

describe('entryStatusAt', () => {
  const at = new Date('2026-12-01T05:00:00Z')
  test('held wins over any date', () => {
    expect(entryStatusAt(at, new Date('2027-01-01T00:00:00Z'), true)).toBe('held')
  })
  test('pending until the eligibility instant, eligible from it on', () => {
    expect(entryStatusAt(at, new Date(at.getTime() - 1), false)).toBe('pending')
    expect(entryStatusAt(at, at, false)).toBe('eligible')
  })
})
