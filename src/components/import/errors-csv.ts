import { plain, text, writeCsv } from '../../ledger/export/csv-safety'

export interface WizardError {
  readonly row: number
  readonly column: string | null
  readonly value: string | null
  readonly code: string
  readonly message: string
}

/**
 * The dry run's errors as the CSV a person fixes their file from; the same columns as
 * ImportReport.errorsToCsv. Values come from the uploaded file, so formulas are neutralised.
 */
export function errorsCsv(errors: readonly WizardError[], errorsTotal: number): string {
  const rows = errors.map((e) => [plain(String(e.row)), text(e.column ?? ''), text(e.value ?? ''), text(e.message), plain(e.code)])
  if (errorsTotal > errors.length)
    rows.push([plain(''), text(''), text(''), text(`${errorsTotal - errors.length} more errors are not listed.`), plain('')])
  return writeCsv(['row', 'column', 'value', 'message', 'code'], rows, { bom: true })
}
