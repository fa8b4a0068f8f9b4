import { addDays, calendarDate, formatDate, isValidDatePattern } from './format-helpers'
import { exportError, type ExportBatch, type ExportError } from './types'

/** Settings shared by the bill-import presets (QuickBooks, Xero). */
export interface BillDates {
  /** Date pattern (YYYY, MM, DD tokens). QBO US: MM/DD/YYYY; Xero follows the org's region. */
  readonly dateFormat?: string
  /** Due date = bill date + this. Default 0: a payout bill is being paid now. */
  readonly dueInDays?: number
}

export function billDates(
  batch: ExportBatch,
  options: BillDates & { readonly timeZone?: string },
  defaultFormat: string,
): { billDate: string; dueDate: string } | ExportError {
  const due = options.dueInDays ?? 0
  if (!Number.isSafeInteger(due) || due < 0 || due > 365) return exportError('invalid_option', 'dueInDays')
  const pattern = options.dateFormat ?? defaultFormat
  if (!isValidDatePattern(pattern)) return exportError('invalid_option', 'dateFormat')
  const billDate = calendarDate(batch.approvedAt, options.timeZone)
  return { billDate: formatDate(billDate, pattern), dueDate: formatDate(addDays(billDate, due), pattern) }
}

export function requiredText(value: string | undefined, name: string): string | ExportError {
  return value === undefined || value.trim() === '' ? exportError('missing_option', name) : value.trim()
}
