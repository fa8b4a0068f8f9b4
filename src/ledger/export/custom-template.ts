import { payeeAccount } from '../payee'
import type { CellKind, CsvOptions } from './csv-safety'
import { amountText, calendarDate, formatDate, isValidDatePattern, renderColumns, type ColumnSpec } from './format-helpers'
import { exportError, type CommonExportOptions, type ExportChunk, type ExportFormat, type ExportLine, type Rendered } from './types'

/**
 * A user-defined CSV for tools without a preset: choose, rename and order the fields, pick the
 * date format, decimal separator, delimiter, header row and BOM. The fields are a fixed menu
 * so a template can never reach a value we did not mean to export.
 */
interface Ctx {
  readonly batchReference: string
  readonly batchDate: string
  readonly decimalSeparator: '.' | ','
}

function bankField(line: ExportLine, key: 'iban' | 'bic' | 'routing' | 'account' | 'accountType'): string {
  const p = line.payee
  switch (key) {
    case 'iban':
      return p.method === 'sepa' ? p.iban : p.method === 'wise' ? (p.iban ?? '') : ''
    case 'bic':
      return p.method === 'sepa' ? (p.bic ?? '') : ''
    case 'routing':
      return p.method === 'ach' ? p.routingNumber : ''
    case 'account':
      return p.method === 'ach' ? p.accountNumber : ''
    case 'accountType':
      return p.method === 'ach' ? p.accountType : ''
  }
}

export const CUSTOM_FIELDS = {
  reference: { kind: 'id', label: 'Reference', value: (l) => l.reference },
  batch_reference: { kind: 'id', label: 'Batch', value: (_l, c) => c.batchReference },
  batch_date: { kind: 'plain', label: 'Date', value: (_l, c) => c.batchDate },
  partner_name: { kind: 'text', label: 'Partner', value: (l) => l.partnerName },
  email: { kind: 'text', label: 'Email', value: (l) => l.email ?? '' },
  payout_method: { kind: 'plain', label: 'Method', value: (l) => l.payee.method },
  payout_account: { kind: 'id', label: 'Account', value: (l) => payeeAccount(l.payee) },
  holder_name: { kind: 'text', label: 'Account Holder', value: (l) => (l.payee.method === 'paypal' ? l.partnerName : l.payee.holderName) },
  paypal_email: { kind: 'text', label: 'PayPal Email', value: (l) => (l.payee.method === 'paypal' ? l.payee.email : '') },
  iban: { kind: 'id', label: 'IBAN', value: (l) => bankField(l, 'iban') },
  bic: { kind: 'id', label: 'BIC', value: (l) => bankField(l, 'bic') },
  routing_number: { kind: 'id', label: 'Routing Number', value: (l) => bankField(l, 'routing') },
  account_number: { kind: 'id', label: 'Account Number', value: (l) => bankField(l, 'account') },
  account_type: { kind: 'plain', label: 'Account Type', value: (l) => bankField(l, 'accountType') },
  currency: { kind: 'plain', label: 'Currency', value: (l) => l.currency },
  amount: { kind: 'amount', label: 'Amount', value: (l, c) => amountText(l, c.decimalSeparator) },
  memo: { kind: 'text', label: 'Memo', value: (l) => l.memo },
} as const satisfies Record<string, { kind: CellKind; label: string; value: ColumnSpec<Ctx>['value'] }>

export type CustomField = keyof typeof CUSTOM_FIELDS

export interface CustomColumn {
  readonly field: CustomField
  /** Header text; default the field's label. */
  readonly header?: string
}

export interface CustomTemplateOptions extends CommonExportOptions, Pick<CsvOptions, 'lineEnding' | 'delimiter'> {
  readonly columns?: readonly CustomColumn[]
  readonly dateFormat?: string
  readonly decimalSeparator?: '.' | ','
  readonly header?: boolean
  readonly bom?: boolean
}

export const customTemplate: ExportFormat<CustomTemplateOptions> = {
  id: 'custom-template',
  label: 'Custom CSV template',
  extension: 'csv',
  mimeType: 'text/csv',
  maxRowsPerFile: null,
  currencies: null,
  methods: null,
  render(chunk: ExportChunk, options: CustomTemplateOptions): Rendered {
    const columns = options.columns ?? []
    if (columns.length === 0) return exportError('missing_option', 'columns')
    const unknown = columns.find((c) => !Object.prototype.hasOwnProperty.call(CUSTOM_FIELDS, c.field))
    if (unknown) return exportError('invalid_option', `columns: ${String(unknown.field)}`)
    const decimalSeparator = options.decimalSeparator ?? '.'
    const dateFormat = options.dateFormat ?? 'YYYY-MM-DD'
    if (!isValidDatePattern(dateFormat)) return exportError('invalid_option', 'dateFormat')
    const ctx: Ctx = {
      batchReference: chunk.batch.reference,
      batchDate: formatDate(calendarDate(chunk.batch.approvedAt, options.timeZone), dateFormat),
      decimalSeparator,
    }
    const specs: ColumnSpec<Ctx>[] = columns.map((c) => {
      const f = CUSTOM_FIELDS[c.field]
      return { header: c.header ?? f.label, kind: f.kind, value: f.value }
    })
    const content = renderColumns(specs, chunk.lines, ctx, {
      header: options.header ?? true,
      bom: options.bom ?? false,
      lineEnding: options.lineEnding ?? '\r\n',
      delimiter: options.delimiter ?? ',',
      decimalSeparator,
    })
    return { ok: true, content }
  },
}
