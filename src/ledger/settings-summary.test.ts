import { describe, expect, test } from 'vitest'

import { DEFAULT_PROGRAM_SETTINGS, serializeProgramSettings } from './settings'
import { describeRule, majorToMinor, percentToBps, settingsDiff, summarizeSettings, type SettingsJson } from './settings-summary'

const defaults = serializeProgramSettings(DEFAULT_PROGRAM_SETTINGS) as SettingsJson

describe('summarizeSettings', () => {
  test('the defaults in plain language', () => {
    const lines = summarizeSettings(defaults, 'Generic CSV')
    expect(lines).toContain("A partner earns 10% of each order's value, unless their own rate history says otherwise.")
    expect(lines.join('\n')).toMatch(/payable 30 days after the order/)
    expect(lines.join('\n')).toMatch(/no minimum payout/)
    expect(lines.join('\n')).toMatch(/month first/)
    expect(lines.at(-1)).toMatch(/never repriced/)
  })

  test('a changed program', () => {
    const s: SettingsJson = {
      ...defaults,
      dateOrder: 'DMY',
      decimalComma: true,
      defaultCurrency: 'EUR',
      holdDays: 1,
      minPayoutMinor: '5000',
      secondApproverThresholdMinor: '1000000',
      fraud: { ...defaults.fraud, employeeDomain: { enabled: true, ownDomains: ['acme.example'] } },
    }
    const text = summarizeSettings(s).join('\n')
    expect(text).toMatch(/day first/)
    expect(text).toMatch(/decimal comma/)
    expect(text).toMatch(/payable 1 day after/)
    expect(text).toMatch(/at least 50\.00 EUR/)
    expect(text).toMatch(/above 10000\.00 EUR needs a second manager/)
    expect(text).toMatch(/acme\.example/)
  })

  test.each<[SettingsJson['defaultRule'], string]>([
    [{ kind: 'percent', rateBps: '1250' }, "12.5% of each order's value"],
    [{ kind: 'flat', amountMinor: '500' }, '5.00 USD per order'],
    [
      { kind: 'percent_plus_flat', rateBps: 500, amountMinor: 100, capMinor: '2000' },
      "5% of each order's value plus 1.00 USD (at most 20.00 USD per order)",
    ],
    [{ kind: 'flat', amountMinor: 500, currency: 'JPY' }, '500 JPY per order'],
  ])('rule %j reads %s', (rule, expected) => {
    expect(describeRule(rule, 'USD')).toBe(expected)
  })
})

describe('settingsDiff', () => {
  test('names the leaves that moved, arrays as a whole', () => {
    const after = {
      ...defaults,
      holdDays: 14,
      fraud: { ...defaults.fraud, employeeDomain: { enabled: true, ownDomains: ['acme.example'] } },
    }
    expect(settingsDiff(defaults, after)).toEqual({
      holdDays: { before: 30, after: 14 },
      'fraud.employeeDomain.ownDomains': { before: [], after: ['acme.example'] },
    })
  })

  test('no change, no diff; a new key is a change from null', () => {
    expect(settingsDiff(defaults, structuredClone(defaults))).toEqual({})
    expect(settingsDiff({ a: 1 }, { a: 1, b: '2' })).toEqual({ b: { before: null, after: '2' } })
  })
})

describe('interview inputs', () => {
  test.each<[string, string | null]>([
    ['10', '1000'],
    ['12.5', '1250'],
    ['12,75 %', '1275'],
    ['0', '0'],
    ['12.555', null],
    ['ten', null],
  ])('percent %j is %j basis points', (text, bps) => {
    expect(percentToBps(text)).toBe(bps)
  })

  test.each<[string, number, string | null]>([
    ['50', 2, '5000'],
    ['50.5', 2, '5050'],
    ['1 000,25', 2, '100025'],
    ['500', 0, '500'],
    ['5.5', 0, null],
    ['0.001', 3, '1'],
    ['-5', 2, null],
  ])('amount %j with exponent %i is %j minor units', (text, exp, minor) => {
    expect(majorToMinor(text, exp)).toBe(minor)
  })
})
