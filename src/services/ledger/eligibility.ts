import { sql } from '@payloadcms/db-postgres'

import { writeAudit } from '../audit'
import type { LedgerContext } from './context'

/**
 * Moves pending entries whose eligibility instant has passed to eligible. Status is the only
 * thing that moves (the database refuses anything else). Runs before a batch is drafted; balances,
 * the dashboard and the statement compute the same status at read time (balances.ts), so their
 * readers never see a stale "pending". The admin's raw commissions list shows the stored status
 * until the next draft promotes it.
 * One audit event per run that moved something, with the count and the instant used.
 */
export async function promoteEligible(ctx: LedgerContext): Promise<number> {
  const { rows } = await ctx.db.execute(sql`
    update commissions set status = 'eligible', updated_at = now()
     where status = 'pending' and eligible_at <= ${ctx.now.toISOString()}
    returning id`)
  if (rows.length > 0) {
    await writeAudit(ctx.req, {
      action: 'commission.eligible',
      entityType: 'commission',
      entityId: 'hold-period',
      changes: { entries: rows.length, asOf: ctx.now.toISOString() },
    })
  }
  return rows.length
}
