/**
 * Calendar dates for the ledger. Business rules speak of dates ("the conversion's date", "the
 * calendar month", "one day"), and which date an instant falls on depends on the organization's
 * time zone. Dates are plain 'YYYY-MM-DD' strings so that day arithmetic is done on the UTC
 * calendar and can never be shifted by a daylight-saving change.
 */

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value)
  if (!m) return false
  const [, y, mo, d] = m
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  // Round-tripping refuses 2026-02-30, which Date.UTC would quietly roll into March.
  return t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(mo) - 1 && t.getUTCDate() === Number(d)
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

// Building a formatter is slow compared with using one; a program has one or two zones.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    formatters.set(timeZone, f)
  }
  return f
}

/** The calendar date an instant falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): IsoDate {
  const ms = instant.getTime()
  if (Number.isNaN(ms)) throw new Error('localDate: invalid Date')
  // Imports ask this several times per row; formatToParts costs tens of microseconds a call. Within
  // one UTC hour whose two ends have the same offset the zone has no transition (tzdata never has
  // two within an hour), so the date is the UTC date of the instant shifted by that offset.
  if (ms >= FAST_FROM_MS && ms < FAST_TO_MS) {
    const off = hourOffset(Math.floor(ms / HOUR_MS), timeZone)
    if (!Number.isNaN(off)) return isoDateOfDay(Math.floor((ms + off) / DAY_MS))
  }
  return formatLocalDate(instant, timeZone)
}

function formatLocalDate(instant: Date, timeZone: string): IsoDate {
  const parts = formatterFor(timeZone).formatToParts(instant)
  const get = (type: string): string => {
    const p = parts.find((x) => x.type === type)
    if (!p) throw new Error(`localDate: no ${type} part`)
    return p.value
  }
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`
}

const HOUR_MS = 3_600_000
/** The fast path is kept to 1970-2199: no Julian calendar, no two-digit years in Date.UTC. */
const FAST_FROM_MS = 0
const FAST_TO_MS = Date.UTC(2200, 0, 1)
/** Zone -> UTC hour number -> the zone's offset through that hour, NaN when it changes within it. */
const hourOffsets = new Map<string, Map<number, number>>()

function hourOffset(hour: number, timeZone: string): number {
  let zone = hourOffsets.get(timeZone)
  if (!zone) {
    zone = new Map()
    hourOffsets.set(timeZone, zone)
  }
  let off = zone.get(hour)
  if (off === undefined) {
    const start = hour * HOUR_MS
    const a = zoneOffsetMs(new Date(start), timeZone)
    const b = zoneOffsetMs(new Date(start + HOUR_MS - 1000), timeZone)
    off = a === b ? a : Number.NaN
    if (zone.size > 200_000) zone.clear()
    zone.set(hour, off)
  }
  return off
}

/** Day number since 1970-01-01 -> 'YYYY-MM-DD'. */
const dayIsos = new Map<number, IsoDate>()

function isoDateOfDay(day: number): IsoDate {
  let iso = dayIsos.get(day)
  if (iso === undefined) {
    iso = new Date(day * DAY_MS).toISOString().slice(0, 10)
    if (dayIsos.size > 200_000) dayIsos.clear()
    dayIsos.set(day, iso)
  }
  return iso
}

/** An instant is placed on its local date; a date given as a date is taken as it is. */
export function toLocalDate(value: Date | IsoDate, timeZone: string): IsoDate {
  if (value instanceof Date) return localDate(value, timeZone)
  toUtcMs(value)
  return value
}

/** Valid dates seen -> their UTC midnight: checking a date costs a regex and a Date, and imports repeat a few hundred. */
const utcMidnights = new Map<IsoDate, number>()

function toUtcMs(date: IsoDate): number {
  const known = utcMidnights.get(date)
  if (known !== undefined) return known
  if (!isIsoDate(date)) throw new Error(`not an ISO date: ${JSON.stringify(date)}`)
  const ms = Date.parse(`${date}T00:00:00Z`)
  if (utcMidnights.size > 200_000) utcMidnights.clear()
  utcMidnights.set(date, ms)
  return ms
}

const DAY_MS = 86_400_000

export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new Error('addDays: days must be an integer')
  const ms = toUtcMs(date) + days * DAY_MS
  // Beyond 1970-2199 toISOString's own form (and its error for out-of-range dates) is kept.
  if (ms >= FAST_FROM_MS && ms < FAST_TO_MS) return isoDateOfDay(ms / DAY_MS)
  return new Date(ms).toISOString().slice(0, 10)
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  // Both are UTC midnights, which have no DST, so the difference is an exact multiple of a day.
  return (toUtcMs(to) - toUtcMs(from)) / DAY_MS
}

/** 'YYYY-MM' of a date: the calendar month key used for tiers. */
export function monthOf(date: IsoDate): string {
  toUtcMs(date)
  return date.slice(0, 7)
}

const instantFormatters = new Map<string, Intl.DateTimeFormat>()

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms (whole seconds). */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  let f = instantFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    instantFormatters.set(timeZone, f)
  }
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]))
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
  return wall - Math.floor(instant.getTime() / 1000) * 1000
}

/**
 * The first instant of a local date in `timeZone`: where "eligible on 2026-12-01" starts. Where a
 * daylight-saving jump skips midnight, the date starts at the first wall-clock time that exists.
 */
export function startOfLocalDate(date: IsoDate, timeZone: string): Date {
  // Imports ask for the same few hundred dates thousands of times; each answer costs several Intl calls.
  const key = `${timeZone} ${date}`
  const known = dayStarts.get(key)
  if (known !== undefined) return new Date(known)
  if (dayStarts.size > 50_000) dayStarts.clear()
  const start = computeStartOfLocalDate(date, timeZone)
  dayStarts.set(key, start.getTime())
  return start
}

const dayStarts = new Map<string, number>()

function computeStartOfLocalDate(date: IsoDate, timeZone: string): Date {
  const midnightUtc = toUtcMs(date)
  let t = midnightUtc - zoneOffsetMs(new Date(midnightUtc), timeZone)
  // A second pass corrects a guess made on the other side of a DST change.
  t = midnightUtc - zoneOffsetMs(new Date(t), timeZone)
  while (localDate(new Date(t), timeZone) < date) t += 15 * 60_000
  while (localDate(new Date(t - 15 * 60_000), timeZone) === date) t -= 15 * 60_000
  return new Date(t)
}
