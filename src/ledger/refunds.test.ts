import { describe, expect, test } from 'vitest'

import type { CommissionRule } from './commission'
import { computeRefundEntry, matchRefund, type PostedEntry, type RefundableConversion } from './refunds'

const accrual = (amountMinor: bigint, approved = false): PostedEntry => ({
  kind: 'accrual',
  amountMinor,
  eligibleOn: '2026-02-14',
  approved,
})

function conversion(rule: CommissionRule, accrued: bigint, patch: Partial<RefundableConversion> = {}): RefundableConversion {
  return {
    valueMinor: 10_000n,
    currency: 'USD',
    rule,
    roundingMode: 'half_away_from_zero',
    entries: [accrual(accrued)],
    refundsSoFarMinor: [],
    ...patch,
  }
}

const percent: CommissionRule = { kind: 'percent', rateBps: 1250n }
const flat: CommissionRule = { kind: 'flat', amountMinor: 500n }
const both: CommissionRule = { kind: 'percent_plus_flat', rateBps: 1000n, amountMinor: 200n }

describe('computeRefundEntry: amounts', () => {
  test.each<[string, RefundableConversion, bigint | null, boolean, bigint, bigint | null]>([
    ['percent, partial', conversion(percent, 1250n), 4_000n, false, 750n, -500n],
    ['percent, blank amount is full', conversion(percent, 1250n), null, true, 0n, -1250n],
    ['percent, exactly the value is full', conversion(percent, 1250n), 10_000n, true, 0n, -1250n],
    ['percent, more than the value is full', conversion(percent, 1250n), 99_999n, true, 0n, -1250n],
    ['percent, rounding on the net (6001 x 12.5% = 750.125)', conversion(percent, 1250n), 3_999n, false, 750n, -500n],
    ['percent, one cent refunded', conversion(percent, 1250n), 1n, false, 1250n, null], // 9999 x 12.5% = 1249.875 -> 1250
    [
      'percent, second partial',
      conversion(percent, 1250n, {
        refundsSoFarMinor: [4_000n],
        entries: [accrual(1250n), { kind: 'reversal', amountMinor: -500n, eligibleOn: '2026-02-14', approved: false }],
      }),
      2_000n,
      false,
      500n,
      -250n,
    ],
    [
      'percent, remaining value refunded is full',
      conversion(percent, 1250n, {
        refundsSoFarMinor: [4_000n],
        entries: [accrual(1250n), { kind: 'reversal', amountMinor: -500n, eligibleOn: '2026-02-14', approved: false }],
      }),
      6_000n,
      true,
      0n,
      -750n,
    ],
    ['flat, partial: kept', conversion(flat, 500n), 9_999n, false, 500n, null],
    ['flat, full: reversed', conversion(flat, 500n), null, true, 0n, -500n],
    ['percent plus flat, partial: percent part only', conversion(both, 1200n), 5_000n, false, 700n, -500n],
    ['percent plus flat, full', conversion(both, 1200n), null, true, 0n, -1200n],
    ['cap still binds after a partial refund', conversion({ ...percent, capMinor: 300n }, 300n), 5_000n, false, 300n, null],
    ['cap stops binding', conversion({ ...percent, capMinor: 300n }, 300n), 8_000n, false, 250n, -50n],
    [
      'minimum order tested on the original value',
      conversion({ ...percent, minOrderValueMinor: 9_000n }, 1250n),
      5_000n,
      false,
      625n,
      -625n,
    ],
    [
      'below minimum from the start: nothing to take back',
      conversion({ ...percent, minOrderValueMinor: 20_000n }, 0n),
      5_000n,
      false,
      0n,
      null,
    ],
    [
      'tiered keeps the rate of its month-to-date',
      conversion(
        {
          kind: 'tiered',
          tiers: [
            { thresholdMinor: 0n, rateBps: 500n },
            { thresholdMinor: 50_000n, rateBps: 1000n },
          ],
        },
        1000n,
        { monthToDateRevenueMinor: 60_000n },
      ),
      5_000n,
      false,
      500n,
      -500n,
    ],
    [
      'a rejected (already zeroed) commission posts nothing',
      conversion(percent, 1250n, {
        entries: [accrual(1250n), { kind: 'reversal', amountMinor: -1250n, eligibleOn: '2026-02-14', approved: false }],
      }),
      5_000n,
      false,
      625n,
      null,
    ],
  ])('%s', (_name, conv, amountMinor, fullRefund, target, entryAmount) => {
    const r = computeRefundEntry(conv, { amountMinor })
    if (!r.ok) throw new Error(r.code)
    expect(r.fullRefund).toBe(fullRefund)
    expect(r.targetCommissionMinor).toBe(target)
    expect(r.entry?.amountMinor ?? null).toBe(entryAmount)
  })

  test('JPY and BHD follow the currency minor units', () => {
    const jpy = computeRefundEntry(conversion(percent, 250n, { valueMinor: 1999n, currency: 'JPY' }), {
      amountMinor: 999n,
      currency: 'JPY',
    })
    expect(jpy).toMatchObject({ ok: true, targetCommissionMinor: 125n, entry: { amountMinor: -125n } }) // 1000 x 12.5% = 125
    // 1.988 BHD x 12.5% = 248.5 fils: the tie goes to 249 or, under half-even, to 248.
    const bhd = conversion(percent, 250n, { valueMinor: 1999n, currency: 'BHD' })
    expect(computeRefundEntry(bhd, { amountMinor: 11n })).toMatchObject({
      ok: true,
      targetCommissionMinor: 249n,
      entry: { amountMinor: -1n },
    })
    expect(computeRefundEntry({ ...bhd, roundingMode: 'half_even' }, { amountMinor: 11n })).toMatchObject({
      ok: true,
      targetCommissionMinor: 248n,
      entry: { amountMinor: -2n },
    })
  })
})

describe('computeRefundEntry: reversal or clawback', () => {
  test.each<[string, boolean, 'reversal' | 'clawback']>([
    ['original still in hold', false, 'reversal'],
    ['original approved or paid', true, 'clawback'],
  ])('%s', (_name, approved, kind) => {
    const r = computeRefundEntry(conversion(percent, 1250n, { entries: [accrual(1250n, approved)] }), { amountMinor: null })
    // The negative entry is eligible when the original was: during the hold it cancels unpaid
    // money; after payout the date is past, so the clawback is netted in the next batch.
    expect(r).toMatchObject({ ok: true, entry: { kind, amountMinor: -1250n, eligibleOn: '2026-02-14' } })
  })

  test('existing entries are never modified', () => {
    const entries = [accrual(1250n)]
    const frozen = JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    computeRefundEntry(conversion(percent, 1250n, { entries }), { amountMinor: 100n })
    expect(JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(frozen)
  })

  test('the explanation is JSON-safe', () => {
    const r = computeRefundEntry(conversion(percent, 1250n), { amountMinor: 4_000n })
    if (!r.ok) throw new Error(r.code)
    expect(JSON.parse(JSON.stringify(r.explanation))).toEqual(r.explanation)
    expect(r.explanation).toMatchObject({
      refundAppliedMinor: '4000',
      netValueMinor: '6000',
      postedSoFarMinor: '1250',
      targetCommissionMinor: '750',
    })
  })
})

describe('computeRefundEntry: expected failures', () => {
  test.each<[string, RefundableConversion, bigint | null, string | undefined, string]>([
    ['zero amount', conversion(percent, 1250n), 0n, undefined, 'invalid_refund_amount'],
    ['negative amount', conversion(percent, 1250n), -5n, undefined, 'invalid_refund_amount'],
    ['other currency', conversion(percent, 1250n), 5n, 'EUR', 'currency_mismatch'],
    ['already fully refunded', conversion(percent, 1250n, { refundsSoFarMinor: [10_000n] }), null, undefined, 'already_fully_refunded'],
    ['nothing was accrued', conversion(percent, 0n, { entries: [] }), null, undefined, 'no_accrual'],
    [
      'tiered without its month-to-date',
      conversion({ kind: 'tiered', tiers: [{ thresholdMinor: 0n, rateBps: 1n }] }, 1n),
      5n,
      undefined,
      'missing_month_to_date',
    ],
  ])('%s', (_name, conv, amountMinor, currency, code) => {
    expect(computeRefundEntry(conv, { amountMinor, currency })).toEqual({ ok: false, code })
  })

  test('refunds beyond the value are an impossible state', () => {
    expect(() => computeRefundEntry(conversion(percent, 1250n, { refundsSoFarMinor: [10_001n] }), { amountMinor: 1n })).toThrow()
  })
})

describe('matchRefund', () => {
  const c = (id: string, code: string) => ({ id, code })
  const byOrder = new Map([
    ['1001', [c('a', 'JANE')]],
    ['1002', [c('b', 'JANE'), c('c', 'BOB')]],
  ])
  test.each<[string, string, string | null | undefined, unknown]>([
    ['by order id', '1001', undefined, { kind: 'matched', conversion: c('a', 'JANE') }],
    ['order id is trimmed', ' 1001 ', undefined, { kind: 'matched', conversion: c('a', 'JANE') }],
    ['code that agrees', '1001', 'JANE', { kind: 'matched', conversion: c('a', 'JANE') }],
    ['code that does not', '1001', 'BOB', { kind: 'unmatched', reason: 'code_not_on_order' }],
    ['unknown order', '9999', undefined, { kind: 'unmatched', reason: 'unknown_order_id' }],
    ['several codes, none named', '1002', undefined, { kind: 'ambiguous', candidates: [c('b', 'JANE'), c('c', 'BOB')] }],
    ['several codes, blank code', '1002', '  ', { kind: 'ambiguous', candidates: [c('b', 'JANE'), c('c', 'BOB')] }],
    ['several codes, one named', '1002', 'BOB', { kind: 'matched', conversion: c('c', 'BOB') }],
  ])('%s', (_name, orderId, code, expected) => {
    expect(matchRefund({ orderId, code }, byOrder)).toEqual(expected)
  })
})
