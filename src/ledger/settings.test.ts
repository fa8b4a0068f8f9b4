import { describe, expect, test } from 'vitest'

import {
  commissionRuleSchema,
  DEFAULT_PROGRAM_SETTINGS,
  parseProgramSettings,
  rateHistoryEntrySchema,
  serializeProgramSettings,
  type ProgramSettings,
} from './settings'

function parsed(json: unknown): ProgramSettings {
  const r = parseProgramSettings(json)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.settings
}

describe('defaults from ledger-rules.md', () => {
  const d = DEFAULT_PROGRAM_SETTINGS
  test.each<[string, unknown, unknown]>([
    ['rounding: half away from zero', d.roundingMode, 'half_away_from_zero'],
    [
      'link query parameters, in priority order',
      d.linkParams,
      ['ref', 'via', 'aff', 'affiliate', 'code', 'coupon', 'discount', 'discount_code', 'promo'],
    ],
    ['link path prefixes', d.linkPathPrefixes, ['r', 'ref', 'go']],
    ['decimal comma off', d.decimalComma, false],
    ['date order MDY', d.dateOrder, 'MDY'],
    ['time zone UTC', d.timeZone, 'UTC'],
    ['currency USD', d.defaultCurrency, 'USD'],
    ['hold 30 days', d.holdDays, 30],
    ['minimum payout 0', d.minPayoutMinor, 0n],
    ['default rule 10%', d.defaultRule, { kind: 'percent', rateBps: 1000n }],
    ['no second approver threshold', d.secondApproverThresholdMinor, null],
    ['payout export: the generic CSV', d.payoutExportFormat, 'generic-csv'],
    ['self-referral email on', d.fraud.selfReferralEmail, { enabled: true }],
    ['employee partner on', d.fraud.employeePartner, { enabled: true }],
    ['employee domain on, no domains', d.fraud.employeeDomain, { enabled: true, ownDomains: [] }],
    ['order on multiple codes on', d.fraud.orderOnMultipleCodes, { enabled: true }],
    ['velocity: >10 a day and >5x the 30-day average', d.fraud.velocity, { enabled: true, minPerDay: 10, multiple: 5, trailingDays: 30 }],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected)
  })

  test('the defaults cannot be mutated by accident', () => {
    expect(Object.isFrozen(d)).toBe(true)
    expect(Object.isFrozen(d.fraud.velocity)).toBe(true)
    expect(Object.isFrozen(d.linkParams)).toBe(true)
  })
})

describe('parseProgramSettings', () => {
  test.each<[string, unknown]>([
    ['empty object', {}],
    ['null', null],
    ['undefined', undefined],
    ['JSON text', '{}'],
  ])('%s gives exactly the defaults', (_name, json) => {
    expect(parsed(json)).toEqual(DEFAULT_PROGRAM_SETTINGS)
  })

  test('missing keys are filled at every depth', () => {
    const s = parsed({ holdDays: 14, fraud: { velocity: { minPerDay: 3 }, employeeDomain: { ownDomains: ['@Acme.com'] } } })
    expect(s.holdDays).toBe(14)
    expect(s.fraud.velocity).toEqual({ enabled: true, minPerDay: 3, multiple: 5, trailingDays: 30 })
    expect(s.fraud.employeeDomain).toEqual({ enabled: true, ownDomains: ['acme.com'] })
    expect(s.fraud.selfReferralEmail).toEqual({ enabled: true })
    expect(s.roundingMode).toBe('half_away_from_zero')
  })

  test.each<[string, unknown, bigint]>([
    ['bigint', 2500n, 2500n],
    ['safe integer', 2500, 2500n],
    ['integer string', '2500', 2500n],
    ['beyond the safe range as a string', '90071992547409930', 90071992547409930n],
  ])('amounts accept a %s', (_name, value, expected) => {
    expect(parsed({ minPayoutMinor: value }).minPayoutMinor).toBe(expected)
    expect(parsed({ secondApproverThresholdMinor: value }).secondApproverThresholdMinor).toBe(expected)
  })

  test.each<[string, unknown, string]>([
    ['fractional number', { minPayoutMinor: 12.5 }, 'minPayoutMinor'],
    ['fractional string', { minPayoutMinor: '12.50' }, 'minPayoutMinor'],
    ['unsafe number', { minPayoutMinor: 2 ** 60 }, 'minPayoutMinor'],
    ['formatted string', { minPayoutMinor: '1,000' }, 'minPayoutMinor'],
    ['negative minimum payout', { minPayoutMinor: '-1' }, 'minPayoutMinor'],
    ['unknown rounding mode', { roundingMode: 'bankers' }, 'roundingMode'],
    ['unknown currency', { defaultCurrency: 'XXX' }, 'defaultCurrency'],
    ['unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['fractional hold days', { holdDays: 1.5 }, 'holdDays'],
    ['negative hold days', { holdDays: -1 }, 'holdDays'],
    ['misspelt key', { holdDay: 10 }, ''],
    ['misspelt nested key', { fraud: { velocity: { minPerDays: 1 } } }, 'fraud.velocity'],
    ['empty link parameter list', { linkParams: [] }, 'linkParams'],
    ['prefix with a slash', { linkPathPrefixes: ['/r/'] }, 'linkPathPrefixes.0'],
    ['not a domain', { fraud: { employeeDomain: { ownDomains: ['acme'] } } }, 'fraud.employeeDomain.ownDomains.0'],
    ['zero velocity multiple', { fraud: { velocity: { multiple: 0 } } }, 'fraud.velocity.multiple'],
    ['rate over 100%', { defaultRule: { kind: 'percent', rateBps: 10001 } }, 'defaultRule.rateBps'],
    ['fractional rate', { defaultRule: { kind: 'percent', rateBps: '12.5' } }, 'defaultRule.rateBps'],
    ['unknown rule kind', { defaultRule: { kind: 'bonus' } }, 'defaultRule.kind'],
    ['unknown export format', { payoutExportFormat: 'sage' }, 'payoutExportFormat'],
    [
      'tiers not ascending',
      {
        defaultRule: {
          kind: 'tiered',
          tiers: [
            { thresholdMinor: 5, rateBps: 1 },
            { thresholdMinor: 5, rateBps: 2 },
          ],
        },
      },
      'defaultRule.tiers',
    ],
  ])('refuses %s', (_name, json, path) => {
    const r = parseProgramSettings(json)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.code).toBe('invalid_settings')
      expect(r.issues.map((i) => i.path)).toContain(path)
    }
  })

  test('broken JSON text is invalid_json', () => {
    expect(parseProgramSettings('{holdDays:')).toMatchObject({ ok: false, code: 'invalid_json' })
  })

  test('round-trips through JSON storage', () => {
    const s = parsed({
      minPayoutMinor: '5000',
      secondApproverThresholdMinor: '1000000',
      payoutExportFormat: 'xero',
      defaultRule: {
        kind: 'tiered',
        tiers: [
          { thresholdMinor: 0, rateBps: 500 },
          { thresholdMinor: '100000', rateBps: 1000 },
        ],
        capMinor: 20000,
      },
    })
    const stored = JSON.stringify(serializeProgramSettings(s))
    expect(parsed(JSON.parse(stored))).toEqual(s)
    expect(parsed(stored)).toEqual(s)
  })
})

describe('commissionRuleSchema', () => {
  test.each<[string, unknown, unknown]>([
    ['percent from JSON numbers', { kind: 'percent', rateBps: 1250 }, { kind: 'percent', rateBps: 1250n }],
    [
      'flat with cap from strings',
      { kind: 'flat', amountMinor: '500', capMinor: '400' },
      { kind: 'flat', amountMinor: 500n, capMinor: 400n },
    ],
    [
      'null limits mean not set',
      { kind: 'percent', rateBps: 1, capMinor: null, minOrderValueMinor: null, currency: null },
      { kind: 'percent', rateBps: 1n },
    ],
    [
      'percent plus flat with currency',
      { kind: 'percent_plus_flat', rateBps: 100, amountMinor: 50, currency: 'EUR' },
      { kind: 'percent_plus_flat', rateBps: 100n, amountMinor: 50n, currency: 'EUR' },
    ],
  ])('%s', (_name, json, expected) => {
    const r = commissionRuleSchema.safeParse(json)
    expect(r.success).toBe(true)
    expect(r.data).toEqual(expected) // toEqual ignores keys holding undefined
  })

  test.each<[string, unknown]>([
    ['negative flat', { kind: 'flat', amountMinor: -5 }],
    ['missing rate', { kind: 'percent' }],
    ['no tiers', { kind: 'tiered', tiers: [] }],
    ['extra key', { kind: 'percent', rateBps: 1, rate: 1 }],
    ['unknown currency', { kind: 'flat', amountMinor: 1, currency: 'usd' }],
  ])('refuses %s', (_name, json) => {
    expect(commissionRuleSchema.safeParse(json).success).toBe(false)
  })
})

describe('rateHistoryEntrySchema', () => {
  const rule = { kind: 'percent', rateBps: 500 }
  test.each<[string, unknown, Date | string]>([
    ['calendar date', '2026-03-01', '2026-03-01'],
    ['ISO timestamp from Payload', '2026-03-01T05:00:00.000Z', new Date('2026-03-01T05:00:00.000Z')],
    ['timestamp with offset', '2026-03-01T00:00:00-05:00', new Date('2026-03-01T05:00:00.000Z')],
    ['Date', new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z')],
  ])('effectiveFrom as %s', (_name, effectiveFrom, expected) => {
    const r = rateHistoryEntrySchema.safeParse({ effectiveFrom, rule, version: 3 })
    expect(r.success).toBe(true)
    expect(r.data?.effectiveFrom).toEqual(expected)
    expect(r.data?.version).toBe('3')
  })

  test.each(['2026-02-30', '03/01/2026', '', 'yesterday'])('refuses effectiveFrom %j', (effectiveFrom) => {
    expect(rateHistoryEntrySchema.safeParse({ effectiveFrom, rule }).success).toBe(false)
  })
})

describe('export settings', () => {
  test('default: no preset options and no templates', () => {
    expect(DEFAULT_PROGRAM_SETTINGS.exports).toEqual({ presets: {}, templates: [] })
  })

  test('preset options and templates are kept as stored', () => {
    const s = parsed({
      exports: {
        presets: { nacha: { companyName: 'ACME' } },
        templates: [{ id: 'tpl-ap1', name: 'AP tool', options: { columns: [{ field: 'amount' }] } }],
      },
    })
    expect(s.exports.presets.nacha).toEqual({ companyName: 'ACME' })
    expect(s.exports.templates[0]?.name).toBe('AP tool')
  })

  test.each<[string, unknown]>([
    ['a template id that could be a preset', { templates: [{ id: 'nacha', name: 'x', options: {} }] }],
    ['two templates with one id', { templates: [1, 2].map(() => ({ id: 'tpl-a', name: 'x', options: {} })) }],
    ['an unknown key', { template: [] }],
  ])('refused: %s', (_name, exports) => {
    expect(parseProgramSettings({ exports }).ok).toBe(false)
  })
})
