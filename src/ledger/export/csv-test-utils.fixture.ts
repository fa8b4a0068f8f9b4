/** CSV reading helpers for export tests (tests only; papaparse is the independent parser). */
import Papa from 'papaparse'
import { currencyExponent } from '../currency'
import { parseDecimalMinor } from './sample-batch.fixture'

export function parseCsv(content: Buffer | string, delimiter = ','): string[][] {
  let text = typeof content === 'string' ? content : content.toString('utf8')
  if (text.startsWith('\uFEFF')) text = text.slice(1)
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: 'greedy' })
  if (parsed.errors.length > 0) throw new Error(JSON.stringify(parsed.errors))
  return parsed.data
}

/** Sum of one column, read from the file's text as minor units. */
export function columnTotal(rows: readonly string[][], column: number, currency: string, decimalSeparator: '.' | ',' = '.'): bigint {
  return rows.reduce((sum, r) => sum + parseDecimalMinor(r[column] ?? '', currencyExponent(currency), decimalSeparator), 0n)
}
