/**
 * Commission rules and the one function that prices a conversion. Every amount is bigint minor
 * units and every rate integer basis points; the single fraction of a minor unit is settled by
 * money.ts, once per entry. The explanation is stored with the entry so a partner or a reviewer
 * can see why an amount is what it is, even after the program's rules have changed.
 */
import { toLocalDate, type IsoDate } from './calendar'
import { applyRateBps, type RoundingMode } from './money'

/** Optional limits any rule kind may carry. Absolute amounts are in `currency` when it is set. */
export interface RuleLimits {
  readonly capMinor?: bigint | undefined
  readonly minOrderValueMinor?: bigint | undefined
  /** Currency of the rule's absolute amounts (flat, cap, min order, tier thresholds). */
  readonly currency?: string | undefined
}

export interface Tier {
  readonly thresholdMinor: bigint
  readonly rateBps: bigint
}

export type PercentRule = RuleLimits & { readonly kind: 'percent'; readonly rateBps: bigint }
export type FlatRule = RuleLimits & { readonly kind: 'flat'; readonly amountMinor: bigint }
export type PercentPlusFlatRule = RuleLimits & {
  readonly kind: 'percent_plus_flat'
  readonly rateBps: bigint
  readonly amountMinor: bigint
}
export type TieredRule = RuleLimits & { readonly kind: 'tiered'; readonly tiers: readonly Tier[] }
export type CommissionRule = PercentRule | FlatRule | PercentPlusFlatRule | TieredRule
export type CommissionRuleKind = CommissionRule['kind']

/** One row of a partner's rate history. */
export interface RateHistoryEntry {
  /** A Date is placed on its calendar date in the organization's time zone. */
  readonly effectiveFrom: Date | IsoDate
  readonly rule: CommissionRule
  readonly version?: string | undefined
}

export interface RuleInEffect {
  readonly rule: CommissionRule
  readonly source: 'partner_rate_history' | 'program_default'
  readonly effectiveFrom: IsoDate | null
  readonly version: string | null
}

/**
 * The partner's latest rule that starts on or before the conversion date, else the program default.
 * Rules change on whole dates because the rules speak of "the rule in effect on the conversion's
 * date"; two rows with the same date resolve to the later row (the later decision).
 */
export function ruleInEffect(
  history: readonly RateHistoryEntry[],
  conversionDate: IsoDate,
  timeZone: string,
  programDefault: CommissionRule | null,
): RuleInEffect | null {
  let best: RuleInEffect | null = null
  for (const h of history) {
    const from = toLocalDate(h.effectiveFrom, timeZone)
    if (from > conversionDate) continue
    if (best && best.effectiveFrom !== null && from < best.effectiveFrom) continue
    best = { rule: h.rule, source: 'partner_rate_history', effectiveFrom: from, version: h.version ?? null }
  }
  if (best) return best
  if (programDefault) return { rule: programDefault, source: 'program_default', effectiveFrom: null, version: null }
  return null
}

/** The tier reached by month-to-date revenue: the highest threshold at or below it. */
export function tierFor(tiers: readonly Tier[], monthToDateRevenueMinor: bigint): { index: number; tier: Tier } | null {
  let found: { index: number; tier: Tier } | null = null
  for (const [index, tier] of tiers.entries()) {
    if (tier.thresholdMinor > monthToDateRevenueMinor) continue
    if (!found || tier.thresholdMinor >= found.tier.thresholdMinor) found = { index, tier }
  }
  return found
}

export type ZeroReason = 'below_min_order_value' | 'below_first_tier'

/** The arithmetic of one rule applied to one value, before it is wrapped in an explanation. */
export interface RuleAmount {
  readonly amountMinor: bigint
  readonly rateBps: bigint | null
  readonly flatMinor: bigint | null
  readonly tier: { index: number; thresholdMinor: bigint; rateBps: bigint } | null
  readonly exactPercentMinor: string | null
  readonly capped: boolean
  readonly zeroReason: ZeroReason | null
  readonly steps: readonly string[]
}

export type RuleAmountError = 'invalid_rule' | 'missing_month_to_date'

/** Exact decimal of n / 10^4, for showing the unrounded product ("249.875"). */
function exactOverTenThousand(n: bigint): string {
  const neg = n < 0n
  const abs = neg ? -n : n
  const whole = abs / 10_000n
  const frac = (abs % 10_000n).toString().padStart(4, '0').replace(/0+$/, '')
  return (neg ? '-' : '') + whole.toString() + (frac ? '.' + frac : '')
}

function ruleIsValid(rule: CommissionRule): boolean {
  const nonNeg = (v: bigint | undefined): boolean => v === undefined || v >= 0n
  if (!nonNeg(rule.capMinor) || !nonNeg(rule.minOrderValueMinor)) return false
  switch (rule.kind) {
    case 'percent':
      return rule.rateBps >= 0n
    case 'flat':
      return rule.amountMinor >= 0n
    case 'percent_plus_flat':
      return rule.rateBps >= 0n && rule.amountMinor >= 0n
    case 'tiered':
      return rule.tiers.length > 0 && rule.tiers.every((t) => t.rateBps >= 0n && t.thresholdMinor >= 0n)
  }
}

export interface RuleAmountOptions {
  readonly roundingMode: RoundingMode
  /** Tiered rules only: the partner's month-to-date revenue including this conversion. */
  readonly monthToDateRevenueMinor?: bigint | undefined
  /**
   * The order value the minimum is tested against. Refunds pass the original value: the minimum
   * decides whether an order earns at all, it is not re-tested as refunds shrink the net value.
   */
  readonly minOrderBasisMinor?: bigint | undefined
}

/** Applies a rule to a value. Rounds once (the percent part); flat and cap are whole units already. */
export function ruleAmount(
  rule: CommissionRule,
  valueMinor: bigint,
  options: RuleAmountOptions,
): { ok: true; value: RuleAmount } | { ok: false; code: RuleAmountError } {
  if (!ruleIsValid(rule)) return { ok: false, code: 'invalid_rule' }
  const mode = options.roundingMode
  const steps: string[] = []
  const minBasis = options.minOrderBasisMinor ?? valueMinor
  const zero = (zeroReason: ZeroReason): { ok: true; value: RuleAmount } => ({
    ok: true,
    value: { amountMinor: 0n, rateBps: null, flatMinor: null, tier: null, exactPercentMinor: null, capped: false, zeroReason, steps },
  })

  if (rule.minOrderValueMinor !== undefined && minBasis < rule.minOrderValueMinor) {
    steps.push(`order value ${minBasis} < minimum order value ${rule.minOrderValueMinor}: commission 0`)
    return zero('below_min_order_value')
  }

  let rateBps: bigint | null = null
  let tier: RuleAmount['tier'] = null
  if (rule.kind === 'percent' || rule.kind === 'percent_plus_flat') rateBps = rule.rateBps
  if (rule.kind === 'tiered') {
    const mtd = options.monthToDateRevenueMinor
    if (mtd === undefined) return { ok: false, code: 'missing_month_to_date' }
    const reached = tierFor(rule.tiers, mtd)
    if (!reached) {
      steps.push(`month-to-date revenue ${mtd} is below the first tier threshold: commission 0`)
      return zero('below_first_tier')
    }
    tier = { index: reached.index, thresholdMinor: reached.tier.thresholdMinor, rateBps: reached.tier.rateBps }
    rateBps = reached.tier.rateBps
    steps.push(`month-to-date revenue ${mtd} reaches tier ${reached.index + 1} (from ${reached.tier.thresholdMinor}): ${rateBps} bps`)
  }

  let amountMinor = 0n
  let exactPercentMinor: string | null = null
  if (rateBps !== null) {
    exactPercentMinor = exactOverTenThousand(valueMinor * rateBps)
    amountMinor = applyRateBps(valueMinor, rateBps, mode)
    steps.push(`${valueMinor} x ${rateBps} bps / 10000 = ${exactPercentMinor} -> ${amountMinor} (${mode})`)
  }
  const flatMinor = rule.kind === 'flat' || rule.kind === 'percent_plus_flat' ? rule.amountMinor : null
  if (flatMinor !== null) {
    steps.push(rateBps === null ? `flat ${flatMinor}` : `${amountMinor} + flat ${flatMinor} = ${amountMinor + flatMinor}`)
    amountMinor += flatMinor
  }
  let capped = false
  if (rule.capMinor !== undefined && amountMinor > rule.capMinor) {
    steps.push(`${amountMinor} exceeds the cap ${rule.capMinor}: ${rule.capMinor}`)
    amountMinor = rule.capMinor
    capped = true
  }
  return { ok: true, value: { amountMinor, rateBps, flatMinor, tier, exactPercentMinor, capped, zeroReason: null, steps } }
}

/** JSON-safe record of why a commission is what it is; bigints are decimal strings. */
export interface CommissionExplanation {
  readonly ruleKind: CommissionRuleKind
  readonly ruleSource: RuleInEffect['source']
  readonly ruleEffectiveFrom: IsoDate | null
  readonly ruleVersion: string | null
  readonly conversionDate: IsoDate
  readonly currency: string
  readonly valueMinor: string
  readonly rateBps: string | null
  readonly flatMinor: string | null
  readonly capMinor: string | null
  readonly minOrderValueMinor: string | null
  readonly monthToDateRevenueMinor: string | null
  readonly tier: { index: number; thresholdMinor: string; rateBps: string } | null
  readonly roundingMode: RoundingMode
  readonly exactPercentMinor: string | null
  readonly capped: boolean
  readonly zeroReason: ZeroReason | null
  readonly steps: readonly string[]
  readonly amountMinor: string
}

export interface CommissionInput {
  readonly valueMinor: bigint
  readonly currency: string
  readonly occurredAt: Date | IsoDate
  /** The organization's time zone: decides the conversion's date. */
  readonly timeZone: string
  readonly rateHistory: readonly RateHistoryEntry[]
  readonly programDefault: CommissionRule | null
  readonly roundingMode: RoundingMode
  /** Required for tiered rules: see computeTieredMonth. */
  readonly monthToDateRevenueMinor?: bigint | undefined
}

export type CommissionError = RuleAmountError | 'no_rule_in_effect' | 'negative_value' | 'currency_mismatch'

export type CommissionResult =
  { ok: true; amountMinor: bigint; rule: CommissionRule; explanation: CommissionExplanation } | { ok: false; code: CommissionError }

function usesAbsoluteAmounts(rule: CommissionRule): boolean {
  return rule.kind !== 'percent' || rule.capMinor !== undefined || rule.minOrderValueMinor !== undefined
}

const str = (v: bigint | null | undefined): string | null => (v === null || v === undefined ? null : v.toString())

export function computeCommission(input: CommissionInput): CommissionResult {
  if (input.valueMinor < 0n) return { ok: false, code: 'negative_value' }
  const conversionDate = toLocalDate(input.occurredAt, input.timeZone)
  const inEffect = ruleInEffect(input.rateHistory, conversionDate, input.timeZone, input.programDefault)
  if (!inEffect) return { ok: false, code: 'no_rule_in_effect' }
  const { rule } = inEffect
  // A flat 500 means five dollars or five hundred yen depending on currency; never guess which.
  if (rule.currency !== undefined && rule.currency !== input.currency && usesAbsoluteAmounts(rule)) {
    return { ok: false, code: 'currency_mismatch' }
  }
  const mtd = rule.kind === 'tiered' ? input.monthToDateRevenueMinor : undefined
  const priced = ruleAmount(rule, input.valueMinor, { roundingMode: input.roundingMode, monthToDateRevenueMinor: mtd })
  if (!priced.ok) return priced
  const a = priced.value
  const explanation: CommissionExplanation = {
    ruleKind: rule.kind,
    ruleSource: inEffect.source,
    ruleEffectiveFrom: inEffect.effectiveFrom,
    ruleVersion: inEffect.version,
    conversionDate,
    currency: input.currency,
    valueMinor: input.valueMinor.toString(),
    rateBps: str(a.rateBps),
    flatMinor: str(a.flatMinor),
    capMinor: str(rule.capMinor),
    minOrderValueMinor: str(rule.minOrderValueMinor),
    monthToDateRevenueMinor: str(mtd),
    tier: a.tier && { index: a.tier.index, thresholdMinor: a.tier.thresholdMinor.toString(), rateBps: a.tier.rateBps.toString() },
    roundingMode: input.roundingMode,
    exactPercentMinor: a.exactPercentMinor,
    capped: a.capped,
    zeroReason: a.zeroReason,
    steps: a.steps,
    amountMinor: a.amountMinor.toString(),
  }
  return { ok: true, amountMinor: a.amountMinor, rule, explanation }
}

/** A partner's conversion as the tier computation needs it. */
export interface TierConversion {
  readonly id: string
  readonly occurredAt: Date
  readonly orderId: string
  readonly valueMinor: bigint
  readonly currency: string
}

export interface TierPosition {
  readonly id: string
  /** 'YYYY-MM' in the organization's time zone. */
  readonly month: string
  readonly monthToDateRevenueMinor: bigint
  readonly tierIndex: number | null
  readonly rateBps: bigint
}

/** (occurredAt, orderId) is the rules' order; the id only breaks exact ties so results never depend on input order. */
function compareForTiers(a: TierConversion, b: TierConversion): number {
  const t = a.occurredAt.getTime() - b.occurredAt.getTime()
  if (t !== 0) return t
  if (a.orderId !== b.orderId) return a.orderId < b.orderId ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * Month-to-date revenue and tier of each of one partner's conversions, each at its own place in
 * (occurredAt, orderId) order, counting itself. A late-imported conversion for an earlier day gets
 * the tier of its place; callers price only the conversions that have no entry yet and never
 * reprice the others (history is not edited), even though their positions are returned too.
 * Revenue is summed per currency: thresholds cannot be compared across currencies without a rate.
 */
export function computeTieredMonth(conversions: readonly TierConversion[], rule: TieredRule, timeZone: string): TierPosition[] {
  const sorted = [...conversions].sort(compareForTiers)
  const running = new Map<string, bigint>()
  return sorted.map((c) => {
    const month = toLocalDate(c.occurredAt, timeZone).slice(0, 7)
    const key = `${month} ${c.currency}`
    const mtd = (running.get(key) ?? 0n) + c.valueMinor
    running.set(key, mtd)
    const reached = tierFor(rule.tiers, mtd)
    return { id: c.id, month, monthToDateRevenueMinor: mtd, tierIndex: reached?.index ?? null, rateBps: reached?.tier.rateBps ?? 0n }
  })
}
