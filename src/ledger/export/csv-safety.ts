/**
 * CSV writing for files that finance opens in spreadsheets and uploads to AP tools.
 *
 * Cells are typed, because the defence differs by type: quoting per RFC 4180 does not stop a
 * spreadsheet from running `=HYPERLINK(...)` (it strips the quotes first), so partner-supplied
 * text gets a leading `'`; amounts are produced by our own formatter and must stay numbers, so
 * they are validated instead of prefixed (a prefixed `-12.50` would stop being a number).
 */

/** First characters that make Excel/LibreOffice/Sheets treat a cell as a formula (OWASP, ASVS 1.2.10). */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r', '\0']

export type CellKind =
  /** Free text from partners or users: neutralised, quoted when needed. */
  | 'text'
  /** A money amount from formatMinor: validated, never prefixed. */
  | 'amount'
  /** Account, routing, IBAN, reference: always quoted so importers read a string (Excel still won't; see below). */
  | 'id'
  /** A date or fixed token we format ourselves (yyyy-mm-dd, USD, PAYPAL). */
  | 'plain'

export interface Cell {
  readonly kind: CellKind
  readonly value: string
}

export const text = (value: string): Cell => ({ kind: 'text', value })
export const amount = (value: string): Cell => ({ kind: 'amount', value })
export const id = (value: string): Cell => ({ kind: 'id', value })
export const plain = (value: string): Cell => ({ kind: 'plain', value })

export function needsNeutralising(value: string): boolean {
  return value.length > 0 && FORMULA_TRIGGERS.includes(value[0] as string)
}

/** Prefixes `'` so a spreadsheet shows the text instead of evaluating it. */
export function neutraliseCell(value: string): string {
  return needsNeutralising(value) ? `'${value}` : value
}

export interface CsvOptions {
  readonly delimiter?: ',' | ';' | '\t'
  /** RFC 4180 says CRLF; some importers want LF. */
  readonly lineEnding?: '\r\n' | '\n'
  /** UTF-8 BOM so Excel on Windows reads accents right; some importers reject it. */
  readonly bom?: boolean
  readonly decimalSeparator?: '.' | ','
}

export class CsvCellError extends Error {}

const AMOUNT_DOT = /^-?\d+(\.\d{1,4})?$/
const AMOUNT_COMMA = /^-?\d+(,\d{1,4})?$/
const CONTROL = /[\x00-\x1f]/

function amountPattern(decimalSeparator: string): RegExp {
  return decimalSeparator === ',' ? AMOUNT_COMMA : AMOUNT_DOT
}

function quote(value: string): string {
  return value.includes('"') ? `"${value.replace(/"/g, '""')}"` : `"${value}"`
}

function mustQuote(v: string, delimiter: string): boolean {
  return v.includes(delimiter) || v.includes('"') || v.includes('\r') || v.includes('\n')
}

/**
 * One field. Throws CsvCellError for a malformed amount or a control character in plain
 * data: both are bugs in our formatter, and an AP file must not be half right.
 */
export function formatCell(cell: Cell, options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ','
  switch (cell.kind) {
    case 'amount':
      if (!amountPattern(options.decimalSeparator ?? '.').test(cell.value)) {
        throw new CsvCellError(`not a plain amount: ${JSON.stringify(cell.value)}`)
      }
      // A decimal comma in a comma-delimited file must be quoted (PayPal documents exactly this).
      return mustQuote(cell.value, delimiter) ? quote(cell.value) : cell.value
    case 'id': {
      // Excel drops leading zeros and rounds past 15 digits however the field is quoted; the
      // `="0123"` trick is itself a formula, so we don't use it. Bank files are for upload,
      // not for editing in Excel; quoting is what makes importers read the id as a string.
      const v = neutraliseCell(cell.value)
      return quote(v)
    }
    case 'plain':
      if (CONTROL.test(cell.value) || needsNeutralising(cell.value)) {
        throw new CsvCellError(`unsafe plain cell: ${JSON.stringify(cell.value)}`)
      }
      return mustQuote(cell.value, delimiter) ? quote(cell.value) : cell.value
    case 'text': {
      const v = neutraliseCell(cell.value)
      return mustQuote(v, delimiter) ? quote(v) : v
    }
  }
}

/** Writes rows; every row must have the header's width (RFC 4180 §2.4). */
export function writeCsv(header: readonly string[] | null, rows: readonly (readonly Cell[])[], options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ','
  const eol = options.lineEnding ?? '\r\n'
  const width = header?.length ?? rows[0]?.length ?? 0
  const out: string[] = []
  // Headers can come from a user's custom template, so they are treated as text too.
  if (header !== null) out.push(header.map((h) => formatCell(text(h), options)).join(delimiter))
  for (const row of rows) {
    if (row.length !== width) throw new CsvCellError(`row has ${row.length} cells, expected ${width}`)
    out.push(row.map((c) => formatCell(c, options)).join(delimiter))
  }
  const body = out.length === 0 ? '' : out.join(eol) + eol
  return (options.bom ? '\uFEFF' : '') + body
}
