import fc from 'fast-check'
import { describe, expect, test } from 'vitest'

import { computeCommission, type CommissionRule } from './commission'
import { checkAppendOnly, checkConversionLedger, expectedCommissionMinor, type ConversionState } from './ledger-invariants'
import type { RoundingMode } from './money'
import { computeRefundEntry, type PostedEntry } from './refunds'

// A failing run prints its seed; replay it with LEDGER_PROPERTY_SEED=<seed> npx vitest run ...
const seed = Number(process.env.LEDGER_PROPERTY_SEED ?? 42)

describe('checkConversionLedger', () => {
  const state: ConversionState = {
    rule: { kind: 'percent', rateBps: 1000n },
    valueMinor: 10_000n,
    refundedMinor: 0n,
    fullyRefunded: false,
    roundingMode: 'half_away_from_zero',
  }
  test.each<[string, Partial<ConversionState>, bigint[], string[]]>([
    ['accrual only', {}, [1000n], []],
    ['after a partial refund', { refundedMinor: 4000n }, [1000n, -400n], []],
    ['missing reversal', { refundedMinor: 4000n }, [1000n], ['total_mismatch']],
    ['over-reversed', { refundedMinor: 4000n }, [1000n, -1100n], ['total_mismatch', 'negative_total']],
    ['full refund left money', { refundedMinor: 10_000n, fullyRefunded: true }, [1000n, -999n], ['total_mismatch', 'full_refund_not_zero']],
    ['flat survives a partial refund', { rule: { kind: 'flat', amountMinor: 300n }, refundedMinor: 9_999n }, [300n], []],
  ])('%s', (_name, patch, amounts, codes) => {
    expect(
      checkConversionLedger(
        { ...state, ...patch },
        amounts.map((amountMinor) => ({ amountMinor })),
      ).map((v) => v.code),
    ).toEqual(codes)
  })
})

describe('checkAppendOnly', () => {
  const e = (amountMinor: bigint, kind = 'accrual') => ({ kind, amountMinor, eligibleOn: '2026-02-14' })
  test.each<[string, ReturnType<typeof e>[], ReturnType<typeof e>[], string | null]>([
    ['appended', [e(10n)], [e(10n), e(-5n, 'reversal')], null],
    ['unchanged', [e(10n)], [e(10n)], null],
    ['edited amount', [e(10n)], [e(5n)], 'history_edited'],
    ['edited kind', [e(10n)], [e(10n, 'clawback')], 'history_edited'],
    ['deleted', [e(10n), e(-5n)], [e(10n)], 'history_shortened'],
    ['reordered', [e(10n), e(-5n)], [e(-5n), e(10n)], 'history_edited'],
  ])('%s', (_name, before, after, code) => {
    expect(checkAppendOnly(before, after)?.code ?? null).toBe(code)
  })
})

type Step = { kind: 'refund'; amountMinor: bigint | null } | { kind: 'approve' }

const amounts = fc.bigInt({ min: 0n, max: 100_000n })
const bps = fc.bigInt({ min: 0n, max: 10_000n })
const limits = fc.record({ capMinor: amounts, minOrderValueMinor: fc.bigInt({ min: 0n, max: 200_000n }) }, { requiredKeys: [] })
const ruleArb: fc.Arbitrary<CommissionRule> = fc.oneof(
  fc.tuple(bps, limits).map(([rateBps, l]): CommissionRule => ({ kind: 'percent', rateBps, ...l })),
  fc.tuple(amounts, limits).map(([amountMinor, l]): CommissionRule => ({ kind: 'flat', amountMinor, ...l })),
  fc
    .tuple(bps, amounts, limits)
    .map(([rateBps, amountMinor, l]): CommissionRule => ({ kind: 'percent_plus_flat', rateBps, amountMinor, ...l })),
  fc.tuple(bps, bps, fc.bigInt({ min: 1n, max: 2_000_000n }), limits).map(([low, high, thresholdMinor, l]): CommissionRule => ({
    kind: 'tiered',
    tiers: [
      { thresholdMinor: 0n, rateBps: low },
      { thresholdMinor, rateBps: high },
    ],
    ...l,
  })),
)
const stepArb = (valueMinor: bigint): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .option(fc.bigInt({ min: -10n, max: valueMinor + valueMinor / 5n + 2n }), { freq: 5 })
        .map((amountMinor): Step => ({ kind: 'refund', amountMinor })),
    },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'approve' }) },
  )
const scenarioArb = fc
  .record({
    valueMinor: fc.bigInt({ min: 0n, max: 2_000_000n }),
    rule: ruleArb,
    roundingMode: fc.constantFrom<RoundingMode>('half_away_from_zero', 'half_even'),
    monthToDateRevenueMinor: fc.bigInt({ min: 0n, max: 2_000_000n }),
  })
  .chain((s) => fc.record({ s: fc.constant(s), steps: fc.array(stepArb(s.valueMinor), { maxLength: 10 }) }))

describe('ledger properties over random conversions and refunds', () => {
  test('totals follow the rules, never go negative, and history is only appended', () => {
    fc.assert(
      fc.property(scenarioArb, ({ s, steps }) => {
        const accrual = computeCommission({
          valueMinor: s.valueMinor,
          currency: 'USD',
          occurredAt: '2026-01-15',
          timeZone: 'UTC',
          rateHistory: [],
          programDefault: s.rule,
          roundingMode: s.roundingMode,
          monthToDateRevenueMinor: s.monthToDateRevenueMinor,
        })
        if (!accrual.ok) throw new Error(accrual.code)
        let entries: PostedEntry[] = [{ kind: 'accrual', amountMinor: accrual.amountMinor, eligibleOn: '2026-02-14', approved: false }]
        const refunds: bigint[] = []
        let fullyRefunded = false
        const state = (): ConversionState => ({ ...s, refundedMinor: refunds.reduce((a, b) => a + b, 0n), fullyRefunded })
        expect(checkConversionLedger(state(), entries)).toEqual([])

        for (const step of steps) {
          const before = entries.map((e) => ({ ...e }))
          if (step.kind === 'approve') {
            entries = entries.map((e) => ({ ...e, approved: true }))
          } else {
            const r = computeRefundEntry(
              {
                valueMinor: s.valueMinor,
                currency: 'USD',
                rule: s.rule,
                roundingMode: s.roundingMode,
                monthToDateRevenueMinor: s.monthToDateRevenueMinor,
                entries,
                refundsSoFarMinor: refunds,
              },
              { amountMinor: step.amountMinor },
            )
            if (!r.ok) {
              const invalid = step.amountMinor !== null && step.amountMinor <= 0n
              expect(r.code).toBe(invalid ? 'invalid_refund_amount' : 'already_fully_refunded')
              continue
            }
            refunds.push(r.refundAppliedMinor)
            fullyRefunded ||= r.fullRefund
            if (r.entry) {
              expect(r.entry.amountMinor).toBeLessThan(0n)
              expect(r.entry.eligibleOn).toBe('2026-02-14')
              expect(r.entry.kind).toBe(entries[0]!.approved ? 'clawback' : 'reversal')
              entries = [...entries, { ...r.entry, approved: false }]
            }
          }
          expect(checkAppendOnly(before, entries)).toBeNull()
          expect(checkConversionLedger(state(), entries)).toEqual([])
        }
        if (fullyRefunded) expect(entries.reduce((a, e) => a + e.amountMinor, 0n)).toBe(0n)
      }),
      { seed, numRuns: 200 },
    )
  })

  test('percent: the total equals the rate on the final net value, rounded once', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        bps,
        fc.array(fc.bigInt({ min: 1n, max: 1_000_000n }), { maxLength: 6 }),
        (valueMinor, rateBps, asked) => {
          const rule: CommissionRule = { kind: 'percent', rateBps }
          const base = { valueMinor, currency: 'USD', rule, roundingMode: 'half_away_from_zero' as const }
          const first = computeCommission({ ...base, occurredAt: '2026-01-15', timeZone: 'UTC', rateHistory: [], programDefault: rule })
          if (!first.ok) throw new Error(first.code)
          const entries: PostedEntry[] = [{ kind: 'accrual', amountMinor: first.amountMinor, eligibleOn: '2026-02-14', approved: true }]
          const refunds: bigint[] = []
          let full = false
          for (const amountMinor of asked) {
            if (full) break
            const r = computeRefundEntry({ ...base, entries, refundsSoFarMinor: refunds }, { amountMinor })
            if (!r.ok) throw new Error(r.code)
            refunds.push(r.refundAppliedMinor)
            full = r.fullRefund
            if (r.entry) entries.push({ ...r.entry, approved: false })
          }
          const net = valueMinor - refunds.reduce((a, b) => a + b, 0n)
          const total = entries.reduce((a, e) => a + e.amountMinor, 0n)
          expect(total).toBe(
            expectedCommissionMinor({
              rule,
              valueMinor,
              refundedMinor: valueMinor - net,
              fullyRefunded: full,
              roundingMode: 'half_away_from_zero',
            }),
          )
          expect(total).toBe(full ? 0n : (net * rateBps * 2n + 10_000n) / 20_000n) // half-up on non-negatives, written out by hand
        },
      ),
      { seed, numRuns: 200 },
    )
  })
})
