/**
 * Refunds turn into new negative entries; nothing already posted is edited. The commission a
 * conversion should carry after its refunds is recomputed from scratch and compared with the sum
 * of what was posted, so rounding differences can never accumulate across partial refunds.
 */
import type { IsoDate } from './calendar'
import { ruleAmount, type CommissionRule, type RuleAmountError } from './commission'
import type { RoundingMode } from './money'

export type EntryKind = 'accrual' | 'reversal' | 'clawback'

/** A ledger entry already posted for the conversion, in posting order. */
export interface PostedEntry {
  readonly kind: EntryKind
  readonly amountMinor: bigint
  readonly eligibleOn: IsoDate
  /** In an approved (or exported, or paid) batch: money that left, or is about to leave. */
  readonly approved: boolean
}

export interface RefundableConversion {
  readonly valueMinor: bigint
  readonly currency: string
  /** The rule its accrual was priced with (from the explanation), not today's rule. */
  readonly rule: CommissionRule
  readonly roundingMode: RoundingMode
  /** Tiered rules: the month-to-date revenue its accrual used, so the rate stays the same. */
  readonly monthToDateRevenueMinor?: bigint | undefined
  readonly entries: readonly PostedEntry[]
  /** Amounts applied by earlier refunds (each already limited to the value remaining then). */
  readonly refundsSoFarMinor: readonly bigint[]
}

export interface NewRefund {
  /** null: a blank amount, which means a full refund. */
  readonly amountMinor: bigint | null
  readonly currency?: string | undefined
}

export interface NewEntry {
  readonly kind: 'reversal' | 'clawback'
  /** Always negative. */
  readonly amountMinor: bigint
  readonly eligibleOn: IsoDate
}

export interface RefundExplanation {
  readonly valueMinor: string
  readonly refundedBeforeMinor: string
  readonly refundAppliedMinor: string
  readonly fullRefund: boolean
  readonly netValueMinor: string
  readonly postedSoFarMinor: string
  readonly targetCommissionMinor: string
  readonly steps: readonly string[]
}

export type RefundError = 'currency_mismatch' | 'invalid_refund_amount' | 'already_fully_refunded' | 'no_accrual' | RuleAmountError

export type RefundResult =
  | {
      ok: true
      /** What this refund counts for: the amount given, or the remaining value if it was blank or larger. */
      refundAppliedMinor: bigint
      fullRefund: boolean
      netValueMinor: bigint
      targetCommissionMinor: bigint
      /** null when nothing changes (a partial refund of a flat commission, or a capped one). */
      entry: NewEntry | null
      explanation: RefundExplanation
    }
  | { ok: false; code: RefundError }

const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n)

export function computeRefundEntry(conversion: RefundableConversion, refund: NewRefund): RefundResult {
  if (refund.currency !== undefined && refund.currency !== conversion.currency) return { ok: false, code: 'currency_mismatch' }
  if (refund.amountMinor !== null && refund.amountMinor <= 0n) return { ok: false, code: 'invalid_refund_amount' }
  const refundedBefore = sum(conversion.refundsSoFarMinor)
  if (refundedBefore > conversion.valueMinor) throw new Error('refunds so far exceed the conversion value')
  const remaining = conversion.valueMinor - refundedBefore
  if (remaining === 0n && conversion.valueMinor > 0n) return { ok: false, code: 'already_fully_refunded' }
  const original = conversion.entries.find((e) => e.kind === 'accrual')
  if (!original) return { ok: false, code: 'no_accrual' }

  const fullRefund = refund.amountMinor === null || refund.amountMinor >= remaining
  const applied = fullRefund ? remaining : (refund.amountMinor as bigint)
  const net = remaining - applied
  const steps: string[] = [`net value ${conversion.valueMinor} - ${refundedBefore + applied} refunded = ${net}`]

  let target = 0n
  if (fullRefund) {
    steps.push('full refund: commission 0 (flat parts are reversed too)')
  } else {
    // Only the percent part follows the net value; a flat part stays until a full refund.
    const priced = ruleAmount(conversion.rule, net, {
      roundingMode: conversion.roundingMode,
      monthToDateRevenueMinor: conversion.monthToDateRevenueMinor,
      minOrderBasisMinor: conversion.valueMinor,
    })
    if (!priced.ok) return priced
    target = priced.value.amountMinor
    steps.push(...priced.value.steps)
  }

  const posted = sum(conversion.entries.map((e) => e.amountMinor))
  const delta = target - posted
  steps.push(`commission ${target} - posted ${posted} = ${delta}`)
  // A refund only ever takes money back. A positive delta means something else already took
  // more (a rejected flag, a manual entry); paying it back out is not a refund's decision.
  const entry: NewEntry | null =
    delta < 0n ? { kind: original.approved ? 'clawback' : 'reversal', amountMinor: delta, eligibleOn: original.eligibleOn } : null
  const explanation: RefundExplanation = {
    valueMinor: conversion.valueMinor.toString(),
    refundedBeforeMinor: refundedBefore.toString(),
    refundAppliedMinor: applied.toString(),
    fullRefund,
    netValueMinor: net.toString(),
    postedSoFarMinor: posted.toString(),
    targetCommissionMinor: target.toString(),
    steps,
  }
  return { ok: true, refundAppliedMinor: applied, fullRefund, netValueMinor: net, targetCommissionMinor: target, entry, explanation }
}

export interface RefundRef {
  readonly orderId: string
  /** Canonical code, when the refund row names one. */
  readonly code?: string | null | undefined
}

export type RefundMatch<T> =
  | { readonly kind: 'matched'; readonly conversion: T }
  | { readonly kind: 'unmatched'; readonly reason: 'unknown_order_id' | 'code_not_on_order' }
  /** The order id is under several codes and the refund names none: a person must choose. */
  | { readonly kind: 'ambiguous'; readonly candidates: readonly T[] }

/**
 * Finds the conversion a refund belongs to. `conversionsByOrderId` is keyed by trimmed order id
 * within one organization. Unmatched refunds are kept in a queue by the caller, never dropped.
 */
export function matchRefund<T extends { readonly code: string }>(
  refund: RefundRef,
  conversionsByOrderId: ReadonlyMap<string, readonly T[]>,
): RefundMatch<T> {
  const all = conversionsByOrderId.get(refund.orderId.trim()) ?? []
  if (all.length === 0) return { kind: 'unmatched', reason: 'unknown_order_id' }
  const code = refund.code?.trim() ? refund.code.trim() : null
  const candidates = code === null ? all : all.filter((c) => c.code === code)
  if (candidates.length === 0) return { kind: 'unmatched', reason: 'code_not_on_order' }
  const [only] = candidates
  if (candidates.length === 1 && only !== undefined) return { kind: 'matched', conversion: only }
  return { kind: 'ambiguous', candidates }
}
