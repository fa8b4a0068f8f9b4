import type { Payee, PayoutMethod } from '../payee'

/** One payout line as every export format sees it. Built by the service from an approved batch. */
export interface ExportLine {
  /** Stable per-line reference (`PO-000017-00003`): bill number, PayPal Customer ID, NACHA ID, EndToEndId. */
  readonly reference: string
  readonly partnerName: string
  readonly email: string | null
  readonly payee: Payee
  readonly currency: string
  readonly amountMinor: bigint
  readonly memo: string
}

export interface ExportBatch {
  readonly batchId: string
  /** Human batch reference (`B-2026-03-0001`); used in memos, file names, MsgId. */
  readonly reference: string
  readonly approvedAt: Date
  readonly lines: readonly ExportLine[]
}

/** Options every format understands. */
export interface CommonExportOptions {
  /** IANA zone for calendar dates written in files (bill date, creation date). Default UTC. */
  readonly timeZone?: string
  /**
   * Payment formats only pay some payout methods. By default a batch with other lines is
   * refused, so nobody uploads the PayPal file and forgets the ACH payees; with true those
   * lines are reported in `skipped` instead.
   */
  readonly allowPartial?: boolean
  /** Overrides the format's rows-per-file limit (several limits are unconfirmed [U]). */
  readonly maxRowsPerFile?: number
}

export interface ExportFile {
  readonly name: string
  readonly content: Buffer
  readonly rows: number
  readonly totalMinor: bigint
  readonly currency: string
  readonly sha256: string
  readonly mimeType: string
}

export type ExportErrorCode =
  | 'unknown_format'
  | 'empty_batch'
  | 'invalid_reference'
  | 'duplicate_reference'
  | 'amount_not_positive'
  | 'currency_not_supported'
  | 'lines_not_payable_by_format'
  | 'missing_option'
  | 'invalid_option'
  | 'amount_too_large'
  | 'text_too_long'
  | 'invalid_payee'

export interface ExportError {
  readonly ok: false
  readonly code: ExportErrorCode
  /** Which option, line reference or value; for the message shown to the user. */
  readonly detail: string
}

/**
 * `totalMinor`: the total the writer itself put in the file's control fields (NACHA, pain.001);
 * renderExport refuses the file if it differs from the sum of the lines.
 */
export type Rendered = { readonly ok: true; readonly content: string | Buffer; readonly totalMinor?: bigint } | ExportError

/** A chunk of lines for one file: one currency, at most the format's row limit. */
export interface ExportChunk {
  readonly batch: ExportBatch
  readonly currency: string
  readonly lines: readonly ExportLine[]
  /** 1-based part number within the currency. */
  readonly part: number
  readonly partCount: number
}

export interface ExportFormat<O> {
  readonly id: string
  readonly label: string
  readonly extension: string
  readonly mimeType: string
  readonly maxRowsPerFile: number | null
  /** Currencies the format can carry; null = any. */
  readonly currencies: readonly string[] | null
  /** Payout methods the file can pay; null = an accounting file listing every line. */
  readonly methods: readonly PayoutMethod[] | null
  /** Extra check per line beyond method and currency (e.g. Wise needs an IBAN). */
  readonly linePayable?: (line: ExportLine) => boolean
  readonly render: (chunk: ExportChunk, options: O) => Rendered
}

export function exportError(code: ExportErrorCode, detail: string): ExportError {
  return { ok: false, code, detail }
}
