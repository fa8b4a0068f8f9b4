import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import { writeAudit } from '../audit'
import type { LedgerContext } from '../ledger/context'
import { actorOf, apply, assertLinesConsistent, contentHashOf, jsonOf, loadBatchForUpdate, loadLines } from './common'

/**
 * Submit, approve, reject and discard. Each loads the batch FOR UPDATE, asks the state machine,
 * persists `next` and its effects, and writes one audit event, all in the caller's transaction:
 * of 50 concurrent approvals the first commits and the other 49 find the batch approved (409).
 */

export interface TransitionOutcome {
  batchId: number
  reference: string
  status: string
  contentHash: string | null
  approvals: number
  approvalsRequired?: number
  awaitingSecondApproval?: boolean
}

export async function submitBatch(ctx: LedgerContext, role: Role | null, batchId: number): Promise<TransitionOutcome> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  const lines = await loadLines(ctx, batchId)
  assertLinesConsistent(lines)
  const contentHash = contentHashOf(batchId, lines)
  const at = ctx.now.toISOString()
  const { next } = apply(batch, { type: 'submit', at, contentHash }, actorOf(ctx, role), ctx)
  await ctx.db.execute(sql`
    update batches set status = ${next.state}, submitted_by_id = ${ctx.userId}, submitted_at = ${at}, content_hash = ${contentHash},
                       updated_at = now()
     where id = ${batchId}`)
  await writeAudit(ctx.req, {
    action: 'batch.submit',
    entityType: 'batch',
    entityId: batchId,
    changes: { from: batch.status, to: next.state, contentHash, totals: batch.totals, lines: lines.length },
  })
  return { batchId, reference: batch.reference, status: next.state, contentHash, approvals: 0 }
}

export async function approveBatch(ctx: LedgerContext, role: Role | null, batchId: number): Promise<TransitionOutcome> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  // The hash is recomputed from what is stored now, so an approval can only bind to the content
  // that was submitted; any change in between is refused as content_changed.
  const lines = batch.status === 'submitted' ? await loadLines(ctx, batchId) : []
  if (batch.status === 'submitted') assertLinesConsistent(lines)
  const contentHash = batch.status === 'submitted' ? contentHashOf(batchId, lines) : (batch.contentHash ?? '')
  const at = ctx.now.toISOString()
  const result = apply(batch, { type: 'approve', at, contentHash }, actorOf(ctx, role), ctx)
  const { next } = result
  const complete = next.state === 'approved'
  if (complete) {
    await ctx.db.execute(sql`
      update batches set status = 'approved', approvals = ${jsonOf(next.approvals)}::jsonb, approved_by_id = ${ctx.userId},
                         approved_at = ${at}, updated_at = now()
       where id = ${batchId}`)
  } else {
    await ctx.db.execute(sql`update batches set approvals = ${jsonOf(next.approvals)}::jsonb, updated_at = now() where id = ${batchId}`)
  }
  await writeAudit(ctx.req, {
    action: complete ? 'batch.approve' : 'batch.approve_first',
    entityType: 'batch',
    entityId: batchId,
    changes: {
      from: batch.status,
      to: next.state,
      contentHash,
      approvals: next.approvals.length,
      awaitingSecondApproval: result.awaitingSecondApproval,
      totals: batch.totals,
    },
  })
  return {
    batchId,
    reference: batch.reference,
    status: next.state,
    contentHash,
    approvals: next.approvals.length,
    awaitingSecondApproval: result.awaitingSecondApproval,
  }
}

/** Rejected and discarded batches give their entries back to the ledger for the next draft. */
async function releaseEntries(ctx: LedgerContext, batchId: number): Promise<number> {
  const { rows } = await ctx.db.execute(sql`
    update commissions set status = 'eligible', batch_id = null, updated_at = now()
     where batch_id = ${batchId} and status = 'in_batch'
    returning id`)
  return rows.length
}

export async function rejectBatch(ctx: LedgerContext, role: Role | null, batchId: number, reason: string): Promise<TransitionOutcome> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  const at = ctx.now.toISOString()
  const { next } = apply(batch, { type: 'reject', at, reason }, actorOf(ctx, role), ctx)
  const released = await releaseEntries(ctx, batchId)
  await ctx.db.execute(sql`
    update batches set status = 'rejected', rejected_by_id = ${ctx.userId}, rejection_reason = ${next.rejection?.reason ?? reason.trim()},
                       updated_at = now()
     where id = ${batchId}`)
  await writeAudit(ctx.req, {
    action: 'batch.reject',
    entityType: 'batch',
    entityId: batchId,
    changes: { from: batch.status, to: next.state, reason: next.rejection?.reason, releasedEntries: released },
  })
  return { batchId, reference: batch.reference, status: next.state, contentHash: batch.contentHash, approvals: batch.approvals.length }
}

export async function discardBatch(ctx: LedgerContext, role: Role | null, batchId: number): Promise<TransitionOutcome> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  const { next } = apply(batch, { type: 'discard', at: ctx.now.toISOString() }, actorOf(ctx, role), ctx)
  const released = await releaseEntries(ctx, batchId)
  await ctx.db.execute(sql`update batches set status = 'discarded', updated_at = now() where id = ${batchId}`)
  await writeAudit(ctx.req, {
    action: 'batch.discard',
    entityType: 'batch',
    entityId: batchId,
    changes: { from: batch.status, to: next.state, releasedEntries: released },
  })
  return { batchId, reference: batch.reference, status: next.state, contentHash: batch.contentHash, approvals: 0 }
}
