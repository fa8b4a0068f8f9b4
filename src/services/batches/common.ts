import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import {
  batchContentHash,
  transition,
  type Actor,
  type Approval,
  type BatchEvent,
  type BatchRecord,
  type BatchState,
  type Payee,
  type TransitionError,
  type TransitionResult,
} from '../../ledger'
import { openPayee } from '../../security/payout-crypto'
import { asDate, minor, type LedgerContext } from '../ledger/context'

/**
 * What the batch use cases share: loading a batch (locked) into the state machine's record,
 * loading its lines as stored, the content hash over them, and refusals as named codes.
 */

export type BatchRefusalCode =
  | TransitionError
  | 'not_found'
  | 'nothing_to_pay'
  | 'invalid_as_of'
  | 'unknown_format'
  | 'export_failed'
  | 'line_not_found'
  | 'line_already_paid'
  | 'template_invalid'
  | 'content_inconsistent'

export class BatchRefusal extends Error {
  constructor(
    readonly code: BatchRefusalCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'BatchRefusal'
  }
}

/** Sentences for the state machine's codes; the UI shows them as they are. */
const TRANSITION_MESSAGES: Record<TransitionError, string> = {
  role_not_allowed: 'Your role may not do this to a batch.',
  invalid_transition: 'This batch is closed (paid, rejected or discarded); it can no longer change.',
  batch_not_draft: 'Only a draft batch can be submitted or discarded.',
  batch_not_submitted: 'Only a submitted batch can be approved or rejected; this one is not (or no longer) submitted.',
  batch_not_approved: 'Only an approved batch can be exported.',
  batch_not_exported: 'Only an exported batch can be marked paid.',
  already_exported:
    'This batch was already exported. To download its file again (a lost file, or another format for skipped lines), ask for a re-download (redownload=true); it is recorded and audited as one.',
  approver_is_preparer: 'You prepared or submitted this batch, so you cannot approve or reject it: another manager must.',
  approver_already_approved: 'You already approved this batch; a second, different manager must approve it.',
  content_changed: 'The batch content no longer matches what was submitted and approved (lines, amounts or payee details changed).',
  content_hash_required: 'The batch has no content hash.',
  reason_required: 'Give a reason for rejecting the batch.',
  payment_reference_required: 'Give the payment reference.',
  paid_on_invalid: 'paidOn must be a date as YYYY-MM-DD.',
  export_files_required: 'The export produced no file.',
}

export function refuseTransition(code: TransitionError): never {
  throw new BatchRefusal(code, TRANSITION_MESSAGES[code])
}

export interface BatchRow {
  id: number
  reference: string
  status: BatchState
  asOf: Date
  preparedBy: number | null
  submittedBy: number | null
  contentHash: string | null
  approvals: Approval[]
  totals: { currency: string; totalMinor: bigint; lineCount: number }[]
  approvedAt: Date | null
  record: BatchRecord
}

const str = (v: unknown): string | null => (v == null ? null : String(v))
const num = (v: unknown): number | null => (v == null ? null : Number(v))

export function parseTotals(v: unknown): BatchRow['totals'] {
  if (!Array.isArray(v)) return []
  return v.map((t: { currency: string; totalMinor: string | number; lineCount: number }) => ({
    currency: String(t.currency),
    totalMinor: minor(t.totalMinor),
    lineCount: Number(t.lineCount),
  }))
}

/** The batch row, locked FOR UPDATE so concurrent transitions of one batch run one after another. */
export async function loadBatchForUpdate(ctx: LedgerContext, id: number, forUpdate = true): Promise<BatchRow> {
  const { rows } = await ctx.db.execute(sql`
    select id, reference, status, as_of, prepared_by_id, submitted_by_id, content_hash, approvals, totals, approved_at
      from batches where id = ${id} ${forUpdate ? sql`for update` : sql``}`)
  const r = rows[0]
  // RLS hides other organizations' rows: a foreign id is indistinguishable from a missing one.
  if (!r) throw new BatchRefusal('not_found', `Batch ${id} not found.`)
  const approvals = (Array.isArray(r.approvals) ? r.approvals : []) as Approval[]
  const totals = parseTotals(r.totals)
  const row: Omit<BatchRow, 'record'> = {
    id: Number(r.id),
    reference: String(r.reference),
    status: r.status as BatchState,
    asOf: asDate(r.as_of),
    preparedBy: num(r.prepared_by_id),
    submittedBy: num(r.submitted_by_id),
    contentHash: str(r.content_hash),
    approvals,
    totals,
    approvedAt: r.approved_at == null ? null : asDate(r.approved_at),
  }
  return {
    ...row,
    record: {
      state: row.status,
      draftedBy: String(row.preparedBy ?? ''),
      submittedBy: row.submittedBy == null ? null : String(row.submittedBy),
      contentHash: row.contentHash,
      totals,
      approvals,
    },
  }
}

/** A payee snapshot as stored on a line: the resolved payee plus the partner's contact email. */
export type StoredPayee = Payee & { readonly contactEmail?: string | null }

export interface StoredLine {
  id: number
  lineNo: number
  partnerId: number
  partnerName: string
  amountMinor: bigint
  currency: string
  entryCount: number
  payee: StoredPayee
  status: 'open' | 'paid'
  paidAt: Date | null
  paymentReference: string | null
  /** The ledger entries carrying this batch for the line's partner and currency. */
  entryIds: number[]
  entriesTotalMinor: bigint
}

export async function loadLines(ctx: LedgerContext, batchId: number): Promise<StoredLine[]> {
  const { rows } = await ctx.db.execute(sql`
    select l.id, l.line_no, l.partner_id, l.partner_name, l.amount_minor, l.currency, l.entry_count, l.payee, l.status,
           l.paid_at, l.payment_reference,
           coalesce(array_agg(c.id order by c.id) filter (where c.id is not null), '{}') as entry_ids,
           coalesce(sum(c.amount_minor), 0) as entries_total
      from batch_lines l
      left join commissions c on c.batch_id = l.batch_id and c.partner_id = l.partner_id and c.currency = l.currency
     where l.batch_id = ${batchId}
     group by l.id
     order by l.line_no`)
  return rows.map((r) => ({
    id: Number(r.id),
    lineNo: Number(r.line_no),
    partnerId: Number(r.partner_id),
    partnerName: String(r.partner_name),
    amountMinor: minor(r.amount_minor),
    currency: String(r.currency),
    entryCount: Number(r.entry_count),
    payee: openPayee<StoredPayee>(r.payee),
    status: r.status as 'open' | 'paid',
    paidAt: r.paid_at == null ? null : asDate(r.paid_at),
    paymentReference: str(r.payment_reference),
    entryIds: (r.entry_ids as (number | string)[]).map(Number),
    entriesTotalMinor: minor(r.entries_total),
  }))
}

/**
 * The hash of what is approved and what is exported: every stored line (partner, currency, amount,
 * payee snapshot incl. the contact email written into bill files) and the ids of the entries it
 * pays. The snapshot, not the partner's current details, is what an export writes, so it is what
 * the hash binds; a later edit of the partner does not reach an approved batch.
 */
export function contentHashOf(batchId: number, lines: readonly StoredLine[]): string {
  return batchContentHash({
    batchId: String(batchId),
    lines: lines.map((l) => ({
      partnerId: String(l.partnerId),
      currency: l.currency,
      amountMinor: l.amountMinor,
      entryIds: l.entryIds.map(String),
      payee: l.payee as Payee,
    })),
  })
}

/**
 * Lines whose entries no longer add up to the line (or have vanished) can only come from a write
 * that went around the triggers; no approval or export may ride on them.
 */
export function assertLinesConsistent(lines: readonly StoredLine[]): void {
  const bad = lines.find((l) => l.entryIds.length !== l.entryCount || l.entriesTotalMinor !== l.amountMinor)
  if (bad) {
    throw new BatchRefusal(
      'content_inconsistent',
      `Line ${bad.lineNo} (${bad.partnerName}, ${bad.currency}) pays ${bad.amountMinor} but its ${bad.entryIds.length} entries add up to ${bad.entriesTotalMinor}.`,
    )
  }
}

export function actorOf(ctx: LedgerContext, role: Role | null): Actor {
  return { id: String(ctx.userId ?? ''), roles: role == null ? [] : [role] }
}

export function apply(batch: BatchRow, event: BatchEvent, actor: Actor, ctx: LedgerContext): Extract<TransitionResult, { ok: true }> {
  const threshold = ctx.settings.secondApproverThresholdMinor
  const result = transition(batch.record, event, actor, threshold == null ? {} : { secondApproverThresholdMinor: threshold })
  if (!result.ok) refuseTransition(result.code)
  return result
}

export function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}
