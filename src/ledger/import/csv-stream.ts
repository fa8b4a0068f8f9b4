/**
 * Streaming CSV: bytes in, one event per row out, memory flat however long the file is (only
 * the current chunk and one unfinished record are held). Field splitting is papaparse's core
 * parser, driven the way its own ChunkStreamer drives it (parse what is complete, keep the
 * unfinished record for the next chunk). We drive it ourselves because we need what its
 * streamers do not give: a bound on an unfinished record (a 10 MB value must not become a
 * 10 GB one), one delimiter and line ending for the whole file, duplicate headers refused
 * instead of silently renamed, and row numbers as a person sees them in a spreadsheet.
 *
 * Row numbers: the header is row 1 (row 2 after an Excel `sep=;` line) and every record counts,
 * blank ones too, so "row 7" is row 7 in Excel or Sheets even when a value spans lines.
 */
import Papa from 'papaparse'

import { columnLetter, detectDelimiter, detectNewline, OversizeSkipper, type Delimiter, type Newline } from './csv-scan'
import { StreamingDecoder, type DecodeInfo, type DecodeOptions, type DecodeStep } from './decode'
import { CsvFileError, preview } from './errors'

export type { Delimiter, Newline } from './csv-scan'

export interface CsvParseOptions {
  /** Skip detection (a setting or the person's choice). */
  readonly delimiter?: Delimiter
  /** Longest value accepted, in characters. Default 1 MiB. */
  readonly maxFieldChars?: number
  /** Longest unfinished record held in memory before it is skipped. Default max(4 MiB, 2 x field). */
  readonly maxRecordChars?: number
  /** Refuse the file after this many data rows. Default: no limit here. */
  readonly maxRows?: number
  /** Text examined to choose the delimiter and line ending. Default 64 Ki characters. */
  readonly sniffChars?: number
  readonly decode?: DecodeOptions
}

export type CsvRowErrorCode = 'wrong_field_count' | 'field_too_long' | 'row_too_long' | 'malformed_quotes' | 'value_without_header'

export interface CsvRowError {
  readonly type: 'row_error'
  readonly rowNumber: number
  readonly code: CsvRowErrorCode
  /** The file's header name, or `column F` for a cell outside the named columns; null: whole row. */
  readonly column: string | null
  readonly value: string | null
  readonly message: string
}

export type CsvEvent =
  | {
      readonly type: 'header'
      readonly rowNumber: number
      readonly headers: readonly string[]
      readonly delimiter: Delimiter
      readonly newline: Newline
    }
  | { readonly type: 'row'; readonly rowNumber: number; readonly values: Readonly<Record<string, string>> }
  | CsvRowError
  | {
      readonly type: 'end'
      /** Rows yielded as 'row' plus rows yielded as 'row_error': the file's rows in. */
      readonly dataRows: number
      readonly rowErrors: number
      /** Empty lines (or all-empty cells) after the header: no data, not counted as rows in. */
      readonly blankRows: number
      readonly lastRowNumber: number
      readonly encoding: DecodeInfo | null
    }

const DELIMITER_NAMES: Readonly<Record<Delimiter, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' }

function isBlank(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '')
}

/** The synchronous core over decoded text: push text, get events. */
export class CsvTextParser {
  private head = ''
  private configured = false
  private delimiter: Delimiter = ','
  private newline: Newline = '\n'
  private pending = ''
  private rowNumber = 0
  private headers: string[] | null = null
  private namedCount = 0
  private skipper: OversizeSkipper | null = null
  private dataRows = 0
  private rowErrors = 0
  private blankRows = 0
  private readonly maxFieldChars: number
  private readonly maxRecordChars: number
  private readonly maxRows: number
  private readonly sniffChars: number

  constructor(private readonly options: CsvParseOptions = {}) {
    this.maxFieldChars = options.maxFieldChars ?? 1024 * 1024
    this.maxRecordChars = options.maxRecordChars ?? Math.max(4 * 1024 * 1024, 2 * this.maxFieldChars)
    this.maxRows = options.maxRows ?? Number.POSITIVE_INFINITY
    this.sniffChars = options.sniffChars ?? 64 * 1024
  }

  /** The row the next unread character belongs to (for errors found below the CSV layer). */
  get currentRowNumber(): number {
    return this.skipper ? this.rowNumber : this.rowNumber + 1
  }

  push(text: string): CsvEvent[] {
    if (this.configured) return this.feed(text)
    this.head += text
    return this.head.length < this.sniffChars ? [] : this.configure(false)
  }

  /** Parses what has arrived so far (before reporting a decoding error with its row). */
  flush(): CsvEvent[] {
    return this.configured ? [] : this.configure(false)
  }

  end(): CsvEvent[] {
    const events: CsvEvent[] = []
    if (!this.configured) {
      if (this.head.trim() === '') throw new CsvFileError('empty_file', 'The file is empty: there is no header row.')
      events.push(...this.configure(true))
    }
    if (this.skipper) {
      events.push(this.skippedRecord(true))
      this.skipper = null
    }
    if (this.pending !== '') this.parsePending(false, events)
    if (this.headers === null) throw new CsvFileError('empty_file', 'The file has no header row (it contains only empty lines).')
    return events
  }

  summary(encoding: DecodeInfo | null): CsvEvent {
    return {
      type: 'end',
      dataRows: this.dataRows + this.rowErrors,
      rowErrors: this.rowErrors,
      blankRows: this.blankRows,
      lastRowNumber: this.rowNumber,
      encoding,
    }
  }

  private configure(atEnd: boolean): CsvEvent[] {
    let sample = this.head
    this.head = ''
    let declared: Delimiter | undefined
    // Excel writes (and reads) a first line `sep=;` naming the delimiter.
    const sep = /^sep=([,;\t])(\r\n|\r|\n|$)/i.exec(sample)
    if (sep) {
      declared = sep[1] as Delimiter
      sample = sample.slice(sep[0].length)
      this.rowNumber = 1
    }
    this.newline = detectNewline(sample, atEnd)
    this.delimiter = this.options.delimiter ?? declared ?? detectDelimiter(sample, this.newline, atEnd)
    this.configured = true
    return this.feed(sample)
  }

  private feed(text: string): CsvEvent[] {
    const events: CsvEvent[] = []
    let rest = text
    while (rest !== '') {
      if (this.skipper) {
        const at = this.skipper.consume(rest)
        if (at === -1) return events
        events.push(this.skippedRecord(false))
        this.skipper = null
        rest = rest.slice(at)
        continue
      }
      this.pending += rest
      // A record only ends at a line break: without one in the new text nothing can be complete.
      const mayComplete = rest.includes('\n') || rest.includes('\r')
      rest = ''
      if (mayComplete) this.parsePending(true, events)
      if (this.pending.length > this.maxRecordChars) {
        if (this.headers === null)
          throw new CsvFileError(
            'header_too_long',
            `The header row is longer than ${this.maxRecordChars} characters; this is not a CSV header.`,
            { rowNumber: this.rowNumber + 1 },
          )
        this.rowNumber++
        this.skipper = new OversizeSkipper(this.delimiter, this.newline, this.maxFieldChars)
        rest = this.pending
        this.pending = ''
      }
    }
    return events
  }

  private parsePending(ignoreLastRow: boolean, events: CsvEvent[]): void {
    const parser = new Papa.Parser({ delimiter: this.delimiter, newline: this.newline, quoteChar: '"' })
    const result = parser.parse(this.pending, 0, ignoreLastRow) as {
      data: string[][]
      errors: { code: string; row?: number }[]
      meta: { cursor: number }
    }
    const problems = new Map<number, string>()
    for (const e of result.errors)
      if (e.row !== undefined && e.row < result.data.length && !problems.has(e.row)) problems.set(e.row, e.code)
    for (let i = 0; i < result.data.length; i++) this.record(result.data[i] as string[], problems.get(i), events)
    this.pending = ignoreLastRow ? this.pending.slice(result.meta.cursor) : ''
  }

  private columnName(index: number): string {
    const h = this.headers?.[index]
    return h !== undefined && h !== '' ? h : `column ${columnLetter(index)}`
  }

  private rowError(code: CsvRowErrorCode, column: string | null, value: string | null, message: string): CsvRowError {
    this.rowErrors++
    return { type: 'row_error', rowNumber: this.rowNumber, code, column, value: value === null ? null : preview(value, 200), message }
  }

  private record(fields: string[], problem: string | undefined, events: CsvEvent[]): void {
    this.rowNumber++
    if (this.headers === null) {
      if (isBlank(fields)) return
      const headers = this.setHeaders(fields)
      events.push({ type: 'header', rowNumber: this.rowNumber, headers: [...headers], delimiter: this.delimiter, newline: this.newline })
      return
    }
    if (isBlank(fields)) {
      this.blankRows++
      return
    }
    if (this.dataRows + this.rowErrors >= this.maxRows) {
      throw new CsvFileError('too_many_rows', `The file has more than ${this.maxRows} rows; split it into smaller files.`, {
        rowNumber: this.rowNumber,
      })
    }
    const n = this.rowNumber
    if (problem === 'MissingQuotes') {
      const col = this.columnName(fields.length - 1)
      throw new CsvFileError(
        'unterminated_quote',
        `Row ${n}, column "${col}": a quoted value starts but its closing quote never comes, so the rest of the file cannot be read. Fix the quote and upload again.`,
        { rowNumber: n },
      )
    }
    if (problem !== undefined) {
      events.push(
        this.rowError(
          'malformed_quotes',
          null,
          fields.join(this.delimiter),
          `Row ${n}: a quote is in the wrong place (a quoted value must be "like this", with "" for a quote inside), so this row cannot be read reliably.`,
        ),
      )
      return
    }
    const headers = this.headers
    const width = headers.length
    if (fields.length < this.namedCount || fields.slice(width).some((f) => f.trim() !== '')) {
      const hint =
        fields.length === 1 && this.namedCount > 1
          ? ` (the file is read as ${DELIMITER_NAMES[this.delimiter]}-separated; is this row?)`
          : ''
      events.push(
        this.rowError(
          'wrong_field_count',
          null,
          fields.join(this.delimiter),
          `Row ${n} has ${fields.length} values but the header has ${this.namedCount} columns${hint}.`,
        ),
      )
      return
    }
    for (let i = this.namedCount; i < Math.min(fields.length, width); i++) {
      if ((fields[i] as string).trim() !== '') {
        events.push(
          this.rowError(
            'value_without_header',
            this.columnName(i),
            fields[i] as string,
            `Row ${n}, ${this.columnName(i)}: there is a value in a column that has no header name.`,
          ),
        )
        return
      }
    }
    const values: Record<string, string> = {}
    for (let i = 0; i < this.namedCount; i++) {
      const v = fields[i] as string
      const key = headers[i] as string
      if (v.length > this.maxFieldChars) {
        events.push(
          this.rowError('field_too_long', key, v, `Row ${n}, column "${key}": the value is longer than ${this.maxFieldChars} characters.`),
        )
        return
      }
      // A header called __proto__ must become a key, not replace the object's prototype.
      if (key === '__proto__') Object.defineProperty(values, key, { value: v, enumerable: true, writable: true, configurable: true })
      else values[key] = v
    }
    this.dataRows++
    events.push({ type: 'row', rowNumber: n, values })
  }

  private setHeaders(fields: readonly string[]): readonly string[] {
    const n = this.rowNumber
    const names = fields.map((f) => f.trim())
    // Trailing unnamed columns are tolerated (Excel exports formatted empty columns); a value in
    // one is a row error, so nothing in them is dropped unseen.
    let named = names.length
    while (named > 0 && names[named - 1] === '') named--
    const blank = names.slice(0, named).findIndex((h) => h === '')
    if (blank !== -1) {
      throw new CsvFileError(
        'blank_header',
        `The header row (row ${n}) has no name for column ${columnLetter(blank)} (between "${names[blank - 1] ?? ''}" and "${names[blank + 1] ?? ''}"). Name the column or delete it.`,
        { rowNumber: n },
      )
    }
    const seen = new Map<string, number[]>()
    names.slice(0, named).forEach((h, i) => seen.set(h, [...(seen.get(h) ?? []), i]))
    const dupes = [...seen].filter(([, at]) => at.length > 1)
    if (dupes.length > 0) {
      const list = dupes.map(([h, at]) => `"${h}" (columns ${at.map(columnLetter).join(', ')})`).join('; ')
      throw new CsvFileError(
        'duplicate_headers',
        `The header row (row ${n}) names a column more than once: ${list}. Each column needs its own name.`,
        { rowNumber: n },
      )
    }
    this.headers = names
    this.namedCount = named
    return names
  }

  private skippedRecord(atEof: boolean): CsvRowError {
    const r = (this.skipper as OversizeSkipper).result()
    const n = this.rowNumber
    const col = r.fieldIndex === null ? null : this.columnName(r.fieldIndex)
    if (atEof && r.unterminated) {
      throw new CsvFileError(
        'unterminated_quote',
        `Row ${n}, column "${col}": a quoted value starts but its closing quote never comes, so the rest of the file cannot be read. Fix the quote and upload again.`,
        { rowNumber: n },
      )
    }
    if (col !== null && r.fieldIndex !== null) {
      return this.rowError(
        'field_too_long',
        col,
        r.preview,
        `Row ${n}, column "${col}": the value is longer than ${this.maxFieldChars} characters; the row was skipped.`,
      )
    }
    return this.rowError('row_too_long', null, null, `Row ${n} is longer than ${this.maxRecordChars} characters; the row was skipped.`)
  }
}

function withRow(error: CsvFileError, rowNumber: number): CsvFileError {
  return new CsvFileError(error.code, `Row ${rowNumber}: ${error.message}`, { ...error.details, rowNumber })
}

/**
 * Parses a CSV upload. Yields 'header' once, then a 'row' or 'row_error' per data row, then
 * 'end'. A file-level problem (empty, binary, undecodable, duplicate headers, unclosed quote)
 * is thrown as CsvFileError; rows already yielded should then be discarded by the caller.
 */
export async function* parseCsvRows(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: CsvParseOptions = {},
): AsyncGenerator<CsvEvent, void, undefined> {
  const decoder = new StreamingDecoder(options.decode)
  const parser = new CsvTextParser(options)
  let bytes = false
  let first = true
  let released = false
  for await (const chunk of source) {
    let step: DecodeStep
    if (typeof chunk === 'string') step = { text: first && chunk.startsWith('\uFEFF') ? chunk.slice(1) : chunk, error: null }
    else {
      bytes = true
      step = decoder.push(chunk)
    }
    first = false
    if (step.text !== '') {
      released = true
      yield* parser.push(step.text)
    }
    if (step.error) {
      // Refused before any text was read (binary, too large): there is no row to name.
      if (!released) throw step.error
      yield* parser.flush()
      throw withRow(step.error, parser.currentRowNumber)
    }
  }
  if (bytes || first) {
    const last = decoder.end()
    if (last.text !== '') {
      released = true
      yield* parser.push(last.text)
    }
    if (last.error) {
      if (!released) throw last.error
      yield* parser.flush()
      throw withRow(last.error, parser.currentRowNumber)
    }
  }
  yield* parser.end()
  yield parser.summary(bytes ? decoder.info : null)
}
