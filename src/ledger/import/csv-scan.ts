/**
 * The small amount of CSV scanning we do ourselves, beside papaparse: choosing the line ending
 * and the delimiter once from the start of the file (papaparse guesses per chunk and may guess
 * differently in the middle of a file), and walking past a record too large to hold in memory.
 */
import Papa from 'papaparse'

import { preview } from './errors'

export type Newline = '\n' | '\r\n' | '\r'
export type Delimiter = ',' | ';' | '\t'
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t']

/** The first line break outside quotes; `\n` when there is none (a header-only file). */
export function detectNewline(sample: string, atEnd: boolean): Newline {
  let inQuotes = false
  for (let i = 0; i < sample.length; i++) {
    const c = sample[i]
    if (c === '"') inQuotes = !inQuotes
    else if (!inQuotes && c === '\n') return '\n'
    else if (!inQuotes && c === '\r') {
      if (sample[i + 1] === '\n') return '\r\n'
      if (i + 1 < sample.length || atEnd) return '\r'
      return '\r\n' // a CR at the very end of the sample: the LF may be in the next chunk
    }
  }
  return '\n'
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number)
  return false
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '')
}

/**
 * The delimiter among , ; tab that gives the header more than one column and the data rows the
 * header's width most often. A `;` file with decimal commas (`12,50`) has consistent rows under
 * `,` too, but its header has one column there, which is why the header counts first.
 */
export function detectDelimiter(sample: string, newline: Newline, atEnd: boolean): Delimiter {
  let best: { d: Delimiter; score: [number, number, number] } | null = null
  for (const d of DELIMITERS) {
    const parsed = new Papa.Parser({ delimiter: d, newline, quoteChar: '"', preview: 30 }).parse(sample, 0, !atEnd) as { data: string[][] }
    const rows = parsed.data.filter((r) => !isBlank(r))
    const header = rows[0]
    if (!header) continue
    const data = rows.slice(1)
    const consistent = data.length === 0 ? 1 : data.filter((r) => r.length === header.length).length / data.length
    const score: [number, number, number] = [header.length > 1 ? 1 : 0, consistent, header.length]
    const better = !best || greater(score, best.score)
    if (better) best = { d, score }
  }
  return best?.d ?? ','
}

/** Spreadsheet column letters: 0 -> A, 26 -> AA. */
export function columnLetter(index: number): string {
  let n = index + 1
  let s = ''
  while (n > 0) {
    const r = (n - 1) % 26
    s = String.fromCharCode(65 + r) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

export interface SkippedRecord {
  readonly fieldIndex: number | null
  readonly preview: string
  /** The file ended inside a quoted value. */
  readonly unterminated: boolean
}

/**
 * Walks a record that is already over the size limit without keeping it: only the position,
 * quote state and the first characters of the offending value survive. Quote rules as RFC 4180
 * (a quote opens a value only at its start; `""` inside is a quote).
 */
export class OversizeSkipper {
  private inQuotes = false
  private quotePending = false
  private atFieldStart = true
  private field = 0
  private fieldLength = 0
  private fieldPreview = ''
  private offender: { field: number; preview: string } | null = null
  private quotedField = 0

  constructor(
    private readonly delimiter: Delimiter,
    private readonly newline: Newline,
    private readonly maxFieldChars: number,
  ) {}

  /** Index just after the end of the record in `text`, or -1 when the record goes on. */
  consume(text: string): number {
    const crOnly = this.newline === '\r'
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false
          if (c === '"') {
            this.add(c)
            continue
          }
          this.inQuotes = false // that quote closed the value; c is read as unquoted below
        } else {
          if (c === '"') this.quotePending = true
          else this.add(c)
          continue
        }
      }
      if (c === '"' && this.atFieldStart) {
        this.inQuotes = true
        this.atFieldStart = false
        this.quotedField = this.field
        continue
      }
      if (c === this.delimiter) this.endField()
      else if ((c === '\n' && !crOnly) || (c === '\r' && crOnly)) {
        this.endField()
        return i + 1
      } else this.add(c)
    }
    return -1
  }

  result(): SkippedRecord {
    const unterminated = this.inQuotes && !this.quotePending
    if (unterminated) return { fieldIndex: this.quotedField, preview: preview(this.fieldPreview, 40), unterminated }
    return { fieldIndex: this.offender?.field ?? null, preview: preview(this.offender?.preview ?? '', 40), unterminated }
  }

  private add(c: string): void {
    this.fieldLength++
    this.atFieldStart = false
    if (this.fieldPreview.length <= 40) this.fieldPreview += c
    if (!this.offender && this.fieldLength > this.maxFieldChars) this.offender = { field: this.field, preview: this.fieldPreview }
  }

  private endField(): void {
    this.field++
    this.fieldLength = 0
    this.fieldPreview = ''
    this.atFieldStart = true
  }
}
