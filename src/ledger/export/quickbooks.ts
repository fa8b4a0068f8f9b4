import { billDates, requiredText, type BillDates } from './accounting-options'
import type { CsvOptions } from './csv-safety'
import { amountText, renderColumns, truncate, type ColumnSpec } from './format-helpers'
import type { CommonExportOptions, ExportChunk, ExportFormat, Rendered } from './types'

/**
 * QuickBooks Online bills, one row per payout line (one bill each, Bill No = line reference).
 * QBO's own bill-import headers are unconfirmed [U]; these match the importer labels and every
 * header can be renamed, since QBO maps columns by header text.
 */
export const QBO_COLUMN_KEYS = [
  'billNo',
  'vendor',
  'billDate',
  'dueDate',
  'terms',
  'memo',
  'currency',
  'account',
  'lineDescription',
  'lineAmount',
] as const
export type QboColumnKey = (typeof QBO_COLUMN_KEYS)[number]

export const QBO_DEFAULT_HEADERS: Readonly<Record<QboColumnKey, string>> = {
  billNo: 'Bill No',
  vendor: 'Vendor',
  billDate: 'Bill Date',
  dueDate: 'Due Date',
  terms: 'Terms',
  memo: 'Memo',
  currency: 'Currency',
  account: 'Account',
  lineDescription: 'Line Description',
  lineAmount: 'Line Amount',
}

export interface QuickBooksOptions extends CommonExportOptions, BillDates, Pick<CsvOptions, 'lineEnding' | 'bom'> {
  /** Expense account name (`Parent:Child`) or number. Required: a guessed account misbooks silently. */
  readonly account?: string
  /** Terms label, e.g. `Net 14`; blank by default. */
  readonly terms?: string
  readonly headers?: Partial<Record<QboColumnKey, string>>
}

interface Ctx {
  readonly billDate: string
  readonly dueDate: string
  readonly terms: string
  readonly account: string
  readonly memo: string
}

const VALUES: Readonly<Record<QboColumnKey, Omit<ColumnSpec<Ctx>, 'header'>>> = {
  billNo: { kind: 'id', value: (l) => l.reference },
  vendor: { kind: 'text', value: (l) => l.partnerName },
  billDate: { kind: 'plain', value: (_l, c) => c.billDate },
  dueDate: { kind: 'plain', value: (_l, c) => c.dueDate },
  terms: { kind: 'text', value: (_l, c) => c.terms },
  memo: { kind: 'text', value: (_l, c) => c.memo },
  currency: { kind: 'plain', value: (l) => l.currency },
  account: { kind: 'text', value: (_l, c) => c.account },
  // QBO reports a 4000-character limit on memos; descriptions are kept well inside it.
  lineDescription: { kind: 'text', value: (l) => truncate(l.memo, 4000) },
  lineAmount: { kind: 'amount', value: (l) => amountText(l) },
}

export const quickbooks: ExportFormat<QuickBooksOptions> = {
  id: 'quickbooks',
  label: 'QuickBooks Online bills (CSV)',
  extension: 'csv',
  mimeType: 'text/csv',
  maxRowsPerFile: null,
  currencies: null,
  methods: null,
  render(chunk: ExportChunk, options: QuickBooksOptions): Rendered {
    const account = requiredText(options.account, 'account')
    if (typeof account !== 'string') return account
    const dates = billDates(chunk.batch, options, 'MM/DD/YYYY')
    if ('ok' in dates) return dates
    const ctx: Ctx = { ...dates, terms: options.terms ?? '', account, memo: `Payout batch ${chunk.batch.reference}` }
    const columns = QBO_COLUMN_KEYS.map((key) => ({ ...VALUES[key], header: options.headers?.[key] ?? QBO_DEFAULT_HEADERS[key] }))
    const content = renderColumns(columns, chunk.lines, ctx, {
      header: true,
      bom: options.bom ?? false,
      lineEnding: options.lineEnding ?? '\r\n',
    })
    return { ok: true, content }
  },
}
