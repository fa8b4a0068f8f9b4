import { readFileSync } from 'node:fs'
import path from 'node:path'

import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, test } from 'vitest'

import { computeCommission } from './commission'
import { allocate, divRound, type RoundingMode } from './money'

// A failing run prints its seed; replay it with MONEY_PROPERTY_SEED=<seed> npx vitest run --project unit src/ledger/money
const seed = Number(process.env.MONEY_PROPERTY_SEED ?? 7)

/** Checklist row 16: allocate(total, ratios). */
describe('allocate (property)', () => {
  const total = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n })
  // Zero ratios included; at least one ratio above zero (all-zero is refused, see below).
  const ratios = fc
    .array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 1_000_000n })), { minLength: 1, maxLength: 12 })
    .filter((r) => r.some((x) => x > 0n))

  test('the parts always sum to the total, negative totals included', () => {
    fc.assert(
      fc.property(total, ratios, (t, r) => {
        expect(allocate(t, r).reduce((a, b) => a + b, 0n)).toBe(t)
      }),
      { seed, numRuns: 2000 },
    )
  })

  test('a zero ratio gets exactly zero; every part has the sign of the total', () => {
    fc.assert(
      fc.property(total, ratios, (t, r) => {
        const parts = allocate(t, r)
        parts.forEach((p, i) => {
          if (r[i] === 0n) expect(p).toBe(0n)
          if (t >= 0n) expect(p >= 0n).toBe(true)
          else expect(p <= 0n).toBe(true)
        })
      }),
      { seed, numRuns: 2000 },
    )
  })

  test('each part is within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(total, ratios, (t, r) => {
        const sum = r.reduce((a, b) => a + b, 0n)
        allocate(t, r).forEach((p, i) => {
          // |p − t·r/sum| < 1  ⇔  |p·sum − t·r| < sum
          const diff = p * sum - t * r[i]!
          expect(diff < sum && -diff < sum).toBe(true)
        })
      }),
      { seed, numRuns: 2000 },
    )
  })

  test('deterministic: the same input gives the same parts; a negated total gives the negated parts', () => {
    fc.assert(
      fc.property(total, ratios, (t, r) => {
        expect(allocate(t, r)).toEqual(allocate(t, [...r]))
        expect(allocate(-t, r)).toEqual(allocate(t, r).map((p) => -p))
      }),
      { seed, numRuns: 1000 },
    )
  })

  test.each<[string, bigint, bigint[], bigint[]]>([
    ['moneyphp 70/30 of 5 cents: the remainder goes to the first part', 5n, [70n, 30n], [4n, 1n]],
    ['one cent over three equal parts', 1n, [1n, 1n, 1n], [1n, 0n, 0n]],
    ['ten cents over three equal parts', 10n, [1n, 1n, 1n], [4n, 3n, 3n]],
    ['minus ten cents over three', -10n, [1n, 1n, 1n], [-4n, -3n, -3n]],
    ['a zero ratio first is skipped by the remainder', 2n, [0n, 1n, 1n, 1n], [0n, 1n, 1n, 0n]],
    ['zero total', 0n, [3n, 0n, 7n], [0n, 0n, 0n]],
  ])('%s', (_name, t, r, expected) => {
    expect(allocate(t, r)).toEqual(expected)
  })

  test.each<[string, bigint[]]>([
    ['no ratios', []],
    ['all ratios zero', [0n, 0n]],
    ['a negative ratio', [1n, -1n]],
  ])('refuses %s', (_name, r) => {
    expect(() => allocate(100n, r)).toThrow()
  })
})

/** Checklist row 17: ties at x.5 minor units, against a hand-computed golden file. */
describe('rounding at x.5 minor units (golden)', () => {
  const file = path.resolve(import.meta.dirname, '../../tests/fixtures/rounding/commission-rounding.csv')
  const rows = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true }).data

  test('the golden file has ties under both modes in 0-, 2- and 3-decimal currencies', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20)
    expect(new Set(rows.map((r) => r.currency))).toEqual(new Set(['USD', 'EUR', 'JPY', 'BHD']))
    expect(new Set(rows.map((r) => r.mode))).toEqual(new Set(['half_away_from_zero', 'half_even']))
  })

  test.each(rows.map((r) => [`${r.case} ${r.currency} ${r.mode}`, r] as const))('%s', (_name, r) => {
    const result = computeCommission({
      valueMinor: BigInt(r.value_minor!),
      currency: r.currency!,
      occurredAt: new Date('2026-03-15T12:00:00Z'),
      timeZone: 'UTC',
      rateHistory: [],
      programDefault: { kind: 'percent', rateBps: BigInt(r.rate_bps!) },
      roundingMode: r.mode as RoundingMode,
    })
    expect(result.ok && result.amountMinor).toBe(BigInt(r.expected_minor!))
  })

  test.each<[bigint, bigint, RoundingMode, bigint]>([
    [-1n, 2n, 'half_away_from_zero', -1n],
    [-1n, 2n, 'half_even', 0n],
    [-3n, 2n, 'half_away_from_zero', -2n],
    [-3n, 2n, 'half_even', -2n],
    [-5n, 2n, 'half_away_from_zero', -3n],
    [-5n, 2n, 'half_even', -2n],
    [-7n, 2n, 'half_even', -4n],
  ])('negative ties (reversals): %i / %i under %s = %i', (n, d, mode, expected) => {
    expect(divRound(n, d, mode)).toBe(expected)
  })

  test('rounding is symmetric: divRound(−n) = −divRound(n) in both modes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.bigInt({ min: 1n, max: 100_000n }), (n, d) => {
        for (const mode of ['half_away_from_zero', 'half_even'] as const) expect(divRound(-n, d, mode)).toBe(-divRound(n, d, mode))
      }),
      { seed, numRuns: 1000 },
    )
  })
})
