import { createHash } from 'node:crypto'
import { isKnownCurrency } from '../currency'
import { customTemplate } from './custom-template'
import { LINE_REFERENCE_PATTERN, chunkTotal } from './format-helpers'
import { genericCsv } from './generic-csv'
import { nacha } from './nacha'
import { pain001 } from './pain001'
import { paypalPayouts } from './paypal-payouts'
import { quickbooks } from './quickbooks'
import {
  exportError,
  type CommonExportOptions,
  type ExportBatch,
  type ExportChunk,
  type ExportError,
  type ExportFile,
  type ExportFormat,
  type ExportLine,
} from './types'
import { wise } from './wise'
import { xero } from './xero'
import { xlsx } from './xlsx'
import { zip, type ZipOptions } from './zip'

export * from './types'
export { lineReference } from './format-helpers'
export * from './from-batch'

/** Every preset by id. The UI lists these; an id from a request is looked up here. */
export const EXPORT_FORMATS = {
  'generic-csv': genericCsv,
  quickbooks,
  xero,
  'paypal-payouts': paypalPayouts,
  wise,
  nacha,
  pain001,
  'custom-template': customTemplate,
  xlsx,
} as const

export type ExportFormatId = keyof typeof EXPORT_FORMATS
export type ExportOptionsFor<F extends ExportFormatId> = (typeof EXPORT_FORMATS)[F] extends ExportFormat<infer O> ? O : never

export function isExportFormatId(value: string): value is ExportFormatId {
  return Object.prototype.hasOwnProperty.call(EXPORT_FORMATS, value)
}

export interface SkippedLine {
  readonly reference: string
  readonly currency: string
  readonly amountMinor: bigint
  readonly reason: 'payout_method_not_in_format' | 'currency_not_in_format'
}

export interface ExportResult {
  readonly ok: true
  readonly files: readonly ExportFile[]
  readonly skipped: readonly SkippedLine[]
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function validateLines(lines: readonly ExportLine[]): ExportError | null {
  if (lines.length === 0) return exportError('empty_batch', 'no lines')
  const seen = new Set<string>()
  for (const l of lines) {
    if (!LINE_REFERENCE_PATTERN.test(l.reference)) return exportError('invalid_reference', l.reference)
    if (seen.has(l.reference)) return exportError('duplicate_reference', l.reference)
    seen.add(l.reference)
    // Bills and bank credits have no negative lines: reversals are netted before a line exists.
    if (l.amountMinor <= 0n) return exportError('amount_not_positive', l.reference)
    if (!isKnownCurrency(l.currency)) return exportError('currency_not_supported', `${l.reference}: ${l.currency}`)
  }
  return null
}

function skipReason<O>(format: ExportFormat<O>, line: ExportLine): SkippedLine['reason'] | null {
  if (format.currencies !== null && !format.currencies.includes(line.currency)) return 'currency_not_in_format'
  if (format.methods !== null && !format.methods.includes(line.payee.method)) return 'payout_method_not_in_format'
  if (format.linePayable !== undefined && !format.linePayable(line)) return 'payout_method_not_in_format'
  return null
}

function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '') || 'batch'
}

function chunksOf(batch: ExportBatch, lines: readonly ExportLine[], maxRows: number | null): ExportChunk[] {
  const byCurrency = new Map<string, ExportLine[]>()
  for (const l of lines) {
    const list = byCurrency.get(l.currency)
    if (list) list.push(l)
    else byCurrency.set(l.currency, [l])
  }
  const chunks: ExportChunk[] = []
  for (const currency of [...byCurrency.keys()].sort(compareText)) {
    const all = byCurrency.get(currency) ?? []
    const size = maxRows ?? all.length
    const partCount = Math.ceil(all.length / size)
    for (let part = 1; part <= partCount; part++) {
      chunks.push({ batch, currency, lines: all.slice((part - 1) * size, part * size), part, partCount })
    }
  }
  return chunks
}

/**
 * Renders an approved batch in one format: one file per currency, split at the format's row
 * limit. The caller has already passed the batch through `transition(..., 'export')`, which is
 * where approval state and the content hash are enforced.
 */
export function renderExport<F extends ExportFormatId>(
  formatId: F,
  batch: ExportBatch,
  options: ExportOptionsFor<F>,
): ExportResult | ExportError {
  if (!isExportFormatId(formatId)) return exportError('unknown_format', String(formatId))
  const format = EXPORT_FORMATS[formatId] as unknown as ExportFormat<ExportOptionsFor<F>>
  const common: CommonExportOptions = options as CommonExportOptions
  const invalid = validateLines(batch.lines)
  if (invalid) return invalid

  const payable: ExportLine[] = []
  const skipped: SkippedLine[] = []
  for (const line of batch.lines) {
    const reason = skipReason(format, line)
    if (reason === null) payable.push(line)
    else skipped.push({ reference: line.reference, currency: line.currency, amountMinor: line.amountMinor, reason })
  }
  if (skipped.length > 0 && common.allowPartial !== true) {
    return exportError('lines_not_payable_by_format', skipped.map((s) => s.reference).join(', '))
  }
  if (payable.length === 0) return exportError('lines_not_payable_by_format', 'no line is payable by this format')

  const maxRows = common.maxRowsPerFile ?? format.maxRowsPerFile
  if (maxRows !== null && (!Number.isSafeInteger(maxRows) || maxRows < 1)) return exportError('invalid_option', 'maxRowsPerFile')

  const files: ExportFile[] = []
  for (const chunk of chunksOf(batch, payable, maxRows)) {
    const rendered = format.render(chunk, options)
    if (!rendered.ok) return rendered
    const totalMinor = chunkTotal(chunk)
    if (rendered.totalMinor !== undefined && rendered.totalMinor !== totalMinor) {
      throw new Error(`${format.id}: file control total ${rendered.totalMinor} != lines ${totalMinor}`)
    }
    const content = typeof rendered.content === 'string' ? Buffer.from(rendered.content, 'utf8') : rendered.content
    const part = chunk.partCount > 1 ? `_part${chunk.part}of${chunk.partCount}` : ''
    files.push({
      name: `${fileSafe(batch.reference)}_${format.id}_${chunk.currency}${part}.${format.extension}`,
      content,
      rows: chunk.lines.length,
      totalMinor,
      currency: chunk.currency,
      sha256: createHash('sha256').update(content).digest('hex'),
      mimeType: format.mimeType,
    })
  }
  assertTotalsReconcile(batch.lines, files, skipped)
  return { ok: true, files, skipped }
}

/** Files plus skipped lines must account for the whole batch, per currency, to the minor unit. */
function assertTotalsReconcile(lines: readonly ExportLine[], files: readonly ExportFile[], skipped: readonly SkippedLine[]) {
  const balance = new Map<string, bigint>()
  const add = (c: string, v: bigint) => balance.set(c, (balance.get(c) ?? 0n) + v)
  for (const l of lines) add(l.currency, l.amountMinor)
  for (const f of files) add(f.currency, -f.totalMinor)
  for (const s of skipped) add(s.currency, -s.amountMinor)
  for (const [currency, diff] of balance) {
    if (diff !== 0n) throw new Error(`export does not reconcile in ${currency}: off by ${diff}`)
  }
}

/** One download for several files (e.g. a currency split); reproducible bytes when stored. */
export function bundleFiles(name: string, files: readonly ExportFile[], options: ZipOptions = {}) {
  const content = zip(
    files.map((f) => ({ name: f.name, content: f.content })),
    options,
  )
  return { name, content, sha256: createHash('sha256').update(content).digest('hex'), mimeType: 'application/zip' }
}
