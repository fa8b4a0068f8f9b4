import { isValidRoutingNumber } from '../payee'
import { calendarDate, formatDate, parseIsoDate, transliterate, wallClock } from './format-helpers'
import {
  exportError,
  type CommonExportOptions,
  type ExportChunk,
  type ExportError,
  type ExportFormat,
  type ExportLine,
  type Rendered,
} from './types'

/**
 * NACHA ACH file of PPD (or CCD) credits: 94-character records, one batch of service class 220
 * (credits only), blocked to a multiple of 10 lines with 9-filled records. Amounts are cents
 * from bigint, never through a float. Every origin/destination field is bank-assigned and
 * per organization, so they are required options with no defaults.
 */
export interface NachaOptions extends CommonExportOptions {
  /** Routing number of the bank receiving the file (9 digits, check digit validated). */
  readonly immediateDestination?: string
  readonly immediateDestinationName?: string
  /** Bank-assigned, 10 characters; 9 digits are right-justified with a leading space. */
  readonly immediateOrigin?: string
  readonly immediateOriginName?: string
  readonly companyName?: string
  /** Bank-assigned, often `1` + EIN. */
  readonly companyIdentification?: string
  /** First 8 digits of the ODFI routing number (a 9-digit routing number is accepted). */
  readonly originatingDfi?: string
  /** YYYY-MM-DD; should be a banking day, which this pure module cannot know. */
  readonly effectiveEntryDate?: string
  readonly companyEntryDescription?: string
  readonly companyDiscretionaryData?: string
  readonly companyDescriptiveDate?: string
  /** Creation date/time in the file header; default the batch's approval time. */
  readonly createdAt?: Date
  /** A-Z/0-9, distinguishes files sent the same day; split parts count up from it. Default A. */
  readonly fileIdModifier?: string
  readonly referenceCode?: string
  /** PPD for consumers (default), CCD for businesses. */
  readonly secCode?: 'PPD' | 'CCD'
  /** CRLF vs LF is up to the bank [U]. Default LF. */
  readonly lineEnding?: '\n' | '\r\n'
}

export const NACHA_LINE_LENGTH = 94
const MAX_ENTRY_CENTS = 9_999_999_999n // 10-digit field
const MAX_TOTAL_CENTS = 999_999_999_999n // 12-digit field
const HASH_MODULUS = 10_000_000_000n // keep the rightmost 10 digits
const FILE_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** NACHA alphanumeric: printable ASCII, upper case by convention; left-justified, space-filled. */
export function alpha(value: string, width: number): string {
  return transliterate(value, /^[ -~]$/)
    .toUpperCase()
    .slice(0, width)
    .padEnd(width, ' ')
}

export function num(value: bigint | number, width: number): string {
  const s = value.toString()
  if (!/^\d+$/.test(s) || s.length > width) throw new Error(`NACHA numeric ${s} does not fit ${width}`)
  return s.padStart(width, '0')
}

export function entryHash(routingNumbers: readonly string[]): bigint {
  return routingNumbers.reduce((sum, r) => sum + BigInt(r.slice(0, 8)), 0n) % HASH_MODULUS
}

type Settings = Required<
  Pick<
    NachaOptions,
    | 'immediateDestination'
    | 'immediateDestinationName'
    | 'immediateOrigin'
    | 'immediateOriginName'
    | 'companyName'
    | 'companyIdentification'
    | 'originatingDfi'
    | 'effectiveEntryDate'
  >
>

const REQUIRED: readonly (keyof Settings)[] = [
  'immediateDestination',
  'immediateDestinationName',
  'immediateOrigin',
  'immediateOriginName',
  'companyName',
  'companyIdentification',
  'originatingDfi',
  'effectiveEntryDate',
]

function achPayee(line: ExportLine) {
  if (line.payee.method !== 'ach') throw new Error(`line ${line.reference} is not an ACH payee`)
  return line.payee
}

function validateOptions(options: NachaOptions): { ok: true; s: Settings; odfi: string; origin: string } | ExportError {
  for (const key of REQUIRED) {
    if ((options[key] ?? '').trim() === '') return exportError('missing_option', key)
  }
  const s = options as Settings
  if (!isValidRoutingNumber(s.immediateDestination)) return exportError('invalid_option', 'immediateDestination')
  const odfiRaw = s.originatingDfi.trim()
  const odfi = /^\d{9}$/.test(odfiRaw) && isValidRoutingNumber(odfiRaw) ? odfiRaw.slice(0, 8) : odfiRaw
  if (!/^\d{8}$/.test(odfi)) return exportError('invalid_option', 'originatingDfi')
  const originRaw = s.immediateOrigin.trim()
  const origin = /^\d{9}$/.test(originRaw) ? ` ${originRaw}` : originRaw
  if (!/^[ 0-9A-Z]{10}$/.test(origin)) return exportError('invalid_option', 'immediateOrigin')
  if (!/^[0-9A-Z ]{1,10}$/.test(s.companyIdentification.trim())) return exportError('invalid_option', 'companyIdentification')
  if (parseIsoDate(s.effectiveEntryDate) === null) return exportError('invalid_option', 'effectiveEntryDate')
  if (options.fileIdModifier !== undefined && !/^[A-Z0-9]$/.test(options.fileIdModifier)) {
    return exportError('invalid_option', 'fileIdModifier')
  }
  return { ok: true, s, odfi, origin }
}

export function renderNacha(chunk: ExportChunk, options: NachaOptions): Rendered {
  const v = validateOptions(options)
  if (!v.ok) return v
  const { s, odfi, origin } = v
  const tz = options.timeZone
  const created = options.createdAt ?? chunk.batch.approvedAt
  const day = calendarDate(created, tz)
  const clock = wallClock(created, tz)
  const effective = parseIsoDate(s.effectiveEntryDate)
  if (effective === null) throw new Error('validated above')
  const modifierIndex = FILE_ID_CHARS.indexOf(options.fileIdModifier ?? 'A') + chunk.part - 1
  const fileIdModifier = FILE_ID_CHARS[modifierIndex]
  if (fileIdModifier === undefined) return exportError('invalid_option', 'fileIdModifier')
  const sec = options.secCode ?? 'PPD'
  const companyId = alpha(s.companyIdentification, 10)
  const batchNumber = num(1, 7)

  const records: string[] = []
  records.push(
    '1' +
      '01' +
      ` ${s.immediateDestination}` +
      origin +
      formatDate(day, 'YYMMDD') +
      num(clock.hour, 2) +
      num(clock.minute, 2) +
      fileIdModifier +
      '094' +
      '10' +
      '1' +
      alpha(s.immediateDestinationName, 23) +
      alpha(s.immediateOriginName, 23) +
      alpha(options.referenceCode ?? '', 8),
  )
  records.push(
    '5' +
      '220' +
      alpha(s.companyName, 16) +
      alpha(options.companyDiscretionaryData ?? '', 20) +
      companyId +
      sec +
      alpha(options.companyEntryDescription ?? 'COMMISSION', 10) +
      alpha(options.companyDescriptiveDate ?? '', 6) +
      formatDate(effective, 'YYMMDD') +
      '   ' +
      '1' +
      odfi +
      batchNumber,
  )

  let creditsCents = 0n
  const routings: string[] = []
  for (const [i, line] of chunk.lines.entries()) {
    const p = achPayee(line)
    if (line.currency !== 'USD') throw new Error(`line ${line.reference}: NACHA chunk is not USD`)
    if (line.amountMinor > MAX_ENTRY_CENTS) return exportError('amount_too_large', line.reference)
    // Re-checked here, not only at onboarding: the bank rejects the whole file for one bad digit.
    if (!isValidRoutingNumber(p.routingNumber)) return exportError('invalid_payee', `routing number of ${line.reference}`)
    creditsCents += line.amountMinor
    routings.push(p.routingNumber)
    records.push(
      '6' +
        (p.accountType === 'savings' ? '32' : '22') +
        p.routingNumber +
        alpha(p.accountNumber, 17) +
        num(line.amountMinor, 10) +
        alpha(line.reference, 15) +
        alpha(p.holderName, 22) +
        '  ' +
        '0' +
        odfi +
        num(i + 1, 7),
    )
  }
  if (creditsCents > MAX_TOTAL_CENTS) return exportError('amount_too_large', 'batch total')

  const count = chunk.lines.length
  const hash = num(entryHash(routings), 10)
  records.push(
    '8' +
      '220' +
      num(count, 6) +
      hash +
      num(0, 12) +
      num(creditsCents, 12) +
      companyId +
      ' '.repeat(19) +
      ' '.repeat(6) +
      odfi +
      batchNumber,
  )
  // The file control counts itself, so the block count is taken over the padded total.
  const unpadded = records.length + 1
  const blocks = Math.ceil(unpadded / 10)
  records.push('9' + num(1, 6) + num(blocks, 6) + num(count, 8) + hash + num(0, 12) + num(creditsCents, 12) + ' '.repeat(39))
  while (records.length % 10 !== 0) records.push('9'.repeat(NACHA_LINE_LENGTH))

  for (const r of records) {
    if (r.length !== NACHA_LINE_LENGTH) throw new Error(`NACHA record of ${r.length} chars: ${r}`)
  }
  const eol = options.lineEnding ?? '\n'
  return { ok: true, content: records.join(eol) + eol, totalMinor: creditsCents }
}

export const nacha: ExportFormat<NachaOptions> = {
  id: 'nacha',
  label: 'NACHA ACH credits (PPD/CCD)',
  extension: 'ach',
  mimeType: 'text/plain',
  maxRowsPerFile: null,
  currencies: ['USD'],
  methods: ['ach'],
  render: renderNacha,
}
