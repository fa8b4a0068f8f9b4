import { describe, expect, test } from 'vitest'

import {
  computeCommission,
  computeTieredMonth,
  ruleInEffect,
  type CommissionInput,
  type CommissionRule,
  type RateHistoryEntry,
  type TieredRule,
} from './commission'
import type { RoundingMode } from './money'

const base: CommissionInput = {
  valueMinor: 1999n,
  currency: 'USD',
  occurredAt: new Date('2026-03-15T12:00:00Z'),
  timeZone: 'UTC',
  rateHistory: [],
  programDefault: { kind: 'percent', rateBps: 1000n },
  roundingMode: 'half_away_from_zero',
}

function amount(input: Partial<CommissionInput> & { rule?: CommissionRule }): bigint {
  const { rule, ...rest } = input
  const r = computeCommission({ ...base, ...(rule ? { programDefault: rule } : {}), ...rest })
  if (!r.ok) throw new Error(r.code)
  return r.amountMinor
}

describe('percent rule and rounding', () => {
  test.each<[string, string, bigint, bigint, RoundingMode, bigint]>([
    ['rules example: 1,999 cents at 12.5% = 249.875', 'USD', 1999n, 1250n, 'half_away_from_zero', 250n],
    ['same under half-even (not a tie)', 'USD', 1999n, 1250n, 'half_even', 250n],
    ['0.5 away from zero', 'USD', 1n, 5000n, 'half_away_from_zero', 1n],
    ['0.5 to even', 'USD', 1n, 5000n, 'half_even', 0n],
    ['1.5 away from zero', 'USD', 3n, 5000n, 'half_away_from_zero', 2n],
    ['1.5 to even', 'USD', 3n, 5000n, 'half_even', 2n],
    ['2.5 away from zero', 'USD', 5n, 5000n, 'half_away_from_zero', 3n],
    ['2.5 to even', 'USD', 5n, 5000n, 'half_even', 2n],
    ['12.5 from 125 at 10%', 'USD', 125n, 1000n, 'half_away_from_zero', 13n],
    ['12.5 from 125 at 10%, to even', 'USD', 125n, 1000n, 'half_even', 12n],
    ['just below half', 'USD', 4999n, 1n, 'half_away_from_zero', 0n],
    ['zero value', 'USD', 0n, 1000n, 'half_away_from_zero', 0n],
    ['zero rate', 'USD', 1999n, 0n, 'half_away_from_zero', 0n],
    ['100% rate', 'USD', 1999n, 10000n, 'half_away_from_zero', 1999n],
    ['JPY, 0 decimals: 1,999 yen at 12.5%', 'JPY', 1999n, 1250n, 'half_away_from_zero', 250n],
    ['JPY 0.5 yen tie to even', 'JPY', 4n, 1250n, 'half_even', 0n],
    ['JPY 0.5 yen tie away', 'JPY', 4n, 1250n, 'half_away_from_zero', 1n],
    ['BHD, 3 decimals: 1.999 BHD at 12.5%', 'BHD', 1999n, 1250n, 'half_away_from_zero', 250n],
    ['BHD 12.345 at 3.33% = 411.0885 fils', 'BHD', 12345n, 333n, 'half_away_from_zero', 411n],
    ['large value stays exact', 'USD', 123_456_789_012_345_678n, 1250n, 'half_away_from_zero', 15_432_098_626_543_210n],
  ])('%s', (_name, currency, valueMinor, rateBps, roundingMode, expected) => {
    expect(amount({ currency, valueMinor, roundingMode, rule: { kind: 'percent', rateBps } })).toBe(expected)
  })

  test('two conversions are rounded one by one, never on a running total', () => {
    // The rules' example: 2 x 1,999 cents at 1250 bps earn 250 cents each.
    expect(amount({ valueMinor: 1999n, rule: { kind: 'percent', rateBps: 1250n } })).toBe(250n)
    // Where it shows: two 3-cent orders at 50% earn 2 + 2 = 4, not round(6 x 50%) = 3.
    expect(amount({ valueMinor: 3n, rule: { kind: 'percent', rateBps: 5000n } }) * 2n).toBe(4n)
  })
})

describe('flat, percent_plus_flat, cap and minimum order value', () => {
  test.each<[string, CommissionRule, bigint, bigint, string | null, boolean]>([
    ['flat', { kind: 'flat', amountMinor: 500n }, 1999n, 500n, null, false],
    ['flat on a zero-value order', { kind: 'flat', amountMinor: 500n }, 0n, 500n, null, false],
    ['percent plus flat, rounded once', { kind: 'percent_plus_flat', rateBps: 1250n, amountMinor: 100n }, 1999n, 350n, null, false],
    ['cap cuts percent', { kind: 'percent', rateBps: 1000n, capMinor: 150n }, 1999n, 150n, null, true],
    ['cap equal is not capped', { kind: 'percent', rateBps: 1000n, capMinor: 200n }, 1999n, 200n, null, false],
    [
      'cap cuts percent plus flat',
      { kind: 'percent_plus_flat', rateBps: 1000n, amountMinor: 100n, capMinor: 250n },
      1999n,
      250n,
      null,
      true,
    ],
    ['cap of zero', { kind: 'flat', amountMinor: 500n, capMinor: 0n }, 1999n, 0n, null, true],
    [
      'below minimum order value',
      { kind: 'percent', rateBps: 1000n, minOrderValueMinor: 2000n },
      1999n,
      0n,
      'below_min_order_value',
      false,
    ],
    ['at minimum order value earns', { kind: 'percent', rateBps: 1000n, minOrderValueMinor: 1999n }, 1999n, 200n, null, false],
    ['flat below minimum', { kind: 'flat', amountMinor: 500n, minOrderValueMinor: 5000n }, 4999n, 0n, 'below_min_order_value', false],
  ])('%s', (_name, rule, valueMinor, expected, zeroReason, capped) => {
    const r = computeCommission({ ...base, valueMinor, programDefault: rule })
    expect(r).toMatchObject({ ok: true, amountMinor: expected })
    if (r.ok) {
      expect(r.explanation.zeroReason).toBe(zeroReason)
      expect(r.explanation.capped).toBe(capped)
    }
  })
})

describe('tiered', () => {
  const tiered: TieredRule = {
    kind: 'tiered',
    tiers: [
      { thresholdMinor: 0n, rateBps: 500n },
      { thresholdMinor: 100_000n, rateBps: 1000n },
      { thresholdMinor: 500_000n, rateBps: 1500n },
    ],
  }
  test.each<[string, bigint, bigint, number | null, bigint]>([
    ['first tier', 10_000n, 10_000n, 0, 500n],
    ['just below the second threshold', 10_000n, 99_999n, 0, 500n],
    ['at the second threshold', 10_000n, 100_000n, 1, 1000n],
    ['top tier', 10_000n, 900_000n, 2, 1500n],
  ])('%s', (_name, valueMinor, mtd, tierIndex, expected) => {
    const r = computeCommission({ ...base, valueMinor, programDefault: tiered, monthToDateRevenueMinor: mtd })
    expect(r).toMatchObject({ ok: true, amountMinor: expected })
    if (r.ok) {
      expect(r.explanation.tier?.index ?? null).toBe(tierIndex)
      expect(r.explanation.monthToDateRevenueMinor).toBe(mtd.toString())
    }
  })

  test('below a first threshold above zero earns 0 with the reason', () => {
    const rule: TieredRule = { kind: 'tiered', tiers: [{ thresholdMinor: 50_000n, rateBps: 1000n }] }
    const r = computeCommission({ ...base, programDefault: rule, monthToDateRevenueMinor: 1999n })
    expect(r).toMatchObject({ ok: true, amountMinor: 0n, explanation: { zeroReason: 'below_first_tier', tier: null } })
  })

  test('without month-to-date revenue a tiered rule cannot be priced', () => {
    expect(computeCommission({ ...base, programDefault: tiered })).toEqual({ ok: false, code: 'missing_month_to_date' })
  })
})

describe('rate history', () => {
  const r = (rateBps: bigint): CommissionRule => ({ kind: 'percent', rateBps })
  const history: RateHistoryEntry[] = [
    { effectiveFrom: '2026-01-01', rule: r(500n), version: 'v1' },
    { effectiveFrom: '2026-03-01', rule: r(700n), version: 'v2' },
    { effectiveFrom: '2026-03-01', rule: r(800n), version: 'v2b' }, // same day: the later row is the later decision
    { effectiveFrom: new Date('2026-04-01T00:00:00Z'), rule: r(900n), version: 'v3' },
  ]
  test.each<[string, string, string, bigint | null, string | null]>([
    ['before any history: program default', '2025-12-31', 'UTC', 1000n, null],
    ['on the first effective date', '2026-01-01', 'UTC', 500n, 'v1'],
    ['between rows', '2026-02-28', 'UTC', 500n, 'v1'],
    ['same-day rows: later wins', '2026-03-01', 'UTC', 800n, 'v2b'],
    ['Date effectiveFrom on its day', '2026-04-01', 'UTC', 900n, 'v3'],
    // Midnight UTC on 1 April is still 31 March in New York: the v3 row starts on 31 March there.
    ['Date effectiveFrom placed in the org zone', '2026-03-31', 'America/New_York', 900n, 'v3'],
  ])('%s', (_name, date, timeZone, rateBps, version) => {
    const got = ruleInEffect(history, date, timeZone, r(1000n))
    expect(got?.rule).toEqual(rateBps === null ? undefined : r(rateBps))
    expect(got?.version ?? null).toBe(version)
    expect(got?.source).toBe(version === null ? 'program_default' : 'partner_rate_history')
  })

  test('history order in the list does not matter', () => {
    expect(ruleInEffect([...history].reverse(), '2026-02-01', 'UTC', null)?.version).toBe('v1')
  })

  test("the conversion's date is taken in the organization's time zone", () => {
    // 02:00 UTC on 1 March is 28 February in New York, so the March rule is not yet in effect.
    const input = { ...base, occurredAt: new Date('2026-03-01T02:00:00Z'), rateHistory: history }
    expect(computeCommission({ ...input, timeZone: 'UTC' })).toMatchObject({
      explanation: { ruleVersion: 'v2b', conversionDate: '2026-03-01' },
    })
    expect(computeCommission({ ...input, timeZone: 'America/New_York' })).toMatchObject({
      explanation: { ruleVersion: 'v1', conversionDate: '2026-02-28' },
    })
  })

  test('no history and no default: no_rule_in_effect', () => {
    expect(computeCommission({ ...base, programDefault: null })).toEqual({ ok: false, code: 'no_rule_in_effect' })
    expect(computeCommission({ ...base, programDefault: null, occurredAt: '2025-01-01', rateHistory: history })).toEqual({
      ok: false,
      code: 'no_rule_in_effect',
    })
  })
})

describe('expected failures', () => {
  test.each<[string, Partial<CommissionInput>, string]>([
    ['negative value', { valueMinor: -1n }, 'negative_value'],
    ['flat in another currency', { programDefault: { kind: 'flat', amountMinor: 500n, currency: 'EUR' } }, 'currency_mismatch'],
    ['cap in another currency', { programDefault: { kind: 'percent', rateBps: 100n, capMinor: 5n, currency: 'EUR' } }, 'currency_mismatch'],
    ['negative rate', { programDefault: { kind: 'percent', rateBps: -1n } }, 'invalid_rule'],
    ['empty tiers', { programDefault: { kind: 'tiered', tiers: [] }, monthToDateRevenueMinor: 0n }, 'invalid_rule'],
  ])('%s', (_name, patch, code) => {
    expect(computeCommission({ ...base, ...patch })).toEqual({ ok: false, code })
  })

  test('a pure percent rule has no absolute amounts, so its currency does not matter', () => {
    expect(amount({ currency: 'JPY', rule: { kind: 'percent', rateBps: 1250n, currency: 'USD' } })).toBe(250n)
  })
})

describe('explanation', () => {
  test('is JSON-safe and states the arithmetic', () => {
    const r = computeCommission({
      ...base,
      rateHistory: [
        {
          effectiveFrom: '2026-01-01',
          rule: { kind: 'percent_plus_flat', rateBps: 1250n, amountMinor: 100n, capMinor: 300n },
          version: '7',
        },
      ],
    })
    if (!r.ok) throw new Error(r.code)
    expect(JSON.parse(JSON.stringify(r.explanation))).toEqual(r.explanation)
    expect(r.explanation).toEqual({
      ruleKind: 'percent_plus_flat',
      ruleSource: 'partner_rate_history',
      ruleEffectiveFrom: '2026-01-01',
      ruleVersion: '7',
      conversionDate: '2026-03-15',
      currency: 'USD',
      valueMinor: '1999',
      rateBps: '1250',
      flatMinor: '100',
      capMinor: '300',
      minOrderValueMinor: null,
      monthToDateRevenueMinor: null,
      tier: null,
      roundingMode: 'half_away_from_zero',
      exactPercentMinor: '249.875',
      capped: true,
      zeroReason: null,
      steps: ['1999 x 1250 bps / 10000 = 249.875 -> 250 (half_away_from_zero)', '250 + flat 100 = 350', '350 exceeds the cap 300: 300'],
      amountMinor: '300',
    })
  })
})

describe('computeTieredMonth', () => {
  const rule: TieredRule = {
    kind: 'tiered',
    tiers: [
      { thresholdMinor: 0n, rateBps: 500n },
      { thresholdMinor: 1000n, rateBps: 1000n },
    ],
  }
  const c = (id: string, at: string, orderId: string, valueMinor: bigint, currency = 'USD') => ({
    id,
    occurredAt: new Date(at),
    orderId,
    valueMinor,
    currency,
  })

  test('each conversion counts itself and those before it; crossing never reprices earlier ones', () => {
    const got = computeTieredMonth(
      [
        c('c3', '2026-03-03T00:00:00Z', 'o3', 600n),
        c('c1', '2026-03-01T00:00:00Z', 'o1', 600n),
        c('c2', '2026-03-02T00:00:00Z', 'o2', 300n),
      ],
      rule,
      'UTC',
    )
    expect(got.map((g) => [g.id, g.monthToDateRevenueMinor, g.tierIndex, g.rateBps])).toEqual([
      ['c1', 600n, 0, 500n],
      ['c2', 900n, 0, 500n],
      ['c3', 1500n, 1, 1000n],
    ])
  })

  test.each<[string, ReturnType<typeof c>[], [string, bigint][]]>([
    [
      'same instant: order id decides',
      [c('x', '2026-03-01T00:00:00Z', 'B', 600n), c('y', '2026-03-01T00:00:00Z', 'A', 600n)],
      [
        ['y', 600n],
        ['x', 1200n],
      ],
    ],
    [
      'order ids compare as text, not numbers',
      [c('x', '2026-03-01T00:00:00Z', '10', 1n), c('y', '2026-03-01T00:00:00Z', '9', 1n)],
      [
        ['x', 1n],
        ['y', 2n],
      ],
    ],
    [
      'a new month starts from zero',
      [c('a', '2026-02-28T23:00:00Z', 'o1', 900n), c('b', '2026-03-01T01:00:00Z', 'o2', 900n)],
      [
        ['a', 900n],
        ['b', 900n],
      ],
    ],
    [
      'currencies are summed apart',
      [c('a', '2026-03-01T00:00:00Z', 'o1', 900n, 'USD'), c('b', '2026-03-02T00:00:00Z', 'o2', 900n, 'EUR')],
      [
        ['a', 900n],
        ['b', 900n],
      ],
    ],
    [
      'a late import for an earlier day takes its own place',
      [c('old1', '2026-03-05T00:00:00Z', 'o5', 500n), c('late', '2026-03-02T00:00:00Z', 'o2', 100n)],
      [
        ['late', 100n],
        ['old1', 600n],
      ],
    ],
  ])('%s', (_name, conversions, expected) => {
    expect(computeTieredMonth(conversions, rule, 'UTC').map((g) => [g.id, g.monthToDateRevenueMinor])).toEqual(expected)
  })

  test('the month is the calendar month in the organization time zone', () => {
    // 1 March 03:00 UTC is still February in Los Angeles, so both fall in February there.
    const conversions = [c('a', '2026-02-20T00:00:00Z', 'o1', 900n), c('b', '2026-03-01T03:00:00Z', 'o2', 200n)]
    expect(computeTieredMonth(conversions, rule, 'America/Los_Angeles').map((g) => [g.month, g.tierIndex])).toEqual([
      ['2026-02', 0],
      ['2026-02', 1],
    ])
    expect(computeTieredMonth(conversions, rule, 'UTC').map((g) => [g.month, g.tierIndex])).toEqual([
      ['2026-02', 0],
      ['2026-03', 0],
    ])
  })

  test('its month-to-date feeds computeCommission', () => {
    const [, second] = computeTieredMonth(
      [c('a', '2026-03-01T00:00:00Z', 'o1', 900n), c('b', '2026-03-02T00:00:00Z', 'o2', 200n)],
      rule,
      'UTC',
    )
    const r = computeCommission({
      ...base,
      valueMinor: 200n,
      programDefault: rule,
      monthToDateRevenueMinor: second!.monthToDateRevenueMinor,
    })
    expect(r).toMatchObject({
      ok: true,
      amountMinor: 20n,
      explanation: { monthToDateRevenueMinor: '1100', tier: { index: 1, rateBps: '1000' } },
    })
  })
})
