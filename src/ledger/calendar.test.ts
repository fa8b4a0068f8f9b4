import fc from 'fast-check'
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

describe('localDate agrees with Intl for every instant (its per-hour offset shortcut included)', () => {
  // Half-hour and 45-minute offsets, a 30-minute DST shift (Lord Howe), a skipped day (Apia 2011-12-30),
  // DST ending at midnight (Santiago), and instants before 1970 / after 2199 (the shortcut is off there).
  const zones = [
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/Santiago',
    'Pacific/Apia',
    'UTC',
  ]
  const formats = new Map<string, Intl.DateTimeFormat>()
  const intlDate = (ms: number, timeZone: string) => {
    let f = formats.get(timeZone)
    if (!f) {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      formats.set(timeZone, f)
    }
    return f.format(new Date(ms))
  }

  test('random instants, 1900-2300', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2300, 0, 1) }), (timeZone, ms) => {
        expect(localDate(new Date(ms), timeZone)).toBe(intlDate(ms, timeZone))
      }),
      { numRuns: 1000 },
    )
  }, 60_000)

  test('every 5 minutes around transitions, and the same hours asked twice', () => {
    const around = [
      ['America/New_York', '2026-03-08T06:00:00Z'],
      ['America/New_York', '2026-11-01T05:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:30:00Z'],
      ['America/Santiago', '2026-04-05T02:00:00Z'],
      ['America/Santiago', '2026-09-06T03:00:00Z'],
      ['Pacific/Apia', '2011-12-29T09:00:00Z'],
      // +5:30 -> +5:45 at local midnight, mid-way through a UTC hour
      ['Asia/Kathmandu', '1985-12-31T18:30:00Z'],
    ] as const
    for (const [zone, at] of around) {
      const t0 = Date.parse(at) - 3 * 3_600_000
      for (let pass = 0; pass < 2; pass++) {
        for (let ms = t0; ms < t0 + 6 * 3_600_000; ms += 300_000) {
          expect(localDate(new Date(ms + 299_999), zone)).toBe(intlDate(ms + 299_999, zone))
          expect(localDate(new Date(ms), zone)).toBe(intlDate(ms, zone))
        }
      }
    }
  }, 60_000)
})
