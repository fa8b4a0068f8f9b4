import { sql } from '@payloadcms/db-postgres'

import { writeAudit } from '../audit'
import { asDate, minor, type LedgerContext } from './context'
import { insertEntries } from './entries'

export type FlagDecision = 'clear' | 'reject'

export class LedgerConflict extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'LedgerConflict'
  }
}

/**
 * A manager's decision on a review flag, with a reason, audited.
 * - clear: the flag closes; when no other flag on the conversion is open, its held entries follow
 *   the normal rules again (pending or eligible by date).
 * - reject: the flag closes and a reversal cancels what the conversion still carries (a clawback
 *   if that money was already approved); the conversion's entries are released so they net to
 *   zero in the next batch instead of sitting in "held" forever.
 */
export async function decideFlag(ctx: LedgerContext, flagId: number, decision: FlagDecision, reason: string) {
  const why = reason.trim()
  if (why === '') throw new LedgerConflict('reason_required', 'A decision needs a reason.')
  const { db } = ctx
  const { rows } = await db.execute(sql`
    select f.id, f.status, f.rule, f.conversion_id, c.partner_id, c.currency
      from flags f join conversions c on c.id = f.conversion_id
     where f.id = ${flagId} for update of f`)
  const flag = rows[0]
  if (!flag) return null
  if (flag.status !== 'open') throw new LedgerConflict('already_decided', `Flag ${flagId} was already ${String(flag.status)}.`)
  const conversionId = Number(flag.conversion_id)
  // Serialises decisions on one conversion, so two managers rejecting two of its flags post one reversal.
  await db.execute(sql`select id from conversions where id = ${conversionId} for update`)
  await db.execute(sql`
    update flags set status = ${decision === 'clear' ? 'cleared' : 'rejected'}::enum_flags_status, decided_by_id = ${ctx.userId},
                     decided_at = ${ctx.now.toISOString()}, reason = ${why}, updated_at = now()
     where id = ${flagId}`)

  let reversal: bigint | null = null
  if (decision === 'reject') reversal = await cancelConversion(ctx, conversionId, `flag ${String(flag.rule)} rejected: ${why}`)
  const { rows: open } = await db.execute(sql`select 1 from flags where conversion_id = ${conversionId} and status = 'open' limit 1`)
  const released = open.length === 0 || decision === 'reject' ? await releaseHeld(ctx, conversionId) : 0
  await writeAudit(ctx.req, {
    action: decision === 'clear' ? 'flag.cleared' : 'flag.rejected',
    entityType: 'flag',
    entityId: flagId,
    changes: {
      rule: flag.rule,
      conversion: conversionId,
      reason: why,
      releasedEntries: released,
      ...(reversal != null ? { reversalMinor: reversal.toString() } : {}),
    },
  })
  return { id: flagId, status: decision === 'clear' ? 'cleared' : 'rejected', releasedEntries: released, reversalMinor: reversal }
}

/** Posts the negative entry that brings the conversion's commission to zero; returns it, or null if nothing was left. */
async function cancelConversion(ctx: LedgerContext, conversionId: number, reason: string): Promise<bigint | null> {
  const { rows } = await ctx.db.execute(sql`
    select m.partner_id, m.currency, m.amount_minor, m.eligible_at, m.kind, m.status, b.status as batch_status
      from commissions m left join batches b on b.id = m.batch_id
     where m.conversion_id = ${conversionId} order by m.id`)
  const accrual = rows.find((r) => r.kind === 'accrual')
  if (!accrual) return null
  const net = rows.reduce((sum, r) => sum + minor(r.amount_minor), 0n)
  if (net <= 0n) return null
  const approved = accrual.status === 'paid' || ['approved', 'exported', 'paid'].includes(String(accrual.batch_status))
  const eligibleAt = asDate(accrual.eligible_at)
  await insertEntries(ctx, [
    {
      partnerId: Number(accrual.partner_id),
      conversionId,
      kind: approved ? 'clawback' : 'reversal',
      amountMinor: -net,
      currency: String(accrual.currency),
      eligibleAt,
      // Released together with the held accrual below, so both land in the same batch.
      status: 'held',
      explanation: { steps: [`flag rejected: cancels the ${net} still carried`] },
      reason,
    },
  ])
  return -net
}

async function releaseHeld(ctx: LedgerContext, conversionId: number): Promise<number> {
  const { rows } = await ctx.db.execute(sql`
    update commissions set status = case when eligible_at <= ${ctx.now.toISOString()} then 'eligible' else 'pending' end::enum_commissions_status,
                           updated_at = now()
     where conversion_id = ${conversionId} and status = 'held'
    returning id`)
  return rows.length
}
