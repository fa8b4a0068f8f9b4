import { billDates, requiredText, type BillDates } from './accounting-options'
import type { CsvOptions } from './csv-safety'
import { amountText, renderColumns, type ColumnSpec } from './format-helpers'
import type { CommonExportOptions, ExportChunk, ExportFormat, Rendered } from './types'

/**
 * Xero bills (purchases) template. The header is matched literally, asterisks included, and is
 * the purchases template, not the sales one (which adds Reference/Discount/BrandingTheme).
 */
export const XERO_HEADER = [
  '*ContactName',
  'EmailAddress',
  'POAddressLine1',
  'POAddressLine2',
  'POAddressLine3',
  'POAddressLine4',
  'POCity',
  'PORegion',
  'POPostalCode',
  'POCountry',
  '*InvoiceNumber',
  '*InvoiceDate',
  '*DueDate',
  'Total',
  'InventoryItemCode',
  'Description',
  '*Quantity',
  '*UnitAmount',
  '*AccountCode',
  '*TaxType',
  'TaxAmount',
  'TrackingName1',
  'TrackingOption1',
  'TrackingName2',
  'TrackingOption2',
  'Currency',
] as const

export interface XeroOptions extends CommonExportOptions, BillDates, Pick<CsvOptions, 'lineEnding' | 'bom'> {
  /** An existing account code in the org (e.g. `6100`). Required. */
  readonly accountCode?: string
  /** The tax rate's display name exactly as in the org (e.g. `Tax Exempt`). Required. */
  readonly taxType?: string
  readonly tracking1?: { readonly name: string; readonly option: string }
  readonly tracking2?: { readonly name: string; readonly option: string }
}

interface Ctx {
  readonly billDate: string
  readonly dueDate: string
  readonly accountCode: string
  readonly taxType: string
  readonly tracking: readonly [string, string, string, string]
}

const blank: Omit<ColumnSpec<Ctx>, 'header'> = { kind: 'plain', value: () => '' }

const VALUES: readonly Omit<ColumnSpec<Ctx>, 'header'>[] = [
  { kind: 'text', value: (l) => l.partnerName },
  { kind: 'text', value: (l) => l.email ?? '' },
  blank,
  blank,
  blank,
  blank,
  blank,
  blank,
  blank,
  blank,
  { kind: 'id', value: (l) => l.reference },
  { kind: 'plain', value: (_l, c) => c.billDate },
  { kind: 'plain', value: (_l, c) => c.dueDate },
  blank, // Total: Xero computes it
  blank,
  // Description may be blank at import but must be filled before the bill can be approved.
  { kind: 'text', value: (l) => l.memo },
  { kind: 'plain', value: () => '1' },
  { kind: 'amount', value: (l) => amountText(l) },
  { kind: 'text', value: (_l, c) => c.accountCode },
  { kind: 'text', value: (_l, c) => c.taxType },
  blank, // TaxAmount: Xero computes it
  { kind: 'text', value: (_l, c) => c.tracking[0] },
  { kind: 'text', value: (_l, c) => c.tracking[1] },
  { kind: 'text', value: (_l, c) => c.tracking[2] },
  { kind: 'text', value: (_l, c) => c.tracking[3] },
  { kind: 'plain', value: (l) => l.currency },
]

export const XERO_COLUMNS: readonly ColumnSpec<Ctx>[] = XERO_HEADER.map((header, i) => ({
  ...(VALUES[i] as Omit<ColumnSpec<Ctx>, 'header'>),
  header,
}))

export const xero: ExportFormat<XeroOptions> = {
  id: 'xero',
  label: 'Xero bills (CSV)',
  extension: 'csv',
  mimeType: 'text/csv',
  // 500 per file is documented for sales invoices; unconfirmed for bills [U], hence overridable.
  maxRowsPerFile: 500,
  currencies: null,
  methods: null,
  render(chunk: ExportChunk, options: XeroOptions): Rendered {
    const accountCode = requiredText(options.accountCode, 'accountCode')
    if (typeof accountCode !== 'string') return accountCode
    const taxType = requiredText(options.taxType, 'taxType')
    if (typeof taxType !== 'string') return taxType
    // Xero's default example is a UK org; US orgs set MM/DD/YYYY.
    const dates = billDates(chunk.batch, options, 'DD/MM/YYYY')
    if ('ok' in dates) return dates
    const t1 = options.tracking1
    const t2 = options.tracking2
    const ctx: Ctx = {
      ...dates,
      accountCode,
      taxType,
      tracking: [t1?.name ?? '', t1?.option ?? '', t2?.name ?? '', t2?.option ?? ''],
    }
    const content = renderColumns(XERO_COLUMNS, chunk.lines, ctx, {
      header: true,
      bom: options.bom ?? false,
      lineEnding: options.lineEnding ?? '\r\n',
    })
    return { ok: true, content }
  },
}
