import { sql } from '@payloadcms/db-postgres'

import { canonicalCode } from '../../ledger'
import { underNamedEvent, writeAudit } from '../audit'
import { accrueConversions, type AccrualSummary } from './accruals'
import type { LedgerContext } from './context'
import { LedgerConflict } from './flags'
import { applyRefunds } from './refunds'

/**
 * The unattributed queue's two actions. Both attach the code to a partner (so later imports
 * match it by themselves), attribute every waiting conversion under that code, and compute their
 * commission then, through the same accrual path as an import. One audit event each.
 */
export async function assignCode(ctx: LedgerContext, rawCode: string, partnerId: number) {
  const code = canonical(ctx, rawCode)
  const { db } = ctx
  const { rows: p } = await db.execute(sql`select id, name from partners where id = ${partnerId}`)
  if (!p[0]) throw new LedgerConflict('partner_not_found', `Partner ${partnerId} not found.`)
  const { rows: existing } = await db.execute(sql`select partner_id from partner_codes where code = ${code}`)
  const owner = existing[0] ? Number(existing[0].partner_id) : null
  if (owner != null && owner !== partnerId) {
    throw new LedgerConflict('code_taken', `Code ${code} already belongs to partner ${owner}; a code belongs to one partner.`)
  }
  if (owner == null) {
    // conversion.assigned below names the code: the one event of this action.
    await underNamedEvent(ctx.req, () =>
      ctx.req.payload.create({
        collection: 'partner-codes',
        data: { code, partner: partnerId, organization: ctx.organizationId },
        req: ctx.req,
        overrideAccess: false,
      }),
    )
  }
  const { rows } = await db.execute(sql`
    update conversions set partner_id = ${partnerId}, status = 'attributed', updated_at = now()
     where code = ${code} and status = 'unattributed'
    returning id`)
  const ids = rows.map((r) => Number(r.id))
  const summary: AccrualSummary = await accrueConversions(ctx, ids)
  await writeAudit(ctx.req, {
    action: 'conversion.assigned',
    entityType: 'partner',
    entityId: partnerId,
    changes: { code, conversions: ids.length, ...summary },
  })
  return { code, partnerId, conversions: ids.length, ...summary }
}

export async function createPartnerForCode(ctx: LedgerContext, rawCode: string, partner: { name: string; email?: string | null }) {
  const code = canonical(ctx, rawCode)
  const name = partner.name.trim()
  if (name === '') throw new LedgerConflict('name_required', 'The new partner needs a name.')
  const created = await ctx.req.payload.create({
    collection: 'partners',
    data: { name, email: partner.email || undefined, status: 'active', organization: ctx.organizationId },
    req: ctx.req,
    overrideAccess: false,
  })
  return assignCode(ctx, code, created.id)
}

/** A refund whose order is under several codes, matched to the conversion a person chose. */
export async function assignRefund(ctx: LedgerContext, refundId: number, conversionId: number) {
  const { rows } = await ctx.db.execute(sql`select status from refunds where id = ${refundId}`)
  if (!rows[0]) return null
  if (rows[0].status === 'matched') throw new LedgerConflict('already_matched', `Refund ${refundId} is already matched.`)
  const summary = await applyRefunds(ctx, [refundId], new Map([[refundId, conversionId]]))
  if (summary.matched !== 1) {
    const { rows: after } = await ctx.db.execute(sql`select note from refunds where id = ${refundId}`)
    throw new LedgerConflict(
      'not_applied',
      `Refund ${refundId} could not be applied to conversion ${conversionId}: ${String(after[0]?.note ?? '')}`,
    )
  }
  await writeAudit(ctx.req, {
    action: 'refund.assigned',
    entityType: 'refund',
    entityId: refundId,
    changes: { conversion: conversionId, ...summary },
  })
  return { refundId, conversionId, ...summary }
}

function canonical(ctx: LedgerContext, raw: string): string {
  const c = canonicalCode(raw, { linkParams: ctx.settings.linkParams, linkPathPrefixes: ctx.settings.linkPathPrefixes })
  if (!c.ok) throw new LedgerConflict('invalid_code', `"${raw}" is not a usable code.`)
  return c.code
}
