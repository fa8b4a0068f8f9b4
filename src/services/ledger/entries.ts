import { sql } from '@payloadcms/db-postgres'

import type { LedgerContext } from './context'

/** The two bulk writes every ledger use case shares: new entries, and new flags that hold money. */

export interface NewLedgerEntry {
  readonly partnerId: number
  readonly conversionId: number | null
  readonly kind: string
  readonly amountMinor: bigint
  readonly currency: string
  readonly eligibleAt: Date
  readonly status: string
  readonly explanation: unknown
  readonly refundId?: number | null
  readonly reason?: string | null
}

const jsonText = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))

/**
 * One INSERT for many entries. Accruals that already exist are skipped by the unique index;
 * returns the conversion ids whose entry this statement inserted.
 */
export async function insertEntries(ctx: LedgerContext, entries: readonly NewLedgerEntry[]): Promise<Set<number>> {
  if (entries.length === 0) return new Set()
  const col = <T>(f: (e: NewLedgerEntry) => T) => sql.param(entries.map(f))
  const { rows } = await ctx.db.execute(sql`
    insert into commissions (partner_id, conversion_id, kind, amount_minor, currency, eligible_at, status, explanation, refund_id, reason,
                             created_by_id, organization_id, updated_at, created_at)
    select t.partner_id, t.conversion_id, t.kind::enum_commissions_kind, t.amount_minor, t.currency, t.eligible_at,
           t.status::enum_commissions_status, t.explanation::jsonb, t.refund_id, t.reason, ${ctx.userId}, ${ctx.organizationId}, now(), now()
      from unnest(
        ${col((e) => e.partnerId)}::integer[],
        ${col((e) => e.conversionId)}::integer[],
        ${col((e) => e.kind)}::text[],
        ${col((e) => e.amountMinor.toString())}::numeric[],
        ${col((e) => e.currency)}::text[],
        ${col((e) => e.eligibleAt.toISOString())}::timestamptz[],
        ${col((e) => e.status)}::text[],
        ${col((e) => jsonText(e.explanation ?? null))}::text[],
        ${col((e) => e.refundId ?? null)}::integer[],
        ${col((e) => e.reason ?? null)}::text[]
      ) as t(partner_id, conversion_id, kind, amount_minor, currency, eligible_at, status, explanation, refund_id, reason)
    on conflict (organization_id, conversion_id) where kind = 'accrual' do nothing
    returning conversion_id`)
  return new Set(rows.map((r) => Number(r.conversion_id)))
}

export interface NewFlag {
  readonly conversionId: number
  readonly partnerId: number | null
  readonly rule: string
  readonly evidence: unknown
}

/** Raises flags (one per conversion and rule, by the unique index) and holds the conversions' open money. */
export async function raiseFlags(ctx: LedgerContext, flags: readonly NewFlag[]): Promise<number> {
  if (flags.length === 0) return 0
  const col = <T>(f: (e: NewFlag) => T) => sql.param(flags.map(f))
  const { rows } = await ctx.db.execute(sql`
    insert into flags (conversion_id, partner_id, rule, evidence, status, organization_id, updated_at, created_at)
    select t.conversion_id, t.partner_id, t.rule::enum_flags_rule, t.evidence::jsonb, 'open', ${ctx.organizationId}, now(), now()
      from unnest(${col((f) => f.conversionId)}::integer[], ${col((f) => f.partnerId)}::integer[], ${col((f) => f.rule)}::text[],
                  ${col((f) => jsonText(f.evidence))}::text[]) as t(conversion_id, partner_id, rule, evidence)
    on conflict (organization_id, conversion_id, rule) do nothing
    returning conversion_id`)
  const ids = [...new Set(rows.map((r) => Number(r.conversion_id)))]
  if (ids.length > 0) {
    await ctx.db.execute(sql`
      update commissions set status = 'held', updated_at = now()
       where conversion_id = any(${sql.param(ids)}::integer[]) and status in ('pending', 'eligible')`)
  }
  return rows.length
}
