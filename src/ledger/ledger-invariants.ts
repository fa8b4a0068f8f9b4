/**
 * What must hold for one conversion's ledger entries, however many refunds and batches went by.
 * The expected amount is restated here from the rules, independently of refunds.ts, so a test
 * (or a service before commit) can check that code against the rules rather than against itself.
 */
import { tierFor, type CommissionRule } from './commission'
import { applyRateBps, type RoundingMode } from './money'

export interface AmountEntry {
  readonly amountMinor: bigint
}

export function sumMinor(entries: readonly AmountEntry[]): bigint {
  return entries.reduce((total, e) => total + e.amountMinor, 0n)
}

export interface ConversionState {
  readonly rule: CommissionRule
  readonly valueMinor: bigint
  readonly refundedMinor: bigint
  /** A blank or whole-value refund happened (a zero-value order can be fully refunded too). */
  readonly fullyRefunded: boolean
  readonly roundingMode: RoundingMode
  readonly monthToDateRevenueMinor?: bigint | undefined
}

/**
 * The commission a conversion should carry after its refunds, straight from ledger-rules.md:
 * nothing after a full refund or below the minimum order value; otherwise the rate on the net
 * value, rounded once, plus the flat part, then the cap.
 */
export function expectedCommissionMinor(s: ConversionState): bigint {
  const { rule } = s
  if (s.fullyRefunded) return 0n
  if (rule.minOrderValueMinor !== undefined && s.valueMinor < rule.minOrderValueMinor) return 0n
  const net = s.valueMinor - s.refundedMinor
  let rateBps = 0n
  if (rule.kind === 'percent' || rule.kind === 'percent_plus_flat') rateBps = rule.rateBps
  if (rule.kind === 'tiered') {
    if (s.monthToDateRevenueMinor === undefined) throw new Error('tiered rule checked without its month-to-date revenue')
    rateBps = tierFor(rule.tiers, s.monthToDateRevenueMinor)?.tier.rateBps ?? 0n
  }
  const flat = rule.kind === 'flat' || rule.kind === 'percent_plus_flat' ? rule.amountMinor : 0n
  const total = applyRateBps(net, rateBps, s.roundingMode) + flat
  return rule.capMinor !== undefined && total > rule.capMinor ? rule.capMinor : total
}

export type InvariantViolation =
  | { readonly code: 'total_mismatch'; readonly totalMinor: bigint; readonly expectedMinor: bigint }
  | { readonly code: 'negative_total'; readonly totalMinor: bigint }
  | { readonly code: 'full_refund_not_zero'; readonly totalMinor: bigint }

export function checkConversionLedger(state: ConversionState, entries: readonly AmountEntry[]): InvariantViolation[] {
  const totalMinor = sumMinor(entries)
  const out: InvariantViolation[] = []
  const expectedMinor = expectedCommissionMinor(state)
  if (totalMinor !== expectedMinor) out.push({ code: 'total_mismatch', totalMinor, expectedMinor })
  if (totalMinor < 0n) out.push({ code: 'negative_total', totalMinor })
  if (state.fullyRefunded && totalMinor !== 0n) out.push({ code: 'full_refund_not_zero', totalMinor })
  return out
}

export interface HistoryEntry {
  readonly kind: string
  readonly amountMinor: bigint
  readonly eligibleOn: string
}

export type HistoryViolation =
  | { readonly code: 'history_shortened'; readonly before: number; readonly after: number }
  | { readonly code: 'history_edited'; readonly index: number }

/**
 * Later history must start with earlier history, entry for entry. Only the entry's own fields are
 * compared: batch state (approved, paid) lives beside an entry and legitimately moves on.
 */
export function checkAppendOnly(before: readonly HistoryEntry[], after: readonly HistoryEntry[]): HistoryViolation | null {
  if (after.length < before.length) return { code: 'history_shortened', before: before.length, after: after.length }
  for (const [index, b] of before.entries()) {
    const a = after[index]
    if (!a || a.kind !== b.kind || a.amountMinor !== b.amountMinor || a.eligibleOn !== b.eligibleOn) {
      return { code: 'history_edited', index }
    }
  }
  return null
}
