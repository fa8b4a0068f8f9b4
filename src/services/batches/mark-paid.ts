import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import { writeAudit } from '../audit'
import type { LedgerContext } from '../ledger/context'
import { isIsoDate } from '../../ledger'
import { actorOf, apply, BatchRefusal, loadBatchForUpdate, loadLines, refuseTransition } from './common'

export interface MarkPaidRequest {
  paymentReference: string
  /** YYYY-MM-DD, the day the money left. */
  paidOn: string
  /** Only these lines; default every open line. */
  lineIds?: number[]
}

export interface MarkPaidResult {
  batchId: number
  status: string
  paidLines: number
  openLines: number
  paidEntries: number
}

/**
 * Records a payment: the chosen lines (or all open ones) move open -> paid with the reference
 * and date, their ledger entries in_batch -> paid; the batch becomes paid when no line is left
 * open. The state machine validates every call (role, exported, reference, date) even when only
 * some lines are paid and the batch's own state does not move yet.
 */
export async function markBatchPaid(
  ctx: LedgerContext,
  role: Role | null,
  batchId: number,
  request: MarkPaidRequest,
): Promise<MarkPaidResult> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  // The state machine checks the shape; a real calendar date is checked here (2026-02-30 is not one).
  if (/^\d{4}-\d{2}-\d{2}$/.test(request.paidOn) && !isIsoDate(request.paidOn)) refuseTransition('paid_on_invalid')
  const { next } = apply(
    batch,
    { type: 'mark_paid', at: ctx.now.toISOString(), paymentReference: request.paymentReference, paidOn: request.paidOn },
    actorOf(ctx, role),
    ctx,
  )
  const lines = await loadLines(ctx, batchId)
  const chosen =
    request.lineIds === undefined ? lines.filter((l) => l.status === 'open') : request.lineIds.map((id) => lines.find((l) => l.id === id))
  const missing = request.lineIds?.find((id, i) => chosen[i] === undefined)
  if (missing !== undefined) throw new BatchRefusal('line_not_found', `Line ${missing} is not a line of batch ${batch.reference}.`)
  const targets = chosen.filter((l) => l !== undefined)
  const alreadyPaid = targets.find((l) => l.status === 'paid')
  if (alreadyPaid) {
    throw new BatchRefusal(
      'line_already_paid',
      `Line ${alreadyPaid.lineNo} (${alreadyPaid.partnerName}) was already marked paid with reference ${alreadyPaid.paymentReference ?? ''}.`,
    )
  }
  if (targets.length === 0) throw new BatchRefusal('line_already_paid', 'Every line of this batch is already paid.')

  const reference = request.paymentReference.trim()
  const paidAt = `${request.paidOn}T00:00:00.000Z`
  const lineIds = targets.map((l) => l.id)
  const entryIds = targets.flatMap((l) => l.entryIds)
  await ctx.db.execute(sql`
    update batch_lines set status = 'paid', paid_at = ${paidAt}, payment_reference = ${reference}, updated_at = now()
     where id = any(${sql.param(lineIds)}::integer[]) and status = 'open'`)
  const { rows: paidEntries } = await ctx.db.execute(sql`
    update commissions set status = 'paid', paid_at = ${paidAt}, payment_reference = ${reference}, updated_at = now()
     where id = any(${sql.param(entryIds)}::integer[]) and batch_id = ${batchId} and status = 'in_batch'
    returning id`)
  const openLines = lines.length - lines.filter((l) => l.status === 'paid').length - targets.length
  const status = openLines === 0 ? next.state : batch.status
  if (openLines === 0) {
    await ctx.db.execute(sql`
      update batches set status = ${next.state}, paid_at = ${paidAt}, payment_reference = ${reference}, updated_at = now()
       where id = ${batchId}`)
  }
  await writeAudit(ctx.req, {
    action: openLines === 0 ? 'batch.mark_paid' : 'batch.mark_lines_paid',
    entityType: 'batch',
    entityId: batchId,
    changes: {
      from: batch.status,
      to: status,
      paymentReference: reference,
      paidOn: request.paidOn,
      lines: targets.map((l) => ({ id: l.id, lineNo: l.lineNo, amountMinor: l.amountMinor.toString(), currency: l.currency })),
      entries: paidEntries.length,
      openLines,
    },
  })
  return { batchId, status, paidLines: targets.length, openLines, paidEntries: paidEntries.length }
}
