/**
 * Bytes -> text for uploaded CSV files, streaming. Spreadsheets save CSV as UTF-8 (with or
 * without a BOM), as Windows-1252 (Excel's "CSV" on a Western Windows), or as UTF-16 (Excel's
 * "Unicode text"). Reading one as another gives mojibake ("CafÃ©", "â‚¬") that would then be
 * stored as partner names and codes, so the rule is: decode correctly or refuse with the byte
 * offset and line, never guess and carry on.
 *
 * Decision: the first `sniffBytes` are checked for binary content and a BOM. Until a non-ASCII
 * byte is seen the text is plain ASCII, which both encodings read identically, so the choice
 * can wait for the first non-ASCII bytes: valid UTF-8 commits to UTF-8, anything else that is
 * plausible Windows-1252 commits to that. After committing to UTF-8, an invalid sequence is a
 * file error (the file mixes encodings), not a reason to switch: earlier text is already out.
 */
import { CsvFileError } from './errors'

export type DetectedEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be'

export interface DecodeInfo {
  readonly encoding: DetectedEncoding
  readonly bom: boolean
  /** Byte offset of the first non-ASCII byte, where the encoding was decided; null if all ASCII. */
  readonly decidedAtByte: number | null
}

export interface DecodeOptions {
  /** Bytes examined before any text is released (binary check, BOM). Default 64 KiB. */
  readonly sniffBytes?: number
  /** Refuse files larger than this many bytes while streaming. Default: no limit here. */
  readonly maxBytes?: number
}

/** Text released by one step; `error` means the input is refused after `text`. */
export interface DecodeStep {
  readonly text: string
  readonly error: CsvFileError | null
}

// 0x80-0x9F in Windows-1252; 0 marks the five bytes the code page leaves undefined.
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
]

/** Index of the first byte Windows-1252 does not define (or NUL), else -1. */
function firstInvalid1252(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number
    if (c === 0 || (c >= 0x80 && c <= 0x9f && CP1252_HIGH[c - 0x80] === 0)) return i
  }
  return -1
}

export function decodeWindows1252(b: Uint8Array): string {
  let out = ''
  const step = 8192
  for (let start = 0; start < b.length; start += step) {
    const end = Math.min(b.length, start + step)
    const codes = new Array<number>(end - start)
    for (let i = start; i < end; i++) {
      const c = b[i] as number
      codes[i - start] = c >= 0x80 && c <= 0x9f ? (CP1252_HIGH[c - 0x80] as number) : c
    }
    out += String.fromCharCode(...codes)
  }
  return out
}

interface Utf8Scan {
  /** First byte of an invalid sequence, or -1. */
  readonly invalidAt: number
  /** End of the last complete character (a split character at the end is not an error yet). */
  readonly completeEnd: number
  /** First byte of a multi-byte character before `invalidAt`, or -1. */
  readonly firstMultibyte: number
}

/** A UTF-8 validator that reports where (TextDecoder's fatal mode only says that). */
export function scanUtf8(b: Uint8Array): Utf8Scan {
  let firstMultibyte = -1
  let i = 0
  const n = b.length
  while (i < n) {
    const c = b[i] as number
    if (c < 0x80) {
      i++
      continue
    }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (c >= 0xc2 && c <= 0xdf) need = 1
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2
      if (c === 0xe0) lo = 0xa0 // overlong
      if (c === 0xed) hi = 0x9f // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3
      if (c === 0xf0) lo = 0x90 // overlong
      if (c === 0xf4) hi = 0x8f // above U+10FFFF
    } else return { invalidAt: i, completeEnd: i, firstMultibyte }
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { invalidAt: -1, completeEnd: i, firstMultibyte }
      const cc = b[i + k] as number
      const min = k === 1 ? lo : 0x80
      const max = k === 1 ? hi : 0xbf
      if (cc < min || cc > max) return { invalidAt: i, completeEnd: i, firstMultibyte }
    }
    if (firstMultibyte === -1) firstMultibyte = i
    i += need + 1
  }
  return { invalidAt: -1, completeEnd: n, firstMultibyte }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  const total = parts.reduce((s, p) => s + p.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function hex(byte: number): string {
  return '0x' + byte.toString(16).toUpperCase().padStart(2, '0')
}

const MAGIC: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook or other ZIP file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old-style Excel (.xls) workbook' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
]
const EXPORT_HINT = 'Export or "Save as" CSV and upload that file.'

/** Refuses obvious non-text before any of it is read as CSV. */
function binaryCheck(b: Uint8Array): CsvFileError | null {
  for (const m of MAGIC) {
    if (m.bytes.every((x, i) => b[i] === x))
      return new CsvFileError('binary_file', `This file is ${m.what}, not a CSV file. ${EXPORT_HINT}`, { byteOffset: 0 })
  }
  let nuls = 0
  let oddNuls = 0
  let controls = 0
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number
    if (c === 0) {
      nuls++
      if (i % 2 === 1) oddNuls++
    } else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b && c !== 0x1a) controls++
  }
  if (nuls > 0) {
    // Every other byte NUL: UTF-16 text whose byte-order mark was lost.
    const utf16 = nuls > b.length / 4 && (oddNuls > nuls * 0.9 || oddNuls < nuls * 0.1)
    const message = utf16
      ? 'This file looks like UTF-16 text without a byte-order mark. Save it as "CSV UTF-8" and upload it again.'
      : `This is not a text file (it contains NUL bytes, the first at byte ${b.indexOf(0)}). ${EXPORT_HINT}`
    return new CsvFileError('binary_file', message, { byteOffset: b.indexOf(0) })
  }
  // FileMaker and old Mac exports use a few 0x0B/0x0C inside fields; binary files use many.
  if (controls > 8 && controls / b.length > 0.05)
    return new CsvFileError(
      'binary_file',
      `This does not look like a text file (${controls} control bytes in the first ${b.length}). ${EXPORT_HINT}`,
      { byteOffset: 0 },
    )
  return null
}

/** Counts physical lines of released text so errors can say "line 1205"; CR, LF and CRLF. */
class LineCounter {
  line = 1
  private prevCr = false
  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 10) {
        if (!this.prevCr) this.line++
        this.prevCr = false
      } else if (c === 13) {
        this.line++
        this.prevCr = true
      } else this.prevCr = false
    }
  }
}

type State = 'sniff' | 'ascii' | 'utf-8' | 'windows-1252' | 'utf-16' | 'failed'

/** Incremental decoder; feed chunks with push(), then call end(). */
export class StreamingDecoder {
  private state: State = 'sniff'
  private sniffParts: Uint8Array[] = []
  private sniffLength = 0
  private carry: Uint8Array = new Uint8Array(0)
  /** Absolute offset of carry[0]. */
  private base = 0
  private total = 0
  private bom = false
  private encoding: DetectedEncoding = 'utf-8'
  private decidedAt: number | null = null
  private utf16: TextDecoder | null = null
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
  private readonly lines = new LineCounter()
  private readonly sniffBytes: number
  private readonly maxBytes: number

  constructor(options: DecodeOptions = {}) {
    // At least 4 bytes, so a BOM (3 bytes) is never split by the sniff boundary.
    this.sniffBytes = Math.max(4, options.sniffBytes ?? 64 * 1024)
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  }

  get info(): DecodeInfo {
    return { encoding: this.encoding, bom: this.bom, decidedAtByte: this.decidedAt }
  }

  push(chunk: Uint8Array): DecodeStep {
    if (this.state === 'failed') throw new Error('StreamingDecoder: push after a failure')
    this.total += chunk.length
    if (this.total > this.maxBytes) {
      this.state = 'failed'
      return {
        text: '',
        error: new CsvFileError('file_too_large', `The file is larger than the limit of ${this.maxBytes} bytes.`, {
          byteOffset: this.maxBytes,
        }),
      }
    }
    if (this.state === 'sniff') {
      this.sniffParts.push(chunk)
      this.sniffLength += chunk.length
      if (this.sniffLength < this.sniffBytes) return { text: '', error: null }
      return this.startAfterSniff(false)
    }
    return this.decode(chunk, false)
  }

  end(): DecodeStep {
    if (this.state === 'failed') return { text: '', error: null }
    if (this.state === 'sniff') return this.startAfterSniff(true)
    return this.decode(new Uint8Array(0), true)
  }

  private startAfterSniff(final: boolean): DecodeStep {
    let b = concat(this.sniffParts)
    this.sniffParts = []
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.bom = true
      this.state = 'utf-8'
      this.decidedAt = 0
      this.base = 3
      b = b.subarray(3)
    } else if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
      this.bom = true
      this.encoding = b[0] === 0xff ? 'utf-16le' : 'utf-16be'
      this.decidedAt = 0
      this.state = 'utf-16'
      this.utf16 = new TextDecoder(this.encoding, { fatal: true, ignoreBOM: true })
      this.base = 2
      b = b.subarray(2)
    } else {
      const refused = binaryCheck(b)
      if (refused) return this.fail('', refused)
      this.state = 'ascii'
    }
    return this.decode(b, final)
  }

  private fail(text: string, error: CsvFileError): DecodeStep {
    this.state = 'failed'
    return { text, error }
  }

  private release(text: string): string {
    this.lines.feed(text)
    return text
  }

  private errorAt(offsetInBuf: number, buf: Uint8Array, prefix: string, why: string): DecodeStep {
    const text = this.release(prefix)
    const byteOffset = this.base + offsetInBuf
    const byte = buf[offsetInBuf]
    const what = byte === undefined ? 'end of file' : `byte ${hex(byte)}`
    const message = `The file cannot be read as text at byte ${byteOffset} (line ${this.lines.line}): ${what}. ${why}`
    return this.fail(
      text,
      new CsvFileError(byte === 0 ? 'binary_file' : 'invalid_encoding', message, { byteOffset, line: this.lines.line }),
    )
  }

  private decode(chunk: Uint8Array, final: boolean): DecodeStep {
    if (this.state === 'utf-16') return this.decodeUtf16(chunk, final)
    const buf = this.carry.length === 0 ? chunk : concat([this.carry, chunk])
    const nul = buf.indexOf(0)
    const upTo = nul === -1 ? buf : buf.subarray(0, nul)

    if (this.state === 'windows-1252') {
      const bad = firstInvalid1252(buf)
      if (bad !== -1)
        return this.errorAt(
          bad,
          buf,
          decodeWindows1252(buf.subarray(0, bad)),
          'The file was read as Windows-1252 (decided earlier in the file), which does not use this byte. Save the file as "CSV UTF-8" and upload it again.',
        )
      this.carry = new Uint8Array(0)
      this.base += buf.length
      return { text: this.release(decodeWindows1252(buf)), error: null }
    }

    const scan = scanUtf8(upTo)
    // At the end of the file a split character can no longer be completed: it is invalid.
    const truncated = final && scan.invalidAt === -1 && scan.completeEnd < upTo.length
    const invalidAt = truncated ? scan.completeEnd : scan.invalidAt
    if (invalidAt === -1 && nul === -1) {
      if (this.state === 'ascii' && scan.firstMultibyte !== -1) {
        this.state = 'utf-8'
        this.decidedAt = this.base + scan.firstMultibyte
      }
      const text = this.release(this.utf8.decode(buf.subarray(0, scan.completeEnd)))
      this.carry = buf.slice(scan.completeEnd)
      this.base += scan.completeEnd
      return { text, error: null }
    }

    const badAt = invalidAt === -1 ? nul : invalidAt
    if (badAt === nul)
      return this.errorAt(nul, buf, this.utf8.decode(buf.subarray(0, nul)), `A text file never contains NUL bytes. ${EXPORT_HINT}`)
    // Nothing released so far was outside ASCII, so switching now cannot have produced mojibake.
    if (this.state === 'ascii' && scan.firstMultibyte === -1) {
      const bad1252 = firstInvalid1252(buf)
      if (bad1252 === -1) {
        this.state = 'windows-1252'
        this.encoding = 'windows-1252'
        this.decidedAt = this.base + badAt
        this.carry = new Uint8Array(0)
        this.base += buf.length
        return { text: this.release(decodeWindows1252(buf)), error: null }
      }
      return this.errorAt(
        badAt,
        buf,
        this.utf8.decode(buf.subarray(0, badAt)),
        'The file is neither UTF-8 nor Windows-1252 text. Save it as "CSV UTF-8" and upload it again.',
      )
    }
    if (truncated)
      return this.errorAt(badAt, buf, this.utf8.decode(buf.subarray(0, badAt)), 'The last character is cut off; the file may be truncated.')
    return this.errorAt(
      badAt,
      buf,
      this.utf8.decode(buf.subarray(0, badAt)),
      `Earlier parts of the file are UTF-8${this.decidedAt !== null ? ` (from byte ${this.decidedAt})` : ''}, so it mixes encodings. Save it as "CSV UTF-8" and upload it again.`,
    )
  }

  private decodeUtf16(chunk: Uint8Array, final: boolean): DecodeStep {
    const decoder = this.utf16 as TextDecoder
    try {
      const text = decoder.decode(chunk, { stream: !final })
      this.base += chunk.length
      return { text: this.release(text), error: null }
    } catch {
      // TextDecoder does not say where; the chunk is the best we can name.
      return this.fail(
        '',
        new CsvFileError(
          'invalid_encoding',
          `The file is not valid ${this.encoding.toUpperCase()} text in the bytes starting at ${this.base} (line ${this.lines.line}). Save it as "CSV UTF-8" and upload it again.`,
          { byteOffset: this.base, line: this.lines.line },
        ),
      )
    }
  }
}

/**
 * Decodes a byte stream to text chunks; throws CsvFileError after releasing the valid text
 * before the problem. String chunks are taken as already decoded (a leading BOM is dropped).
 */
export async function* decodeStream(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: DecodeOptions = {},
  onInfo?: (info: DecodeInfo) => void,
): AsyncGenerator<string, void, undefined> {
  const decoder = new StreamingDecoder(options)
  let first = true
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      const text = first && chunk.startsWith('\uFEFF') ? chunk.slice(1) : chunk
      first = false
      if (text !== '') yield text
      continue
    }
    first = false
    const step = decoder.push(chunk)
    if (step.text !== '') yield step.text
    if (step.error) throw step.error
  }
  const last = decoder.end()
  if (last.text !== '') yield last.text
  if (last.error) throw last.error
  onInfo?.(decoder.info)
}
