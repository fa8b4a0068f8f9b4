import type { CsvOptions } from './csv-safety'
import { amountText, renderColumns, truncate, type ColumnSpec } from './format-helpers'
import type { CommonExportOptions, ExportChunk, ExportFormat, ExportLine, Rendered } from './types'

/**
 * Wise batch payment, "send to bank accounts" template with the IBAN route. Headers must not
 * be renamed. Other routes' bank columns (ABA, sort code) are unconfirmed [U], so payees
 * without an IBAN are not payable by this preset.
 */
export interface WiseOptions extends CommonExportOptions, Pick<CsvOptions, 'lineEnding'> {
  /** The balance currency the batch is funded from; default = the line's currency. */
  readonly sourceCurrency?: string
  /** `target`: the partner receives exactly the amount (we pay fees). Default target. */
  readonly amountCurrency?: 'source' | 'target'
  /** Reference cap; implementations use 35 but routes vary [U]. */
  readonly referenceMaxLength?: number
}

interface Ctx {
  readonly sourceCurrency: string | null
  readonly amountCurrency: 'source' | 'target'
}

function wisePayee(line: ExportLine) {
  if (line.payee.method !== 'wise' || line.payee.iban === null) throw new Error(`line ${line.reference} has no Wise IBAN`)
  return line.payee
}

export const WISE_COLUMNS: readonly ColumnSpec<Ctx>[] = [
  { header: 'name', kind: 'text', value: (l) => wisePayee(l).holderName },
  { header: 'recipientEmail', kind: 'text', value: (l) => wisePayee(l).email },
  { header: 'paymentReference', kind: 'id', value: (l) => l.reference },
  { header: 'receiverType', kind: 'plain', value: (l) => wisePayee(l).receiverType },
  { header: 'amountCurrency', kind: 'plain', value: (_l, c) => c.amountCurrency },
  { header: 'amount', kind: 'amount', value: (l) => amountText(l) },
  { header: 'sourceCurrency', kind: 'plain', value: (l, c) => c.sourceCurrency ?? l.currency },
  { header: 'targetCurrency', kind: 'plain', value: (l) => l.currency },
  { header: 'IBAN', kind: 'id', value: (l) => wisePayee(l).iban ?? '' },
]

export const wise: ExportFormat<WiseOptions> = {
  id: 'wise',
  label: 'Wise batch payments (CSV, IBAN route)',
  extension: 'csv',
  mimeType: 'text/csv',
  maxRowsPerFile: 1000,
  currencies: null,
  methods: ['wise'],
  linePayable: (line) => line.payee.method === 'wise' && line.payee.iban !== null,
  render(chunk: ExportChunk, options: WiseOptions): Rendered {
    const max = options.referenceMaxLength ?? 35
    const long = chunk.lines.find((l) => truncate(l.reference, max) !== l.reference)
    if (long) return { ok: false, code: 'text_too_long', detail: `paymentReference ${long.reference}` }
    if (options.sourceCurrency !== undefined && !/^[A-Z]{3}$/.test(options.sourceCurrency)) {
      return { ok: false, code: 'invalid_option', detail: 'sourceCurrency' }
    }
    // With `source`, Wise reads `amount` in the source currency; our amounts are in the line's
    // currency, so that is only right when no other source currency is named.
    if ((options.amountCurrency ?? 'target') !== 'target' && options.sourceCurrency !== undefined) {
      return { ok: false, code: 'invalid_option', detail: 'amountCurrency' }
    }
    const ctx: Ctx = { sourceCurrency: options.sourceCurrency ?? null, amountCurrency: options.amountCurrency ?? 'target' }
    const content = renderColumns(WISE_COLUMNS, chunk.lines, ctx, {
      header: true,
      bom: false,
      lineEnding: options.lineEnding ?? '\r\n',
    })
    return { ok: true, content }
  },
}
