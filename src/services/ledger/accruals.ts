import { sql } from '@payloadcms/db-postgres'
import { z } from 'zod'

import {
  addDays,
  computeTieredMonth,
  localDate,
  planAccrual,
  rateHistoryEntrySchema,
  ruleInEffect,
  startOfLocalDate,
  type FraudFlag,
  type IsoDate,
  type AccrualPartner,
  type RateHistoryEntry,
  type TierConversion,
  type TieredRule,
} from '../../ledger'
import { decryptPayout } from '../../security/payout-crypto'
import { asDate, minor, type LedgerContext } from './context'
import { insertEntries, raiseFlags } from './entries'
import { applyRefunds } from './refunds'

/**
 * Posts the accrual (and review flags) for attributed conversions that have none yet. Set-based:
 * a handful of queries per call whatever the number of conversions, so the bulk import calls it
 * once per chunk and the admin's single edit calls it with one id. The unique index on
 * (organization, conversion) for accruals makes a second call a no-op: no conversion earns twice.
 */

export interface AccrualSummary {
  readonly accrued: number
  readonly flagged: number
  readonly flags: number
  readonly zeroWithError: number
  readonly refundsMatched: number
  /** Conversion id -> the rules that flagged it (and hold its money). */
  readonly flaggedRules: ReadonlyMap<number, string[]>
}

interface ConversionRow {
  id: number
  partnerId: number
  code: string
  orderId: string
  valueMinor: bigint
  currency: string
  occurredAt: Date
  customerEmail: string | null
  refundedMinor: bigint
}

export interface PartnerRow {
  id: number
  emails: string[]
  isEmployee: boolean
  rateHistory: RateHistoryEntry[]
  /** The same partner as planAccrual reads it, built once. */
  forPlan: AccrualPartner
}

const historySchema = z.array(rateHistoryEntrySchema)

export function parseRateHistory(value: unknown, partnerId: number): RateHistoryEntry[] {
  if (value == null) return []
  const parsed = historySchema.safeParse(value)
  if (!parsed.success) throw new Error(`partner ${partnerId}: invalid rate history (${parsed.error.issues[0]?.message ?? 'unreadable'})`)
  return parsed.data
}

const EMPTY: AccrualSummary = { accrued: 0, flagged: 0, flags: 0, zeroWithError: 0, refundsMatched: 0, flaggedRules: new Map() }

export interface AccrualOptions {
  /** Milliseconds per step, summed over calls: the bulk import reports them with its figures. */
  readonly timings?: Record<string, number>
  /**
   * Partners already read by earlier calls of the same operation (the chunks of one import), so
   * each partner is read, decrypted and its rate history parsed once per import, not per chunk.
   */
  readonly partnerCache?: Map<number, PartnerRow>
}

export async function accrueConversions(
  ctx: LedgerContext,
  conversionIds: readonly number[],
  options: AccrualOptions = {},
): Promise<AccrualSummary> {
  if (conversionIds.length === 0) return EMPTY
  const { db, settings } = ctx
  const { timings } = options
  let t = performance.now()
  const lap = (step: string) => {
    if (!timings) return
    const now = performance.now()
    timings[step] = (timings[step] ?? 0) + (now - t)
    t = now
  }
  // First, so refunds that were waiting for these orders count in the accrual below.
  const refundsMatched = await matchWaitingRefunds(ctx, conversionIds)
  lap('refunds')
  // "Has no accrual yet" is a lateral probe of commissions' conversion index: as an anti join, the
  // planner (whose statistics predate an import's own rows) may scan all of commissions per chunk.
  const { rows: cRows } = await db.execute(sql`
    select c.id, c.partner_id, c.code, c.order_id, c.value_minor, c.currency, c.occurred_at, c.customer_email, c.refunded_minor
      from conversions c
      left join lateral (select 1 as found from commissions m where m.conversion_id = c.id and m.kind = 'accrual' limit 1) m on true
     where c.id = any(${sql.param([...conversionIds])}::integer[]) and c.partner_id is not null and m.found is null`)
  const conversions: ConversionRow[] = cRows.map((r) => ({
    id: Number(r.id),
    partnerId: Number(r.partner_id),
    code: String(r.code),
    orderId: String(r.order_id),
    valueMinor: minor(r.value_minor),
    currency: String(r.currency),
    occurredAt: asDate(r.occurred_at),
    customerEmail: r.customer_email == null ? null : String(r.customer_email),
    refundedMinor: minor(r.refunded_minor),
  }))
  lap('conversions')
  if (conversions.length === 0) return { ...EMPTY, refundsMatched }

  const partners = await loadPartners(ctx, [...new Set(conversions.map((c) => c.partnerId))], options.partnerCache)
  lap('partners')
  const codesByOrder = await loadCodesByOrder(ctx, [...new Set(conversions.map((c) => c.orderId))])
  lap('codes')
  const dailyCounts = await loadDailyCounts(ctx, conversions)
  lap('dailyCounts')
  const monthToDate = await loadTierPositions(ctx, conversions, partners)
  lap('tiers')

  const entries: { c: ConversionRow; amount: bigint; eligibleAt: Date; status: string; explanation: unknown }[] = []
  const refundEntries: { c: ConversionRow; amount: bigint; kind: string; eligibleAt: Date; status: string }[] = []
  const flags: { c: ConversionRow; flag: FraudFlag }[] = []
  let zeroWithError = 0
  for (const c of conversions) {
    const partner = partners.get(c.partnerId)
    if (!partner) throw new Error(`conversion ${c.id}: partner ${c.partnerId} not found`)
    const plan = planAccrual({
      conversion: { ...c, id: String(c.id) },
      partner: partner.forPlan,
      codesForOrder: codesByOrder.get(c.orderId) ?? [c.code],
      partnerDailyCounts: dailyCounts.get(c.id) ?? new Map(),
      monthToDateRevenueMinor: monthToDate.get(c.id),
      settings,
      now: ctx.now,
    })
    if (plan.error) zeroWithError++
    entries.push({ c, amount: plan.amountMinor, eligibleAt: plan.eligibleAt, status: plan.status, explanation: plan.explanation })
    if (plan.refundEntry) {
      refundEntries.push({
        c,
        amount: plan.refundEntry.amountMinor,
        kind: plan.refundEntry.kind,
        eligibleAt: plan.eligibleAt,
        status: plan.status,
      })
    }
    for (const flag of plan.flags) flags.push({ c, flag })
  }
  lap('plan')

  const inserted = await insertEntries(
    ctx,
    entries.map((e) => ({
      partnerId: e.c.partnerId,
      conversionId: e.c.id,
      kind: 'accrual',
      amountMinor: e.amount,
      currency: e.c.currency,
      eligibleAt: e.eligibleAt,
      status: e.status,
      explanation: e.explanation,
    })),
  )
  lap('entries')
  // Only conversions whose accrual this call inserted get the rest: a racing call did the others.
  const mine = (c: ConversionRow) => inserted.has(c.id)
  await insertEntries(
    ctx,
    refundEntries
      .filter((e) => mine(e.c))
      .map((e) => ({
        partnerId: e.c.partnerId,
        conversionId: e.c.id,
        kind: e.kind,
        amountMinor: e.amount,
        currency: e.c.currency,
        eligibleAt: e.eligibleAt,
        status: e.status,
        explanation: { refundedBeforeAttribution: e.c.refundedMinor.toString() },
      })),
  )
  lap('refundEntries')
  const myFlags = flags.filter((f) => mine(f.c))
  await raiseFlags(
    ctx,
    myFlags.map((f) => ({ conversionId: f.c.id, partnerId: f.c.partnerId, rule: f.flag.rule, evidence: f.flag.evidence })),
  )
  lap('flags')
  await flagEarlierConversionsOfSharedOrders(ctx, conversions.filter(mine), codesByOrder)
  lap('sharedOrders')
  const flaggedRules = new Map<number, string[]>()
  for (const f of myFlags) flaggedRules.set(f.c.id, [...(flaggedRules.get(f.c.id) ?? []), f.flag.rule])
  return {
    flaggedRules,
    accrued: inserted.size,
    flagged: new Set(myFlags.map((f) => f.c.id)).size,
    flags: myFlags.length,
    zeroWithError,
    refundsMatched,
  }
}

async function loadPartners(ctx: LedgerContext, ids: number[], cache?: Map<number, PartnerRow>): Promise<Map<number, PartnerRow>> {
  const out = new Map<number, PartnerRow>()
  const missing: number[] = []
  for (const id of ids) {
    const known = cache?.get(id)
    if (known) out.set(id, known)
    else missing.push(id)
  }
  if (missing.length === 0) return out
  const { rows } = await ctx.db.execute(sql`
    select id, email, payout_email, employee, rate_history from partners where id = any(${sql.param(missing)}::integer[])`)
  for (const r of rows) {
    const id = Number(r.id)
    const payoutEmail = typeof r.payout_email === 'string' && r.payout_email !== '' ? decryptPayout(r.payout_email) : null
    const emails = [r.email, payoutEmail].filter((e): e is string => typeof e === 'string' && e !== '')
    const isEmployee = r.employee === true
    const rateHistory = parseRateHistory(r.rate_history, id)
    const row: PartnerRow = { id, emails, isEmployee, rateHistory, forPlan: { id: String(id), emails, isEmployee, rateHistory } }
    out.set(id, row)
    cache?.set(id, row)
  }
  return out
}

/** Distinct codes each order id is recorded under in the organization (RLS scopes the table). */
async function loadCodesByOrder(ctx: LedgerContext, orderIds: string[]): Promise<Map<string, string[]>> {
  const { rows } = await ctx.db.execute(sql`
    select order_id, array_agg(distinct code order by code) as codes
      from conversions where order_id = any(${sql.param(orderIds)}::text[]) group by order_id`)
  return new Map(rows.map((r) => [String(r.order_id), (r.codes as string[]).map(String)]))
}

/**
 * Per conversion: what the velocity rule needs, as a small day -> count map (its partner's count
 * on its day, and the trailing window's total on the day before, which is all checkVelocity sums).
 * Only the (partner, day) pairs of these conversions are counted, with one index range scan
 * each (the trailing window and the day are adjacent), so a chunk costs the same however much history the organization already has.
 */
async function loadDailyCounts(ctx: LedgerContext, conversions: ConversionRow[]): Promise<Map<number, Map<IsoDate, number>>> {
  const out = new Map<number, Map<IsoDate, number>>()
  const v = ctx.settings.fraud.velocity
  if (!v.enabled) return out
  const tz = ctx.settings.timeZone
  const pairs = new Map<string, { partnerId: number; day: IsoDate }>()
  const dayOf = new Map<number, IsoDate>()
  for (const c of conversions) {
    const day = localDate(c.occurredAt, tz)
    dayOf.set(c.id, day)
    pairs.set(`${c.partnerId} ${day}`, { partnerId: c.partnerId, day })
  }
  const list = [...pairs.values()]
  const at = (d: IsoDate) => startOfLocalDate(d, tz).toISOString()
  const { rows } = await ctx.db.execute(sql`
    select t.partner_id, t.day, n.on_day, n.trailing
      from unnest(${sql.param(list.map((p) => p.partnerId))}::integer[], ${sql.param(list.map((p) => p.day))}::text[],
                  ${sql.param(list.map((p) => at(p.day)))}::timestamptz[], ${sql.param(list.map((p) => at(addDays(p.day, 1))))}::timestamptz[],
                  ${sql.param(list.map((p) => at(addDays(p.day, -v.trailingDays))))}::timestamptz[])
           as t(partner_id, day, day_start, day_end, trail_start)
     cross join lateral (
       select (count(*) filter (where c.occurred_at >= t.day_start))::integer as on_day,
              (count(*) filter (where c.occurred_at < t.day_start))::integer as trailing
         from conversions c
        where c.partner_id = t.partner_id and c.occurred_at >= t.trail_start and c.occurred_at < t.day_end) n`)
  const counts = new Map(
    rows.map((r) => [`${Number(r.partner_id)} ${String(r.day)}`, { onDay: Number(r.on_day), trailing: Number(r.trailing) }]),
  )
  for (const c of conversions) {
    const day = dayOf.get(c.id) as IsoDate
    const n = counts.get(`${c.partnerId} ${day}`) ?? { onDay: 0, trailing: 0 }
    out.set(
      c.id,
      new Map([
        [day, n.onDay],
        [addDays(day, -1), n.trailing],
      ]),
    )
  }
  return out
}

/** Month-to-date revenue at each new conversion's place, for partners on a tiered rule that month. */
async function loadTierPositions(
  ctx: LedgerContext,
  conversions: ConversionRow[],
  partners: Map<number, PartnerRow>,
): Promise<Map<number, bigint>> {
  const tz = ctx.settings.timeZone
  const groups = new Map<string, { partnerId: number; month: string; rule: TieredRule }>()
  for (const c of conversions) {
    const partner = partners.get(c.partnerId)
    const date = localDate(c.occurredAt, tz)
    const inEffect = ruleInEffect(partner?.rateHistory ?? [], date, tz, ctx.settings.defaultRule)
    if (inEffect?.rule.kind !== 'tiered') continue
    const month = date.slice(0, 7)
    groups.set(`${c.partnerId} ${month}`, { partnerId: c.partnerId, month, rule: inEffect.rule })
  }
  const out = new Map<number, bigint>()
  if (groups.size === 0) return out
  // One query for every (partner, month) of the chunk, not one per group.
  const list = [...groups.values()]
  const bounds = list.map((g) => {
    const nextMonth = addDays(`${g.month}-01`, 31).slice(0, 7)
    return { start: startOfLocalDate(`${g.month}-01`, tz).toISOString(), end: startOfLocalDate(`${nextMonth}-01`, tz).toISOString() }
  })
  const { rows } = await ctx.db.execute(sql`
    select t.g, c.id, c.order_id, c.value_minor, c.currency, c.occurred_at
      from unnest(${sql.param(list.map((g) => g.partnerId))}::integer[], ${sql.param(bounds.map((b) => b.start))}::timestamptz[],
                  ${sql.param(bounds.map((b) => b.end))}::timestamptz[]) with ordinality as t(partner_id, start_at, end_at, g)
      join conversions c on c.partner_id = t.partner_id and c.occurred_at >= t.start_at and c.occurred_at < t.end_at`)
  const byGroup = list.map(() => [] as TierConversion[])
  for (const r of rows) {
    byGroup[Number(r.g) - 1]?.push({
      id: String(r.id),
      orderId: String(r.order_id),
      valueMinor: minor(r.value_minor),
      currency: String(r.currency),
      occurredAt: asDate(r.occurred_at),
    })
  }
  for (const [i, g] of list.entries()) {
    for (const p of computeTieredMonth(byGroup[i] ?? [], g.rule, tz)) out.set(Number(p.id), p.monthToDateRevenueMinor)
  }
  return out
}

/**
 * "The same order id under two codes: both are kept and both flagged." The new conversion got
 * its flag from planAccrual; the ones stored earlier under the other codes get theirs here.
 */
async function flagEarlierConversionsOfSharedOrders(ctx: LedgerContext, fresh: ConversionRow[], codesByOrder: Map<string, string[]>) {
  if (!ctx.settings.fraud.orderOnMultipleCodes.enabled) return
  const shared = [...new Set(fresh.filter((c) => (codesByOrder.get(c.orderId)?.length ?? 0) > 1).map((c) => c.orderId))]
  if (shared.length === 0) return
  const freshIds = new Set(fresh.map((c) => c.id))
  const { rows } = await ctx.db.execute(sql`
    select id, partner_id, order_id from conversions where order_id = any(${sql.param(shared)}::text[])`)
  await raiseFlags(
    ctx,
    rows
      .filter((r) => !freshIds.has(Number(r.id)))
      .map((r) => ({
        conversionId: Number(r.id),
        partnerId: r.partner_id == null ? null : Number(r.partner_id),
        rule: 'order_on_multiple_codes',
        evidence: { orderId: String(r.order_id), codes: codesByOrder.get(String(r.order_id)) ?? [] },
      })),
  )
}

/** Refunds that arrived before their conversion are matched as soon as it exists. */
async function matchWaitingRefunds(ctx: LedgerContext, conversionIds: readonly number[]): Promise<number> {
  const { rows } = await ctx.db.execute(sql`
    select r.id from refunds r
     where r.status in ('unmatched', 'ambiguous')
       and r.order_id in (select order_id from conversions where id = any(${sql.param([...conversionIds])}::integer[]))`)
  if (rows.length === 0) return 0
  const result = await applyRefunds(
    ctx,
    rows.map((r) => Number(r.id)),
  )
  return result.matched
}
