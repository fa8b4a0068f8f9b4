import { sql } from '@payloadcms/db-postgres'

import { isKnownCurrency } from '../../ledger'
import { writeAudit } from '../audit'
import { minor, type LedgerContext } from './context'
import { LedgerConflict } from './flags'

/**
 * Entries a manager posts by hand, always with a reason and an audit event. An adjustment is any
 * non-zero amount; a write-off closes a partner's negative balance in one currency (the amount is
 * computed here, never typed, so a write-off can only ever bring the balance to zero).
 */
export async function postAdjustment(
  ctx: LedgerContext,
  input: { partnerId: number; amountMinor: bigint; currency: string; reason: string },
): Promise<{ id: number; amountMinor: bigint }> {
  const reason = input.reason.trim()
  if (reason === '') throw new LedgerConflict('reason_required', 'An adjustment needs a reason.')
  if (input.amountMinor === 0n) throw new LedgerConflict('amount_zero', 'An adjustment of zero changes nothing.')
  if (!isKnownCurrency(input.currency)) throw new LedgerConflict('unknown_currency', `Unknown currency ${input.currency}.`)
  const id = await insertManual(ctx, input.partnerId, 'adjustment', input.amountMinor, input.currency, reason)
  await writeAudit(ctx.req, {
    action: 'commission.adjusted',
    entityType: 'commission',
    entityId: id,
    changes: { partner: input.partnerId, amountMinor: input.amountMinor.toString(), currency: input.currency, reason },
  })
  return { id, amountMinor: input.amountMinor }
}

export async function writeOffNegativeBalance(
  ctx: LedgerContext,
  input: { partnerId: number; currency: string; reason: string },
): Promise<{ id: number; amountMinor: bigint }> {
  const reason = input.reason.trim()
  if (reason === '') throw new LedgerConflict('reason_required', 'A write-off needs a reason.')
  // Lock the partner's open entries so a batch draft or a second write-off cannot interleave.
  const { rows } = await ctx.db.execute(sql`
    select amount_minor from commissions
     where partner_id = ${input.partnerId} and currency = ${input.currency} and status in ('pending', 'eligible') and batch_id is null
     for update`)
  const balance = rows.reduce((sum, r) => sum + minor(r.amount_minor), 0n)
  if (balance >= 0n) {
    throw new LedgerConflict(
      'not_negative',
      `Partner ${input.partnerId} has no negative ${input.currency} balance to write off (${balance}).`,
    )
  }
  const id = await insertManual(ctx, input.partnerId, 'write_off', -balance, input.currency, reason)
  await writeAudit(ctx.req, {
    action: 'commission.written_off',
    entityType: 'commission',
    entityId: id,
    changes: {
      partner: input.partnerId,
      balanceMinor: balance.toString(),
      amountMinor: (-balance).toString(),
      currency: input.currency,
      reason,
    },
  })
  return { id, amountMinor: -balance }
}

async function insertManual(ctx: LedgerContext, partnerId: number, kind: string, amount: bigint, currency: string, reason: string) {
  const { rows } = await ctx.db.execute(sql`
    insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, reason, created_by_id, explanation,
                             organization_id, updated_at, created_at)
    select id, ${kind}::enum_commissions_kind, ${amount.toString()}::numeric, ${currency}, ${ctx.now.toISOString()}, 'eligible', ${reason},
           ${ctx.userId}, ${JSON.stringify({ manual: kind, reason })}::jsonb, ${ctx.organizationId}, now(), now()
      from partners where id = ${partnerId}
    returning id`)
  const row = rows[0]
  if (!row) throw new LedgerConflict('partner_not_found', `Partner ${partnerId} not found.`)
  return Number(row.id)
}
