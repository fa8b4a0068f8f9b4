import type { CsvOptions } from './csv-safety'
import { amountText, renderColumns, truncate, type ColumnSpec } from './format-helpers'
import type { CommonExportOptions, ExportChunk, ExportFormat, ExportLine, Rendered } from './types'

/**
 * PayPal Payouts Web upload: positional columns and NO header row (the first line is already
 * a recipient), one currency per file, 5,000 rows per file.
 */
export interface PayPalPayoutsOptions extends CommonExportOptions, Pick<CsvOptions, 'lineEnding'> {
  /** The sender's locale decides the separator; `,` amounts get quoted as PayPal requires. */
  readonly decimalSeparator?: '.' | ','
  /** Note cap; the API allows 4000 ASCII chars, the Web file's limit is unconfirmed [U]. */
  readonly noteMaxLength?: number
}

interface Ctx {
  readonly decimalSeparator: '.' | ','
  readonly noteMaxLength: number
}

function recipient(line: ExportLine): string {
  if (line.payee.method !== 'paypal') throw new Error(`line ${line.reference} is not a PayPal payee`)
  return line.payee.email
}

export const PAYPAL_COLUMNS: readonly ColumnSpec<Ctx>[] = [
  { header: 'Recipient', kind: 'text', value: (l) => recipient(l) },
  { header: 'Amount', kind: 'amount', value: (l, c) => amountText(l, c.decimalSeparator) },
  { header: 'Currency', kind: 'plain', value: (l) => l.currency },
  // Customer ID: max 30 characters; our references are 15 of [A-Z0-9-], no spaces.
  { header: 'Customer ID', kind: 'id', value: (l) => l.reference },
  { header: 'Note', kind: 'text', value: (l, c) => truncate(l.memo, c.noteMaxLength) },
  { header: 'Wallet', kind: 'plain', value: () => 'PAYPAL' },
]

export const paypalPayouts: ExportFormat<PayPalPayoutsOptions> = {
  id: 'paypal-payouts',
  label: 'PayPal Payouts (web upload CSV)',
  extension: 'csv',
  mimeType: 'text/csv',
  maxRowsPerFile: 5000,
  currencies: null,
  methods: ['paypal'],
  render(chunk: ExportChunk, options: PayPalPayoutsOptions): Rendered {
    const ctx: Ctx = { decimalSeparator: options.decimalSeparator ?? '.', noteMaxLength: options.noteMaxLength ?? 1000 }
    const content = renderColumns(PAYPAL_COLUMNS, chunk.lines, ctx, {
      header: false,
      bom: false,
      lineEnding: options.lineEnding ?? '\r\n',
      decimalSeparator: ctx.decimalSeparator,
    })
    return { ok: true, content }
  },
}
