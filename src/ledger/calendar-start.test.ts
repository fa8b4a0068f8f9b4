import { describe, expect, test } from 'vitest'

import { localDate, startOfLocalDate } from './calendar'

describe('startOfLocalDate', () => {
  test.each([
    ['2026-12-01', 'UTC', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01', 'America/New_York', '2026-12-01T05:00:00.000Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00.000Z'],
    ['2026-07-01', 'Asia/Kolkata', '2026-06-30T18:30:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    // Santiago springs forward at midnight: 2026-09-06 starts at 01:00 local (-03:00).
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
  ])('%s in %s starts at %s', (date, zone, iso) => {
    const start = startOfLocalDate(date, zone)
    expect(start.toISOString()).toBe(iso)
    expect(localDate(start, zone)).toBe(date)
    expect(localDate(new Date(start.getTime() - 1), zone)).not.toBe(date)
  })
})
