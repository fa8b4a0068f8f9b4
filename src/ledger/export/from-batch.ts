import type { Payee } from '../payee'
import { lineReference } from './format-helpers'
import { exportError, type ExportBatch, type ExportError } from './types'

/** The stored batch line fields an export needs (a BatchLine from batch.ts fits). */
export interface StoredBatchLine {
  readonly lineNo: number
  readonly partnerName: string
  readonly email: string | null
  readonly payee: Payee
  readonly currency: string
  readonly amountMinor: bigint
}

export interface ToExportBatchInput {
  readonly batchId: string
  /** Per-organization sequence number of the batch; it goes into every line reference. */
  readonly batchNumber: number
  readonly reference: string
  readonly approvedAt: Date
  readonly lines: readonly StoredBatchLine[]
  /** Shown to the partner (PayPal note, SEPA remittance, bill description). */
  readonly memo?: string
}

/**
 * Builds the export input from stored lines. References come from (batch number, line number),
 * which never change after approval, so a re-export writes the same references and the AP
 * tool or bank can de-duplicate on them.
 */
export function toExportBatch(input: ToExportBatchInput): ExportBatch | ExportError {
  const memo = input.memo ?? `Partner commissions ${input.reference}`
  const lines = []
  for (const l of input.lines) {
    const reference = lineReference(input.batchNumber, l.lineNo)
    if (reference === null) return exportError('invalid_reference', `batch ${input.batchNumber} line ${l.lineNo}`)
    lines.push({
      reference,
      partnerName: l.partnerName,
      email: l.email,
      payee: l.payee,
      currency: l.currency,
      amountMinor: l.amountMinor,
      memo,
    })
  }
  return { batchId: input.batchId, reference: input.reference, approvedAt: input.approvedAt, lines }
}
