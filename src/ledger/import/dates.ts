/**
 * Date and time text from import files -> an instant. Files carry ISO dates, US or European
 * day orders (the organization's setting decides which, never a guess per row), Shopify's
 * `2026-03-02 14:05:00 -0500`, and bare dates. A value without a zone is wall-clock time in the
 * organization's time zone; an impossible date is an error, because Date.UTC would quietly roll
 * 2026-02-30 into March and book the sale in the wrong month (and the wrong commission tier).
 */
import type { IsoDate } from '../calendar'

export type DateOrder = 'MDY' | 'DMY'

export interface DateOptions {
  readonly dateOrder: DateOrder
  /** IANA zone for values that carry no offset, e.g. 'America/New_York'. */
  readonly timeZone: string
}

export type DateErrorCode =
  'date_empty' | 'date_invalid' | 'date_two_digit_year' | 'date_impossible' | 'time_impossible' | 'offset_invalid' | 'invalid_time_zone'

export type DateTimeResult =
  | {
      ok: true
      /** Milliseconds since the Unix epoch (UTC). */
      epochMs: number
      /** The same instant as `YYYY-MM-DDTHH:MM:SS.sssZ`. */
      iso: string
      /** false for a bare date (read as local midnight). */
      hasTime: boolean
      /** true when the text carried its own offset (Z, +01:00, -0500, UTC). */
      hasOffset: boolean
    }
  | { ok: false; code: DateErrorCode; message: string }

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAY_MS = 86_400_000

const TIME = String.raw`(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<frac>\d{1,9}))?)?(?:\s*(?<ampm>[AaPp])\.?[Mm]\.?)?`
const ZONE = String.raw`(?<zone>[Zz]|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)`
const TAIL = String.raw`(?:(?:[Tt]|,?\s+)${TIME}(?:\s*${ZONE})?)?`
// Year first is unambiguous whatever the setting: 2026-03-02, 2026/03/02.
const YEAR_FIRST = new RegExp(String.raw`^(?<y>\d{4})[-/.](?<a>\d{1,2})[-/.](?<b>\d{1,2})${TAIL}$`)
// Year last follows the organization's setting: 03/02/2026 is March 2 (MDY) or 3 February (DMY).
const YEAR_LAST = new RegExp(String.raw`^(?<a>\d{1,2})[-/.](?<b>\d{1,2})[-/.](?<y>\d{4})${TAIL}$`)
const TWO_DIGIT_YEAR = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}(?!\d)/

function fail(code: DateErrorCode, message: string): DateTimeResult {
  return { ok: false, code, message }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

// Building a formatter is slow compared with using one; an organization has one zone.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      return null
    }
    formatters.set(timeZone, f)
  }
  return f
}

/** The zone's offset from UTC (ms, east positive) at an instant. */
function offsetAt(epochMs: number, fmt: Intl.DateTimeFormat): number {
  const floored = Math.floor(epochMs / 1000) * 1000
  const p: Record<string, number> = {}
  for (const part of fmt.formatToParts(new Date(floored))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value)
  }
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
  return wall - floored
}

// Intl is slow (tens of microseconds a call) and a million-row file has a few hundred dates.
const steadyOffsets = new Map<string, Map<number, number | null>>()

/**
 * The zone's offset for a whole wall-clock day, when it is the same a day before and two days
 * after (so no transition is near, and every wall time that day maps with it); null otherwise.
 */
function steadyOffset(wallMs: number, timeZone: string, fmt: Intl.DateTimeFormat): number | null {
  const day = Math.floor(wallMs / DAY_MS)
  let days = steadyOffsets.get(timeZone)
  if (!days) steadyOffsets.set(timeZone, (days = new Map()))
  let offset = days.get(day)
  if (offset === undefined) {
    const before = offsetAt(day * DAY_MS - DAY_MS, fmt)
    offset = before === offsetAt(day * DAY_MS + 2 * DAY_MS, fmt) ? before : null
    if (days.size >= 20_000) days.clear()
    days.set(day, offset)
  }
  return offset
}

/**
 * The instant a wall-clock time (given as if it were UTC) has in `timeZone`. Like Temporal's
 * 'compatible' disambiguation: a time repeated when clocks go back is the earlier instant; a
 * time skipped when they go forward moves forward by the gap (02:30 -> 03:30).
 */
function wallToInstant(wallMs: number, timeZone: string, fmt: Intl.DateTimeFormat): number {
  const steady = steadyOffset(wallMs, timeZone, fmt)
  if (steady !== null) return wallMs - steady
  const before = offsetAt(wallMs - DAY_MS, fmt)
  const after = offsetAt(wallMs + DAY_MS, fmt)
  const valid = [before, after].filter((o) => offsetAt(wallMs - o, fmt) === o).map((o) => wallMs - o)
  if (valid.length > 0) return Math.min(...valid)
  return wallMs - before
}

function parseOffset(zone: string): number | null {
  const z = zone.replace(/\s+/g, '').toUpperCase()
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z)
  if (!m) return null
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? '0')
  if (hours > 14 || minutes > 59) return null
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000
}

/**
 * Parses a date or date-time. Accepted: `2026-03-02`, `2026-03-02T14:05:00Z`,
 * `2026-03-02T14:05:00.123+01:00`, `2026-03-02 14:05:00 -0500`, `03/02/2026`,
 * `03/02/2026 2:05 PM`, `02.03.2026 14:05` (day order from the setting).
 */
export function parseDateTime(text: string, options: DateOptions): DateTimeResult {
  // NFKC for full-width digits; skipped for plain ASCII, which it cannot change (and it is slow).
  const s = (/^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFKC')).trim()
  if (s === '') return fail('date_empty', 'is empty; a date is required')
  const first = YEAR_FIRST.exec(s)
  const m = first ?? YEAR_LAST.exec(s)
  if (!m || !m.groups) {
    if (TWO_DIGIT_YEAR.test(s))
      return fail('date_two_digit_year', 'has a two-digit year; write the year in full, like 03/02/2026 or 2026-03-02')
    return fail('date_invalid', 'is not a date; use 2026-03-02, 2026-03-02 14:05, or the date format in the settings')
  }
  const g = m.groups
  const yearFirst = first !== null
  const year = Number(g.y)
  const a = Number(g.a)
  const b = Number(g.b)
  const [month, day] = yearFirst || options.dateOrder === 'MDY' ? [a, b] : [b, a]
  if (month < 1 || month > 12) {
    const [used, other] = options.dateOrder === 'MDY' ? ['MM/DD/YYYY', 'DD/MM/YYYY'] : ['DD/MM/YYYY', 'MM/DD/YYYY']
    const hint =
      !yearFirst && day >= 1 && day <= 12 ? ` (dates are read as ${used}; if this file uses ${other}, change the date format setting)` : ''
    return fail('date_impossible', `has month ${month}, which does not exist${hint}`)
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    return fail('date_impossible', `is ${MONTHS[month - 1]} ${day}, ${year}, which does not exist`)
  }

  const hasTime = g.h !== undefined
  let hour = hasTime ? Number(g.h) : 0
  const minute = hasTime ? Number(g.mi) : 0
  const second = g.s !== undefined ? Number(g.s) : 0
  const ms = g.frac !== undefined ? Number(g.frac.slice(0, 3).padEnd(3, '0')) : 0
  if (g.ampm !== undefined) {
    if (hour < 1 || hour > 12) return fail('time_impossible', `has hour ${hour} with AM/PM; use 1-12 with AM/PM or 0-23 without`)
    const pm = g.ampm.toUpperCase() === 'P'
    hour = (hour % 12) + (pm ? 12 : 0)
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return fail('time_impossible', `has the time ${g.h}:${g.mi}${g.s !== undefined ? ':' + g.s : ''}, which does not exist`)
  }

  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  let epochMs: number
  if (g.zone !== undefined) {
    const offset = parseOffset(g.zone)
    if (offset === null) return fail('offset_invalid', `has the offset ${JSON.stringify(g.zone)}, which is not a valid UTC offset`)
    epochMs = wallMs - offset
  } else {
    const fmt = formatterFor(options.timeZone)
    if (!fmt)
      return fail('invalid_time_zone', `cannot be placed in time: the time zone setting ${JSON.stringify(options.timeZone)} is not valid`)
    epochMs = wallToInstant(wallMs, options.timeZone, fmt)
  }
  return { ok: true, epochMs, iso: new Date(epochMs).toISOString(), hasTime, hasOffset: g.zone !== undefined }
}

export type LocalDateResult = { ok: true; date: IsoDate } | { ok: false; code: DateErrorCode; message: string }

/**
 * A calendar date (rate history changes on whole dates). A bare date is taken as written; a
 * date-time with an offset is placed on its date in the organization's time zone.
 */
export function parseLocalDate(text: string, options: DateOptions): LocalDateResult {
  const r = parseDateTime(text, options)
  if (!r.ok) return r
  const fmt = formatterFor(options.timeZone)
  if (!fmt)
    return { ok: false, code: 'invalid_time_zone', message: `the time zone setting ${JSON.stringify(options.timeZone)} is not valid` }
  // Reading the wall clock back (instead of slicing the text) also places offset values right.
  return { ok: true, date: new Date(r.epochMs + offsetAt(r.epochMs, fmt)).toISOString().slice(0, 10) }
}
