import { formatMinor } from '../money'
import { writeCsv, type Cell, type CellKind, type CsvOptions } from './csv-safety'
import type { ExportChunk, ExportLine } from './types'

/** A calendar date in the organization's zone; files carry dates, not instants. */
export interface CalendarDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

export function calendarDate(instant: Date, timeZone = 'UTC'): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(instant)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: get('year'), month: get('month'), day: get('day') }
}

/** Wall-clock time in the zone, for NACHA creation time and pain.001 CreDtTm. */
export function wallClock(instant: Date, timeZone = 'UTC'): { hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { hour: get('hour'), minute: get('minute'), second: get('second') }
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export function parseIsoDate(value: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return null
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
  const round = addDays(date, 0)
  return round.year === date.year && round.month === date.month && round.day === date.day ? date : null
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** Tokens YYYY, YY, MM, DD, M, D; anything else is copied. Dates are a per-org setting. */
export function formatDate(date: CalendarDate, pattern: string): string {
  return pattern.replace(/YYYY|YY|MM|DD|M|D/g, (token) => {
    switch (token) {
      case 'YYYY':
        return pad(date.year, 4)
      case 'YY':
        return pad(date.year % 100, 2)
      case 'MM':
        return pad(date.month, 2)
      case 'DD':
        return pad(date.day, 2)
      case 'M':
        return String(date.month)
      default:
        return String(date.day)
    }
  })
}

/** Year, month and day each once, starting with a token, separated by . / - or space. */
export function isValidDatePattern(pattern: string): boolean {
  return (
    /^(YYYY|YY|MM|M|DD|D)([./ -]?(YYYY|YY|MM|M|DD|D)){2}$/.test(pattern) &&
    (pattern.match(/Y+/g) ?? []).length === 1 &&
    (pattern.match(/M+/g) ?? []).length === 1 &&
    (pattern.match(/D+/g) ?? []).length === 1
  )
}

export const isoDate = (date: CalendarDate) => formatDate(date, 'YYYY-MM-DD')

const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
}

const ASCII = /^[\x00-\x7f]*$/

/**
 * Reduces text to `allowed`: accents dropped (é -> e), a few letters spelled out (ß -> ss),
 * anything else becomes a space; runs of spaces collapse. Banks reject or mangle characters
 * outside their set, so we choose the replacement instead of the bank.
 */
export function transliterate(value: string, allowed: RegExp): string {
  let out = ''
  // ASCII has no accents to drop nor letters to spell out: only the per-character check applies.
  const decomposed = ASCII.test(value) ? value : value.normalize('NFKD').replace(/\p{M}/gu, '')
  for (const ch of decomposed) {
    const mapped = SPECIAL_LETTERS[ch] ?? ch
    for (const c of mapped) out += allowed.test(c) ? c : ' '
  }
  return out.replace(/ {2,}/g, ' ').trim()
}

/** Cuts to at most `max` characters on a code-point boundary. */
export function truncate(value: string, max: number): string {
  const chars = [...value]
  return chars.length <= max ? value : chars.slice(0, max).join('')
}

/**
 * `PO-<batch 6 digits>-<line 5 digits>`: exactly 15 characters of [A-Z0-9-], starting with a
 * letter, so one reference fits NACHA (15), PayPal (30), SEPA (35) and QBO (21) unchanged.
 * Returns null when the numbers outgrow the width (a million batches, 100k lines).
 */
export function lineReference(batchNumber: number, lineNo: number): string | null {
  if (!Number.isSafeInteger(batchNumber) || !Number.isSafeInteger(lineNo) || batchNumber < 0 || lineNo < 1) return null
  const ref = `PO-${pad(batchNumber, 6)}-${pad(lineNo, 5)}`
  return ref.length <= 15 ? ref : null
}

export const LINE_REFERENCE_PATTERN = /^[A-Z][A-Z0-9-]{0,14}$/

/** A declarative column: header text, cell kind, and how to read the value off a line. */
export interface ColumnSpec<C> {
  readonly header: string
  readonly kind: CellKind
  readonly value: (line: ExportLine, ctx: C) => string
}

export function renderColumns<C>(
  columns: readonly ColumnSpec<C>[],
  lines: readonly ExportLine[],
  ctx: C,
  options: CsvOptions & { readonly header: boolean },
): string {
  const rows: Cell[][] = lines.map((line) => columns.map((c) => ({ kind: c.kind, value: c.value(line, ctx) })))
  return writeCsv(options.header ? columns.map((c) => c.header) : null, rows, options)
}

export function amountText(line: ExportLine, decimalSeparator: '.' | ',' = '.'): string {
  return formatMinor(line.amountMinor, line.currency, decimalSeparator)
}

/** Sum of a chunk, the figure every file's own total must equal. */
export function chunkTotal(chunk: ExportChunk): bigint {
  return chunk.lines.reduce((sum, l) => sum + l.amountMinor, 0n)
}
