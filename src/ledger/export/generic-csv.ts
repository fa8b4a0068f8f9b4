import { payeeAccount } from '../payee'
import type { CsvOptions } from './csv-safety'
import { amountText, calendarDate, isoDate, renderColumns, type ColumnSpec } from './format-helpers'
import type { CommonExportOptions, ExportChunk, ExportFormat, Rendered } from './types'

/**
 * Our own layout: every line with its payout details, for reconciliation or a tool without a
 * preset. ISO dates and a dot decimal so it reads the same in every locale.
 */
export interface GenericCsvOptions extends CommonExportOptions, Pick<CsvOptions, 'lineEnding'> {
  /** Default true: this file is the one most often opened in Excel. */
  readonly bom?: boolean
}

interface Ctx {
  readonly batchReference: string
  readonly batchDate: string
}

function routingOrBic(line: ExportChunk['lines'][number]): string {
  const p = line.payee
  if (p.method === 'ach') return p.routingNumber
  if (p.method === 'sepa') return p.bic ?? ''
  return ''
}

export const GENERIC_COLUMNS: readonly ColumnSpec<Ctx>[] = [
  { header: 'Reference', kind: 'id', value: (l) => l.reference },
  { header: 'Batch', kind: 'id', value: (_l, c) => c.batchReference },
  { header: 'Approved On', kind: 'plain', value: (_l, c) => c.batchDate },
  { header: 'Partner', kind: 'text', value: (l) => l.partnerName },
  { header: 'Email', kind: 'text', value: (l) => l.email ?? '' },
  { header: 'Payout Method', kind: 'plain', value: (l) => l.payee.method },
  { header: 'Account', kind: 'id', value: (l) => payeeAccount(l.payee) },
  { header: 'Routing / BIC', kind: 'id', value: (l) => routingOrBic(l) },
  { header: 'Currency', kind: 'plain', value: (l) => l.currency },
  { header: 'Amount', kind: 'amount', value: (l) => amountText(l) },
  { header: 'Memo', kind: 'text', value: (l) => l.memo },
]

export const genericCsv: ExportFormat<GenericCsvOptions> = {
  id: 'generic-csv',
  label: 'Generic CSV (all lines and payout details)',
  extension: 'csv',
  mimeType: 'text/csv',
  maxRowsPerFile: null,
  currencies: null,
  methods: null,
  render(chunk: ExportChunk, options: GenericCsvOptions): Rendered {
    const ctx: Ctx = {
      batchReference: chunk.batch.reference,
      batchDate: isoDate(calendarDate(chunk.batch.approvedAt, options.timeZone)),
    }
    const content = renderColumns(GENERIC_COLUMNS, chunk.lines, ctx, {
      header: true,
      bom: options.bom ?? true,
      lineEnding: options.lineEnding ?? '\r\n',
    })
    return { ok: true, content }
  },
}
