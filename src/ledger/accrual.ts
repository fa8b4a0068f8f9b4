/**
 * Everything that decides a conversion's first ledger entry, in one pure step: the rule in effect
 * and its amount (commission.ts), the review flags (fraud.ts), the eligibility date (hold.ts) and,
 * when refunds arrived before the conversion was attributed, the negative entry they call for
 * (refunds.ts). The bulk import and the single edit in the admin both call this.
 */
import { startOfLocalDate, type IsoDate } from './calendar'
import { computeCommission, type CommissionError, type CommissionRule, type RateHistoryEntry } from './commission'
import { fraudFlags, type FraudFlag } from './fraud'
import { eligibilityDate, entryStatusAt, type EntryStatus } from './hold'
import { computeRefundEntry, type NewEntry } from './refunds'
import type { ProgramSettings } from './settings'

export interface AccrualConversion {
  readonly id: string
  readonly orderId: string
  readonly code: string
  readonly valueMinor: bigint
  readonly currency: string
  readonly occurredAt: Date
  readonly customerEmail: string | null
  /** Refunds applied before the conversion had a partner (and so an entry). */
  readonly refundedMinor: bigint
}

export interface AccrualPartner {
  readonly id: string
  readonly emails: readonly string[]
  readonly isEmployee: boolean
  readonly rateHistory: readonly RateHistoryEntry[]
}

export interface AccrualInput {
  readonly conversion: AccrualConversion
  readonly partner: AccrualPartner
  readonly codesForOrder: readonly string[]
  readonly partnerDailyCounts: ReadonlyMap<IsoDate, number>
  /** Tiered rules only: the partner's month-to-date revenue at this conversion's place. */
  readonly monthToDateRevenueMinor?: bigint | undefined
  readonly settings: ProgramSettings
  readonly now: Date
}

export interface PlannedAccrual {
  readonly amountMinor: bigint
  readonly eligibleOn: IsoDate
  readonly eligibleAt: Date
  readonly status: EntryStatus
  readonly flags: readonly FraudFlag[]
  /** JSON-safe: the explanation plus the rule itself, so a later refund reprices with the same rule. */
  readonly explanation: Record<string, unknown>
  readonly error: CommissionError | null
  /** A negative entry for refunds that came first; null when there were none (or nothing to take back). */
  readonly refundEntry: NewEntry | null
}

/** A rule as JSON (bigints as strings), the shape commissionRuleSchema reads back. */
export function ruleToJson(rule: CommissionRule): Record<string, unknown> {
  return convertRule(rule)
}

// A program prices thousands of conversions with a handful of rule objects: convert each once.
const ruleJsons = new WeakMap<CommissionRule, Readonly<Record<string, unknown>>>()

function ruleJson(rule: CommissionRule): Readonly<Record<string, unknown>> {
  let json = ruleJsons.get(rule)
  if (!json) {
    json = Object.freeze(convertRule(rule))
    ruleJsons.set(rule, json)
  }
  return json
}

function convertRule(rule: CommissionRule): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(rule).map(([k, v]) => [
      k,
      typeof v === 'bigint'
        ? v.toString()
        : Array.isArray(v)
          ? v.map((t: Record<string, unknown>) => Object.fromEntries(Object.entries(t).map(([a, b]) => [a, String(b)])))
          : v,
    ]),
  )
}

export function planAccrual(input: AccrualInput): PlannedAccrual {
  const { conversion: c, settings } = input
  const tz = settings.timeZone
  const eligibleOn = eligibilityDate(c.occurredAt, settings.holdDays, tz)
  const eligibleAt = startOfLocalDate(eligibleOn, tz)
  const flags = fraudFlags(
    {
      conversion: { orderId: c.orderId, code: c.code, customerEmail: c.customerEmail, occurredAt: c.occurredAt },
      partner: { id: input.partner.id, emails: input.partner.emails, isEmployee: input.partner.isEmployee },
      codesForOrder: input.codesForOrder,
      partnerDailyCounts: input.partnerDailyCounts,
      timeZone: tz,
    },
    settings.fraud,
  )
  const status = entryStatusAt(eligibleAt, input.now, flags.length > 0)
  const priced = computeCommission({
    valueMinor: c.valueMinor,
    currency: c.currency,
    occurredAt: c.occurredAt,
    timeZone: tz,
    rateHistory: input.partner.rateHistory,
    programDefault: settings.defaultRule,
    roundingMode: settings.roundingMode,
    monthToDateRevenueMinor: input.monthToDateRevenueMinor,
  })
  if (!priced.ok) {
    // Stored as a zero entry that says why, so the conversion is visibly unpaid instead of missing.
    return {
      amountMinor: 0n,
      eligibleOn,
      eligibleAt,
      status,
      flags,
      explanation: { error: priced.code, conversionDate: eligibleOn, valueMinor: c.valueMinor.toString(), currency: c.currency },
      error: priced.code,
      refundEntry: null,
    }
  }
  let refundEntry: NewEntry | null = null
  if (c.refundedMinor > 0n) {
    const r = computeRefundEntry(
      {
        valueMinor: c.valueMinor,
        currency: c.currency,
        rule: priced.rule,
        roundingMode: settings.roundingMode,
        monthToDateRevenueMinor: input.monthToDateRevenueMinor,
        entries: [{ kind: 'accrual', amountMinor: priced.amountMinor, eligibleOn, approved: false }],
        refundsSoFarMinor: [],
      },
      { amountMinor: c.refundedMinor },
    )
    if (r.ok) refundEntry = r.entry
  }
  return {
    amountMinor: priced.amountMinor,
    eligibleOn,
    eligibleAt,
    status,
    flags,
    explanation: { ...priced.explanation, rule: ruleJson(priced.rule) },
    error: null,
    refundEntry,
  }
}
