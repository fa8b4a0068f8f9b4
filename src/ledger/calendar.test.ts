import { describe, expect, test } from 'vitest'

import { addDays, daysBetween, isIsoDate, isValidTimeZone, localDate, monthOf } from './calendar'

describe('calendar', () => {
  test.each<[string, boolean]>([
    ['2026-02-28', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00:00Z', false],
    ['', false],
  ])('isIsoDate(%j) = %s', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected)
  })

  test.each<[string, string, string]>([
    ['2026-03-01T04:59:59Z', 'America/New_York', '2026-02-28'],
    ['2026-03-01T05:00:00Z', 'America/New_York', '2026-03-01'],
    ['2026-03-01T00:00:00Z', 'UTC', '2026-03-01'],
    ['2026-02-28T15:00:00Z', 'Asia/Tokyo', '2026-03-01'],
    ['2026-03-31T22:30:00Z', 'Asia/Kolkata', '2026-04-01'],
  ])('localDate(%s, %s) = %s', (instant, zone, expected) => {
    expect(localDate(new Date(instant), zone)).toBe(expected)
  })

  test('refuses an invalid Date', () => {
    expect(() => localDate(new Date('nope'), 'UTC')).toThrow()
  })

  test.each<[string, number, string]>([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-12-31', 366, '2026-01-01'],
  ])('addDays(%s, %d) = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected)
    expect(daysBetween(date, expected)).toBe(days)
  })

  test('monthOf and time zones', () => {
    expect(monthOf('2026-03-09')).toBe('2026-03')
    expect(isValidTimeZone('Europe/Berlin')).toBe(true)
    expect(isValidTimeZone('Nowhere/Else')).toBe(false)
  })
})
