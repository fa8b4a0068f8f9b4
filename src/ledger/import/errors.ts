/**
 * File-level import failures: the whole file is refused (nothing can be trusted after the
 * point of failure). Row-level problems are not errors of this kind: they are reported per row
 * and the other rows go on. Thrown rather than yielded so a streaming consumer cannot forget to
 * look, and cannot commit half a file by accident; `code` is what endpoints map to a status.
 */
export type CsvFileErrorCode =
  | 'empty_file'
  | 'binary_file'
  | 'invalid_encoding'
  | 'file_too_large'
  | 'too_many_rows'
  | 'duplicate_headers'
  | 'blank_header'
  | 'header_too_long'
  | 'unterminated_quote'

export interface CsvFileErrorDetails {
  /** 0-based byte offset in the file, counting a BOM. */
  readonly byteOffset?: number
  /** 1-based physical line (a quoted newline starts a new line here, not a new row). */
  readonly line?: number
  /** Spreadsheet row number (header = 1). */
  readonly rowNumber?: number
}

export class CsvFileError extends Error {
  readonly code: CsvFileErrorCode
  readonly details: CsvFileErrorDetails

  constructor(code: CsvFileErrorCode, message: string, details: CsvFileErrorDetails = {}) {
    super(message)
    this.name = 'CsvFileError'
    this.code = code
    this.details = details
  }
}

export function isCsvFileError(e: unknown): e is CsvFileError {
  return e instanceof CsvFileError
}

/** A value short enough to quote in a message or keep in a report (a field may be 10 MB). */
export function preview(value: string, max = 80): string {
  return value.length <= max ? value : value.slice(0, max) + '…'
}
