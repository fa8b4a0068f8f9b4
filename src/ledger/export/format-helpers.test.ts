import { describe, expect, test } from 'vitest'
import {
  addDays,
  calendarDate,
  formatDate,
  isValidDatePattern,
  lineReference,
  LINE_REFERENCE_PATTERN,
  parseIsoDate,
  transliterate,
  truncate,
  wallClock,
} from './format-helpers'

describe('dates', () => {
  const d = { year: 2026, month: 3, day: 2 }
  test.each([
    ['YYYY-MM-DD', '2026-03-02'],
    ['MM/DD/YYYY', '03/02/2026'],
    ['DD/MM/YYYY', '02/03/2026'],
    ['DD.MM.YYYY', '02.03.2026'],
    ['YYMMDD', '260302'],
    ['M/D/YYYY', '3/2/2026'],
  ])('%s -> %s', (pattern, out) => {
    expect(formatDate(d, pattern)).toBe(out)
  })

  test.each([
    ['YYYY-MM-DD', true],
    ['DD/MM/YY', true],
    ['M/D/YYYY', true],
    ['YYYY-MM', false],
    ['=YYYY-MM-DD', false],
    ['YYYY-MM-DD-DD', false],
    ['YYY-MM-DD', false],
  ])('pattern %s valid=%s', (pattern, valid) => {
    expect(isValidDatePattern(pattern)).toBe(valid)
  })

  test('calendar date follows the organization time zone', () => {
    const instant = new Date('2026-03-02T02:30:00Z')
    expect(calendarDate(instant)).toEqual({ year: 2026, month: 3, day: 2 })
    expect(calendarDate(instant, 'America/New_York')).toEqual({ year: 2026, month: 3, day: 1 })
    expect(wallClock(instant, 'Europe/Berlin')).toEqual({ hour: 3, minute: 30, second: 0 })
    expect(wallClock(new Date('2026-03-02T00:05:09Z'))).toEqual({ hour: 0, minute: 5, second: 9 })
  })

  test('addDays crosses months and leap days', () => {
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 })
    expect(addDays({ year: 2026, month: 12, day: 31 }, 14)).toEqual({ year: 2027, month: 1, day: 14 })
  })

  test.each([
    ['2026-03-04', { year: 2026, month: 3, day: 4 }],
    ['2026-02-30', null],
    ['2026-3-4', null],
    ['', null],
  ])('parseIsoDate(%j)', (value, out) => {
    expect(parseIsoDate(value)).toEqual(out)
  })
})

describe('text', () => {
  const sepa = /^[A-Za-z0-9/\-?:().,'+ ]$/
  test.each([
    ['Müller Straße', 'Muller Strasse'],
    ['Zoë Ålvarez-Smith', 'Zoe Alvarez-Smith'],
    ['Jean Dupont & Fils', 'Jean Dupont Fils'],
    ['Łódź Øresund Æther', 'Lodz Oresund AEther'],
    ['山田 太郎', ''],
    ['a\tb\nc', 'a b c'],
  ])('transliterate %j -> %j', (input, out) => {
    expect(transliterate(input, sepa)).toBe(out)
  })

  test('truncate counts code points, never splits a surrogate pair', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀😀')
    expect(truncate('abc', 5)).toBe('abc')
  })
})

describe('lineReference', () => {
  test.each([
    [17, 3, 'PO-000017-00003'],
    [999999, 99999, 'PO-999999-99999'],
    [1000000, 1, null],
    [1, 100000, null],
    [1, 0, null],
    [-1, 1, null],
  ])('(%d, %d) -> %s', (batch, line, out) => {
    const ref = lineReference(batch, line)
    expect(ref).toBe(out)
    if (ref !== null) {
      expect(ref.length).toBeLessThanOrEqual(15)
      expect(LINE_REFERENCE_PATTERN.test(ref)).toBe(true)
    }
  })
})
