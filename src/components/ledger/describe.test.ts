import { describe, expect, test } from 'vitest'

import { describeEvidence, explainEntry, money, percent, shortWhy } from './describe'

describe('money and percent', () => {
  test.each([
    [1999, 'USD', '19.99 USD'],
    ['-500', 'USD', '-5.00 USD'],
    [1234, 'JPY', '1234 JPY'],
    ['1234', 'BHD', '1.234 BHD'],
    [5, 'EUR', '0.05 EUR'],
    [100, null, '100 minor units'],
    [100, 'XXQ', '100 minor units XXQ'],
    [null, 'USD', ''],
  ])('%s %s -> %s', (minor, cur, out) => {
    expect(money(minor, cur)).toBe(out)
  })

  test.each([
    ['1000', '10%'],
    [1250, '12.5%'],
    ['5', '0.05%'],
    ['10000', '100%'],
  ])('%s bps -> %s', (bps, out) => {
    expect(percent(bps)).toBe(out)
  })
})

describe('an entry explained', () => {
  const accrual = {
    kind: 'accrual',
    currency: 'USD',
    explanation: {
      ruleKind: 'percent',
      ruleSource: 'partner_rate_history',
      ruleEffectiveFrom: '2026-01-01',
      ruleVersion: null,
      conversionDate: '2026-01-10',
      currency: 'USD',
      valueMinor: '1999',
      rateBps: '1000',
      flatMinor: null,
      capMinor: '150',
      minOrderValueMinor: null,
      tier: null,
      roundingMode: 'half_even',
      exactPercentMinor: '199.9',
      capped: true,
      zeroReason: null,
      steps: ['1999 x 1000 bps / 10000 = 199.9 -> 200 (half_even)', '200 exceeds the cap 150: 150'],
      amountMinor: '150',
    },
  }

  test('the rule, its source and date, the value, rate, cap, rounding and steps', () => {
    const { lines, steps } = explainEntry(accrual)
    const get = (label: string) => lines.find((l) => l.label === label)?.value
    expect(get('Rule')).toBe("percent of the order value, from the partner's rate history, in effect from 2026-01-01")
    expect(get('Order value')).toBe('19.99 USD on 2026-01-10')
    expect(get('Rate')).toBe('10% (1000 basis points)')
    expect(get('Cap per order')).toBe('1.50 USD — applied: the amount was capped')
    expect(get('Rounding')).toBe('199.9 minor units, rounded half to even (x.5 rounds to the even unit)')
    expect(get('Commission')).toBe('1.50 USD')
    expect(steps).toHaveLength(2)
    expect(shortWhy(accrual)).toBe('10% of 19.99 USD capped at 1.50 USD (partner rate)')
  })

  test('no rounding line when nothing was rounded; a refund entry; a manual entry’s reason', () => {
    const whole = explainEntry({ ...accrual, explanation: { ...accrual.explanation, exactPercentMinor: '200' } })
    expect(whole.lines.map((l) => l.label)).not.toContain('Rounding')
    const refund = explainEntry({
      kind: 'reversal',
      currency: 'USD',
      explanation: {
        valueMinor: '1999',
        refundedBeforeMinor: '0',
        refundAppliedMinor: '999',
        fullRefund: false,
        netValueMinor: '1000',
        postedSoFarMinor: '200',
        targetCommissionMinor: '100',
        steps: [],
      },
    })
    expect(refund.lines).toEqual([
      { label: 'Refund applied', value: '9.99 USD (partial refund)' },
      { label: 'Net order value', value: '10.00 USD' },
      { label: 'Commission on the net value', value: '1.00 USD' },
      { label: 'Posted before this entry', value: '2.00 USD' },
    ])
    expect(shortWhy({ kind: 'write_off', reason: 'partner left the program', explanation: null })).toBe('partner left the program')
  })
})

describe('flag evidence in words', () => {
  test('self-referral names both addresses; multiple codes lists them; velocity gives the counts', () => {
    expect(
      describeEvidence('self_referral_email', {
        customerEmail: 'Ada+deal@x.test',
        partnerEmails: ['ada@x.test'],
        comparedAs: 'ada@x.test',
      })[0],
    ).toBe("Customer email Ada+deal@x.test matches the partner's ada@x.test")
    expect(describeEvidence('order_on_multiple_codes', { orderId: 'o-1', codes: ['A', 'B'] })).toEqual([
      'Order o-1 appears under 2 codes: A, B',
    ])
    expect(
      describeEvidence('velocity', { day: '2026-01-02', countOnDay: 40, trailingDays: 7, trailingTotal: 14, minPerDay: 20, multiple: 5 }),
    ).toEqual(['40 orders on 2026-01-02, against 14 in the 7 days before', 'flagged above 20 a day and 5× the daily average'])
  })
})
