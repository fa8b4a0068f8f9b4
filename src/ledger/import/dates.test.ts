import fc from 'fast-check'
import { describe, expect, it, test } from 'vitest'

import { parseDateTime, parseLocalDate, type DateOptions } from './dates'

const UTC_MDY: DateOptions = { dateOrder: 'MDY', timeZone: 'UTC' }
const NY_MDY: DateOptions = { dateOrder: 'MDY', timeZone: 'America/New_York' }
const BERLIN_DMY: DateOptions = { dateOrder: 'DMY', timeZone: 'Europe/Berlin' }

describe('parseDateTime accepts', () => {
  test.each([
    ['2026-03-02', UTC_MDY, '2026-03-02T00:00:00.000Z'],
    ['2026-03-02', NY_MDY, '2026-03-02T05:00:00.000Z'],
    ['2026-07-02', NY_MDY, '2026-07-02T04:00:00.000Z'],
    ['2026-03-02T14:05:00Z', NY_MDY, '2026-03-02T14:05:00.000Z'],
    ['2026-03-02T14:05:00.123Z', UTC_MDY, '2026-03-02T14:05:00.123Z'],
    ['2026-03-02T14:05:00+01:00', UTC_MDY, '2026-03-02T13:05:00.000Z'],
    ['2026-03-02T14:05+0530', UTC_MDY, '2026-03-02T08:35:00.000Z'],
    ['2026-03-02 14:05:00 -0500', BERLIN_DMY, '2026-03-02T19:05:00.000Z'],
    ['2026-03-02 14:05', NY_MDY, '2026-03-02T19:05:00.000Z'],
    ['2026-03-02 14:05 UTC', NY_MDY, '2026-03-02T14:05:00.000Z'],
    ['2026/03/02', UTC_MDY, '2026-03-02T00:00:00.000Z'],
    ['03/02/2026', UTC_MDY, '2026-03-02T00:00:00.000Z'],
    ['3/2/2026', UTC_MDY, '2026-03-02T00:00:00.000Z'],
    ['03/02/2026', BERLIN_DMY, '2026-02-02T23:00:00.000Z'],
    ['02.03.2026 14:05', BERLIN_DMY, '2026-03-02T13:05:00.000Z'],
    ['03/02/2026 2:05 PM', NY_MDY, '2026-03-02T19:05:00.000Z'],
    ['03/02/2026 12:05 am', UTC_MDY, '2026-03-02T00:05:00.000Z'],
    ['03/02/2026 12:05 PM', UTC_MDY, '2026-03-02T12:05:00.000Z'],
    ['03/02/2026, 14:05:09', UTC_MDY, '2026-03-02T14:05:09.000Z'],
    ['2028-02-29', UTC_MDY, '2028-02-29T00:00:00.000Z'],
    ['  2026-03-02  ', UTC_MDY, '2026-03-02T00:00:00.000Z'],
  ])('%s', (text, options, iso) => {
    const r = parseDateTime(text, options)
    expect(r.ok && r.iso).toBe(iso)
  })

  it('says whether the text had a time and an offset', () => {
    expect(parseDateTime('2026-03-02', UTC_MDY)).toMatchObject({ hasTime: false, hasOffset: false })
    expect(parseDateTime('2026-03-02T10:00:00Z', UTC_MDY)).toMatchObject({ hasTime: true, hasOffset: true })
  })
})

describe('daylight-saving edges (Temporal "compatible")', () => {
  it('a skipped local time moves forward by the gap', () => {
    // New York, 2026-03-08: 02:00 -> 03:00.
    expect(parseDateTime('2026-03-08 02:30', NY_MDY)).toMatchObject({ iso: '2026-03-08T07:30:00.000Z' })
  })
  it('a repeated local time is the earlier instant', () => {
    // New York, 2026-11-01: 02:00 -> 01:00, so 01:30 happens twice.
    expect(parseDateTime('2026-11-01 01:30', NY_MDY)).toMatchObject({ iso: '2026-11-01T05:30:00.000Z' })
  })
})

describe('parseDateTime refuses', () => {
  test.each([
    ['', 'date_empty'],
    ['2026-02-30', 'date_impossible'],
    ['2027-02-29', 'date_impossible'],
    ['2026-13-01', 'date_impossible'],
    ['13/13/2026', 'date_impossible'],
    ['2026-04-31', 'date_impossible'],
    ['2026-03-02 25:00', 'time_impossible'],
    ['2026-03-02 24:00', 'time_impossible'],
    ['2026-03-02 12:60', 'time_impossible'],
    ['2026-03-02 12:00:60', 'time_impossible'],
    ['03/02/2026 13:00 PM', 'time_impossible'],
    ['2026-03-02T10:00+15:00', 'offset_invalid'],
    ['03/02/26', 'date_two_digit_year'],
    ['March 2, 2026', 'date_invalid'],
    ['46083', 'date_invalid'],
    ['2026-03-02 EST', 'date_invalid'],
    ['yesterday', 'date_invalid'],
  ])('%s -> %s', (text, code) => {
    const r = parseDateTime(text, UTC_MDY)
    expect(r.ok ? 'ok' : r.code).toBe(code)
  })

  it('hints at the date order setting when the month would be valid the other way round', () => {
    const r = parseDateTime('13/02/2026', UTC_MDY)
    expect(!r.ok && r.message).toContain('DD/MM/YYYY')
  })

  it('reports a bad time zone setting as a code, not a throw', () => {
    expect(parseDateTime('2026-03-02', { dateOrder: 'MDY', timeZone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
      code: 'invalid_time_zone',
    })
  })
})

describe('parseLocalDate', () => {
  test.each([
    ['2026-03-02', NY_MDY, '2026-03-02'],
    ['01/02/2026', BERLIN_DMY, '2026-02-01'],
    ['2026-03-02T03:00:00Z', NY_MDY, '2026-03-01'],
    ['2026-03-02T23:30:00Z', BERLIN_DMY, '2026-03-03'],
  ])('%s -> %s', (text, options, date) => {
    expect(parseLocalDate(text, options)).toEqual({ ok: true, date })
  })
})

describe('wall-clock round trip in zones with odd transitions', () => {
  const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Apia']
  const wall = (ms: number, timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .format(new Date(ms))
      .replace(',', '')

  it('parsing the local time of an instant gives an instant with the same local time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2008, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }),
        (timeZone, seconds) => {
          const ms = seconds * 1000
          const text = wall(ms, timeZone)
          const r = parseDateTime(text, { dateOrder: 'MDY', timeZone })
          expect(r.ok).toBe(true)
          if (r.ok) {
            expect(wall(r.epochMs, timeZone)).toBe(text)
            // A repeated hour resolves to the earlier instant, never a later one.
            expect(r.epochMs).toBeLessThanOrEqual(ms)
            expect(ms - r.epochMs).toBeLessThanOrEqual(3_600_000)
          }
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('including instants right at transitions', () => {
    // 2026-03-08T07:00Z (NY spring), 2026-11-01T06:00Z (NY fall), 2026-10-25T01:00Z (Berlin fall)
    for (const [ms, timeZone] of [
      [Date.UTC(2026, 2, 8, 7), 'America/New_York'],
      [Date.UTC(2026, 10, 1, 6), 'America/New_York'],
      [Date.UTC(2026, 9, 25, 1), 'Europe/Berlin'],
    ] as const) {
      for (let d = -7_200_000; d <= 7_200_000; d += 600_000) {
        const text = wall(ms + d, timeZone)
        const r = parseDateTime(text, { dateOrder: 'MDY', timeZone })
        expect(r.ok && wall(r.epochMs, timeZone)).toBe(text)
      }
    }
  })
})
