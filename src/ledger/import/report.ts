/**
 * The import report: every row read ends in exactly one outcome, so
 * rowsIn = created + updated + duplicate + unattributed + rejected, always. Rows are counted
 * when read and again when classified; a row read but never classified (or classified twice)
 * breaks the invariant instead of vanishing, which is the point of "nothing dropped silently".
 * `flagged` is orthogonal: a flagged conversion is also created (and held).
 *
 * Memory stays bounded on a million-row file: only rows awaiting their outcome (one batch),
 * capped samples and a capped error list are kept; counts are exact regardless.
 */
import { plain, text, writeCsv } from '../export/csv-safety'
import type { CsvRowError } from './csv-stream'
import { preview } from './errors'
import type { RowError } from './rows'

export const ROW_OUTCOMES = ['created', 'updated', 'duplicate', 'unattributed', 'rejected'] as const
export type RowOutcome = (typeof ROW_OUTCOMES)[number]

export interface ImportCounts {
  readonly rowsIn: number
  readonly created: number
  readonly updated: number
  readonly duplicate: number
  readonly unattributed: number
  readonly rejected: number
  readonly flagged: number
}

export interface ReportError {
  readonly row: number
  /** The file's header; null for a whole-row problem (wrong number of values). */
  readonly column: string | null
  readonly value: string | null
  readonly code: string
  readonly message: string
}

export interface ReportSample {
  readonly row: number
  readonly detail: Readonly<Record<string, string>>
}

export interface ReportOptions {
  readonly samplesPerCategory?: number
  readonly maxErrors?: number
}

export type InvariantResult = { ok: true } | { ok: false; message: string }

export function fromRowError(e: RowError): ReportError {
  return { row: e.row, column: e.column, value: e.value, code: e.code, message: e.message }
}

export function fromCsvRowError(e: CsvRowError): ReportError {
  return { row: e.rowNumber, column: e.column, value: e.value, code: e.code, message: e.message }
}

type Category = RowOutcome | 'flagged'

export class ImportReport {
  private rowsIn = 0
  private readonly tally: Record<Category, number> = { created: 0, updated: 0, duplicate: 0, unattributed: 0, rejected: 0, flagged: 0 }
  private readonly awaiting = new Set<number>()
  private readonly sampleLists: Record<Category, ReportSample[]> = {
    created: [],
    updated: [],
    duplicate: [],
    unattributed: [],
    rejected: [],
    flagged: [],
  }
  private readonly errorList: ReportError[] = []
  private errorsOverLimit = 0
  private readonly samplesPerCategory: number
  private readonly maxErrors: number

  constructor(options: ReportOptions = {}) {
    this.samplesPerCategory = options.samplesPerCategory ?? 10
    this.maxErrors = options.maxErrors ?? 100_000
  }

  /** A data row came out of the file (a 'row' or 'row_error' event). */
  rowRead(row: number): void {
    if (this.awaiting.has(row)) throw new Error(`import report: row ${row} read twice`)
    this.rowsIn++
    this.awaiting.add(row)
  }

  /** The row's one final outcome. */
  outcome(row: number, outcome: RowOutcome, detail: Readonly<Record<string, string>> = {}): void {
    if (!this.awaiting.delete(row)) throw new Error(`import report: row ${row} classified without being read, or twice`)
    this.tally[outcome]++
    this.sample(outcome, row, detail)
  }

  reject(row: number, errors: readonly ReportError[]): void {
    this.outcome(row, 'rejected', { reason: errors[0]?.message ?? '' })
    for (const e of errors) this.addError(e)
  }

  /** Call once per flagged row, beside its outcome. */
  flag(row: number, flags: readonly string[]): void {
    this.tally.flagged++
    this.sample('flagged', row, { flags: flags.join(', ') })
  }

  get counts(): ImportCounts {
    return { rowsIn: this.rowsIn, ...this.tally }
  }

  get samples(): Readonly<Record<Category, readonly ReportSample[]>> {
    return this.sampleLists
  }

  get errors(): readonly ReportError[] {
    return this.errorList
  }

  /** Errors beyond maxErrors: counted, not kept. */
  get errorsNotKept(): number {
    return this.errorsOverLimit
  }

  checkInvariant(): InvariantResult {
    const c = this.counts
    const sum = c.created + c.updated + c.duplicate + c.unattributed + c.rejected
    if (this.awaiting.size > 0) {
      const rows = [...this.awaiting].slice(0, 10).join(', ')
      return {
        ok: false,
        message: `${this.awaiting.size} rows were read but have no outcome (rows ${rows}${this.awaiting.size > 10 ? ', ...' : ''})`,
      }
    }
    if (sum !== c.rowsIn)
      return {
        ok: false,
        message: `rows in ${c.rowsIn} != created ${c.created} + updated ${c.updated} + duplicate ${c.duplicate} + unattributed ${c.unattributed} + rejected ${c.rejected}`,
      }
    return { ok: true }
  }

  /**
   * The errors as a CSV for the person to fix their file. Values come from the uploaded file,
   * so a cell like `=HYPERLINK(...)` is neutralised with a leading `'` (csv-safety.ts).
   */
  errorsToCsv(): string {
    const rows = this.errorList.map((e) => [
      plain(String(e.row)),
      text(e.column ?? ''),
      text(e.value ?? ''),
      text(e.message),
      plain(e.code),
    ])
    if (this.errorsOverLimit > 0)
      rows.push([
        plain(''),
        text(''),
        text(''),
        text(`${this.errorsOverLimit} more errors are not listed (the list stops at ${this.maxErrors}).`),
        plain(''),
      ])
    return writeCsv(['row', 'column', 'value', 'message', 'code'], rows, { bom: true })
  }

  private addError(e: ReportError): void {
    if (this.errorList.length >= this.maxErrors) {
      this.errorsOverLimit++
      return
    }
    // A 10 MB cell must not live on in the report.
    this.errorList.push({ ...e, value: e.value === null ? null : preview(e.value, 200), message: preview(e.message, 1000) })
  }

  private sample(category: Category, row: number, detail: Readonly<Record<string, string>>): void {
    const list = this.sampleLists[category]
    if (list.length < this.samplesPerCategory) list.push({ row, detail })
  }
}
