import { sql } from '@payloadcms/db-postgres'

import {
  commissionRuleSchema,
  computeRefundEntry,
  entryStatusAt,
  localDate,
  matchRefund,
  type CommissionRule,
  type PostedEntry,
} from '../../ledger'
import { asDate, minor, type LedgerContext } from './context'
import { insertEntries, type NewLedgerEntry } from './entries'

/**
 * Applies stored refunds (new, or waiting in the queue) to the ledger: match each to its
 * conversion, add it to the conversion's refunded amount, and post the negative entry the
 * refund rules call for (reversal during the hold, clawback once the money was approved).
 * Refunds that match nothing stay in the queue with the reason; nothing is dropped.
 * Set-based per call; refunds of one conversion are applied in (refunded at, id) order.
 */

export interface RefundSummary {
  readonly matched: number
  readonly unmatched: number
  readonly ambiguous: number
  readonly rejected: number
  readonly entries: number
}

interface RefundRow {
  id: number
  orderId: string
  code: string | null
  amountMinor: bigint | null
  currency: string | null
}

interface ConversionState {
  id: number
  code: string
  partnerId: number | null
  valueMinor: bigint
  currency: string
  refundedMinor: bigint
  entries: (PostedEntry & { eligibleAt: Date })[]
  held: boolean
  rule: CommissionRule | null
  monthToDateRevenueMinor: bigint | undefined
  changed: boolean
}

const LOCKED_BATCH = new Set(['approved', 'exported', 'paid'])

/** `choose`: refund id -> conversion id, a person's answer for a refund whose order is under several codes. */
export async function applyRefunds(
  ctx: LedgerContext,
  refundIds: readonly number[],
  choose: ReadonlyMap<number, number> = new Map(),
): Promise<RefundSummary> {
  const summary = { matched: 0, unmatched: 0, ambiguous: 0, rejected: 0, entries: 0 }
  if (refundIds.length === 0) return summary
  const { db } = ctx
  const { rows: rRows } = await db.execute(sql`
    select id, order_id, code, amount_minor, currency from refunds
     where id = any(${sql.param([...refundIds])}::integer[]) and status <> 'matched'
     order by refunded_at, id
     for update`)
  const refunds: RefundRow[] = rRows.map((r) => ({
    id: Number(r.id),
    orderId: String(r.order_id),
    code: r.code == null ? null : String(r.code),
    amountMinor: r.amount_minor == null ? null : minor(r.amount_minor),
    currency: r.currency == null ? null : String(r.currency),
  }))
  if (refunds.length === 0) return summary

  const byOrder = await loadConversions(ctx, [...new Set(refunds.map((r) => r.orderId.trim()))])
  const updates: {
    id: number
    status: string
    conversionId: number | null
    applied: bigint | null
    note: string | null
    explanation: unknown
  }[] = []
  const newEntries: NewLedgerEntry[] = []
  for (const refund of refunds) {
    const chosen = choose.get(refund.id)
    const candidates = byOrder.get(refund.orderId.trim()) ?? []
    const match =
      chosen === undefined
        ? matchRefund(refund, byOrder)
        : candidates.some((c) => c.id === chosen)
          ? { kind: 'matched' as const, conversion: candidates.find((c) => c.id === chosen) as ConversionState }
          : { kind: 'unmatched' as const, reason: 'chosen conversion has another order id' }
    if (match.kind === 'unmatched') {
      summary.unmatched++
      updates.push({ id: refund.id, status: 'unmatched', conversionId: null, applied: null, note: match.reason, explanation: null })
      continue
    }
    if (match.kind === 'ambiguous') {
      summary.ambiguous++
      const codes = match.candidates.map((c) => c.code).join(', ')
      updates.push({
        id: refund.id,
        status: 'ambiguous',
        conversionId: null,
        applied: null,
        note: `order is under several codes (${codes}); choose the conversion`,
        explanation: null,
      })
      continue
    }
    const c = match.conversion
    const outcome = applyOne(ctx, c, refund)
    if (!outcome.ok) {
      summary.rejected++
      updates.push({ id: refund.id, status: 'rejected', conversionId: null, applied: null, note: outcome.reason, explanation: null })
      continue
    }
    summary.matched++
    updates.push({
      id: refund.id,
      status: 'matched',
      conversionId: c.id,
      applied: outcome.applied,
      note: null,
      explanation: outcome.explanation,
    })
    if (outcome.entry) newEntries.push({ ...outcome.entry, refundId: refund.id })
  }

  const conversions = [...new Set([...byOrder.values()].flat())].filter((c) => c.changed)
  if (conversions.length > 0) {
    await db.execute(sql`
      update conversions c set refunded_minor = t.refunded, updated_at = now()
        from unnest(${sql.param(conversions.map((c) => c.id))}::integer[], ${sql.param(conversions.map((c) => c.refundedMinor.toString()))}::numeric[])
             as t(id, refunded)
       where c.id = t.id`)
  }
  await db.execute(sql`
    update refunds r set status = t.status::enum_refunds_status, conversion_id = t.conversion_id, applied_minor = t.applied,
                         note = t.note, explanation = t.explanation::jsonb, updated_at = now()
      from unnest(
        ${sql.param(updates.map((u) => u.id))}::integer[],
        ${sql.param(updates.map((u) => u.status))}::text[],
        ${sql.param(updates.map((u) => u.conversionId))}::integer[],
        ${sql.param(updates.map((u) => (u.applied == null ? null : u.applied.toString())))}::numeric[],
        ${sql.param(updates.map((u) => u.note))}::text[],
        ${sql.param(updates.map((u) => (u.explanation == null ? null : JSON.stringify(u.explanation))))}::text[]
      ) as t(id, status, conversion_id, applied, note, explanation)
     where r.id = t.id`)
  await insertEntries(ctx, newEntries)
  summary.entries = newEntries.length
  return summary
}

type ApplyOutcome =
  { ok: true; applied: bigint; entry: Omit<NewLedgerEntry, 'refundId'> | null; explanation: unknown } | { ok: false; reason: string }

function applyOne(ctx: LedgerContext, c: ConversionState, refund: RefundRow): ApplyOutcome {
  if (refund.currency != null && refund.currency !== c.currency) {
    return { ok: false, reason: `currency ${refund.currency} differs from the order's ${c.currency}` }
  }
  const remaining = c.valueMinor - c.refundedMinor
  if (remaining <= 0n && c.valueMinor > 0n) return { ok: false, reason: 'the order is already fully refunded' }
  const accrual = c.entries.find((e) => e.kind === 'accrual')
  if (!accrual || c.rule == null || c.partnerId == null) {
    // No commission yet (unattributed, or priced with an error): record the refund on the order;
    // the accrual computed later nets it.
    const applied = refund.amountMinor == null || refund.amountMinor >= remaining ? remaining : refund.amountMinor
    c.refundedMinor += applied
    c.changed = true
    return { ok: true, applied, entry: null, explanation: { steps: ['no commission posted yet; refund recorded on the order'] } }
  }
  const result = computeRefundEntry(
    {
      valueMinor: c.valueMinor,
      currency: c.currency,
      rule: c.rule,
      roundingMode: ctx.settings.roundingMode,
      monthToDateRevenueMinor: c.monthToDateRevenueMinor,
      entries: c.entries,
      refundsSoFarMinor: [c.refundedMinor],
    },
    { amountMinor: refund.amountMinor },
  )
  if (!result.ok) return { ok: false, reason: result.code }
  c.refundedMinor += result.refundAppliedMinor
  c.changed = true
  let entry: Omit<NewLedgerEntry, 'refundId'> | null = null
  if (result.entry) {
    // The original's date: during the hold it cancels money never payable; after payout (a
    // clawback) that date has passed, so it is eligible at once and nets in the next batch.
    const eligibleAt = accrual.eligibleAt
    entry = {
      partnerId: c.partnerId,
      conversionId: c.id,
      kind: result.entry.kind,
      amountMinor: result.entry.amountMinor,
      currency: c.currency,
      eligibleAt,
      status: entryStatusAt(eligibleAt, ctx.now, c.held),
      explanation: result.explanation,
    }
    c.entries.push({
      kind: result.entry.kind,
      amountMinor: result.entry.amountMinor,
      eligibleOn: accrual.eligibleOn,
      approved: false,
      eligibleAt,
    })
  }
  return { ok: true, applied: result.refundAppliedMinor, entry, explanation: result.explanation }
}

async function loadConversions(ctx: LedgerContext, orderIds: string[]): Promise<Map<string, ConversionState[]>> {
  const { db, settings } = ctx
  const { rows } = await db.execute(sql`
    select id, code, order_id, partner_id, value_minor, currency, refunded_minor,
           exists (select 1 from flags f where f.conversion_id = c.id and f.status = 'open') as held
      from conversions c where order_id = any(${sql.param(orderIds)}::text[])
     for update`)
  const states = rows.map((r): ConversionState & { orderId: string } => ({
    id: Number(r.id),
    orderId: String(r.order_id),
    code: String(r.code),
    partnerId: r.partner_id == null ? null : Number(r.partner_id),
    valueMinor: minor(r.value_minor),
    currency: String(r.currency),
    refundedMinor: minor(r.refunded_minor),
    entries: [],
    held: r.held === true,
    rule: null,
    monthToDateRevenueMinor: undefined,
    changed: false,
  }))
  const byId = new Map(states.map((s) => [s.id, s]))
  if (states.length > 0) {
    const { rows: eRows } = await db.execute(sql`
      select m.conversion_id, m.kind, m.amount_minor, m.eligible_at, m.status, m.explanation, b.status as batch_status
        from commissions m left join batches b on b.id = m.batch_id
       where m.conversion_id = any(${sql.param([...byId.keys()])}::integer[])
       order by m.id`)
    for (const e of eRows) {
      const s = byId.get(Number(e.conversion_id))
      if (!s) continue
      const eligibleAt = asDate(e.eligible_at)
      const approved = e.status === 'paid' || (e.batch_status != null && LOCKED_BATCH.has(String(e.batch_status)))
      const kind = String(e.kind)
      s.entries.push({
        kind: kind === 'accrual' || kind === 'clawback' ? kind : 'reversal',
        amountMinor: minor(e.amount_minor),
        eligibleOn: localDate(eligibleAt, settings.timeZone),
        approved,
        eligibleAt,
      })
      if (kind === 'accrual') {
        const explanation = (e.explanation ?? {}) as { rule?: unknown; monthToDateRevenueMinor?: string | null; error?: string }
        const parsed = explanation.rule ? commissionRuleSchema.safeParse(explanation.rule) : null
        s.rule = parsed?.success ? (parsed.data as CommissionRule) : null
        s.monthToDateRevenueMinor = explanation.monthToDateRevenueMinor ? BigInt(explanation.monthToDateRevenueMinor) : undefined
      }
    }
  }
  const byOrder = new Map<string, ConversionState[]>()
  for (const s of states) byOrder.set(s.orderId, [...(byOrder.get(s.orderId) ?? []), s])
  return byOrder
}
