import { describe, expect, test } from 'vitest'

import { addDays } from './calendar'
import { checkVelocity, fraudFlags, normalizeEmail, type FraudContext } from './fraud'
import { DEFAULT_PROGRAM_SETTINGS, type FraudSettings } from './settings'

const settings: FraudSettings = {
  ...DEFAULT_PROGRAM_SETTINGS.fraud,
  employeeDomain: { enabled: true, ownDomains: ['acme.com'] },
}

function ctx(
  patch: {
    customerEmail?: string | null
    emails?: string[]
    isEmployee?: boolean
    codesForOrder?: string[]
    counts?: [string, number][]
  } = {},
): FraudContext {
  return {
    conversion: {
      orderId: ' 1001 ',
      code: 'JANE',
      customerEmail: patch.customerEmail ?? 'buyer@example.com',
      occurredAt: new Date('2026-03-15T12:00:00Z'),
    },
    partner: { id: 'p1', emails: patch.emails ?? ['jane.doe@gmail.com'], isEmployee: patch.isEmployee ?? false },
    codesForOrder: patch.codesForOrder ?? ['JANE'],
    partnerDailyCounts: new Map(patch.counts ?? [['2026-03-15', 1]]),
    timeZone: 'UTC',
  }
}

const rules = (c: FraudContext, s: FraudSettings = settings) => fraudFlags(c, s).map((f) => f.rule)

describe('normalizeEmail', () => {
  test.each<[string, string | null]>([
    ['Jane@Example.com', 'jane@example.com'],
    ['  jane@example.com ', 'jane@example.com'],
    ['jane+shop@example.com', 'jane@example.com'],
    ['jane+a+b@example.com', 'jane@example.com'],
    ['j.a.n.e@example.com', 'j.a.n.e@example.com'], // dots matter outside Gmail
    ['J.A.N.E+x@gmail.com', 'jane@gmail.com'],
    ['jane.doe@googlemail.com', 'janedoe@gmail.com'],
    ['jane@GMAIL.COM.', 'jane@gmail.com'],
    ['ｊａｎｅ@example.com', 'jane@example.com'], // full-width
    ['not-an-email', null],
    ['@example.com', null],
    ['jane@', null],
    ['+tag@example.com', null],
    ['', null],
  ])('%j -> %j', (email, expected) => {
    expect(normalizeEmail(email)).toBe(expected)
  })
})

describe('self_referral_email', () => {
  test.each<[string, string | null, string[], boolean]>([
    ['same address', 'jane.doe@gmail.com', ['jane.doe@gmail.com'], true],
    ['case differs', 'JANE.DOE@GMAIL.COM', ['jane.doe@gmail.com'], true],
    ['plus tag', 'jane.doe+deal@gmail.com', ['jane.doe@gmail.com'], true],
    ['gmail dots', 'janedoe@gmail.com', ['jane.doe@gmail.com'], true],
    ['googlemail is gmail', 'jane.doe@googlemail.com', ['janedoe@gmail.com'], true],
    ['dots elsewhere are different mailboxes', 'janedoe@example.com', ['jane.doe@example.com'], false],
    ['plus tag elsewhere', 'jane+x@example.com', ['jane@example.com'], true],
    ['any of the partner addresses', 'pay@jane.example', ['jane.doe@gmail.com', 'pay@jane.example'], true],
    ['different person', 'bob@gmail.com', ['jane.doe@gmail.com'], false],
    ['no customer email', null, ['jane.doe@gmail.com'], false],
    ['unusable customer email', 'n/a', ['n/a'], false],
  ])('%s', (_name, customerEmail, emails, flagged) => {
    expect(rules(ctx({ customerEmail, emails })).includes('self_referral_email')).toBe(flagged)
  })

  test('evidence names the matched addresses', () => {
    const [flag] = fraudFlags(ctx({ customerEmail: 'Jane.Doe+x@googlemail.com', emails: ['bob@x.com', 'janedoe@gmail.com'] }), settings)
    expect(flag).toEqual({
      rule: 'self_referral_email',
      evidence: { customerEmail: 'Jane.Doe+x@googlemail.com', partnerEmails: ['janedoe@gmail.com'], comparedAs: 'janedoe@gmail.com' },
    })
  })
})

describe('employee rules', () => {
  test.each<[string, Parameters<typeof ctx>[0], boolean, boolean]>([
    ['employee partner', { isEmployee: true }, true, false],
    ['customer at an own domain', { customerEmail: 'sam@ACME.com' }, false, true],
    ['own domain is exact: subdomains are other domains', { customerEmail: 'sam@mail.acme.com' }, false, false],
    ['look-alike domain', { customerEmail: 'sam@acme.com.evil.example' }, false, false],
    ['neither', {}, false, false],
  ])('%s', (_name, patch, employeePartner, employeeDomain) => {
    const got = rules(ctx(patch))
    expect(got.includes('employee_partner')).toBe(employeePartner)
    expect(got.includes('employee_domain')).toBe(employeeDomain)
  })

  test('no own domains configured (the default): never employee_domain', () => {
    expect(rules(ctx({ customerEmail: 'sam@acme.com' }), DEFAULT_PROGRAM_SETTINGS.fraud)).toEqual([])
  })
})

describe('order_on_multiple_codes', () => {
  test.each<[string, string[], boolean]>([
    ['one code', ['JANE'], false],
    ['two codes', ['JANE', 'BOB'], true],
    ['this code missing from the list still counts', ['BOB'], true],
    ['repeated code', ['JANE', 'JANE'], false],
  ])('%s', (_name, codesForOrder, flagged) => {
    const flags = fraudFlags(ctx({ codesForOrder }), settings)
    const flag = flags.find((f) => f.rule === 'order_on_multiple_codes')
    expect(flag !== undefined).toBe(flagged)
    if (flag) expect(flag.evidence).toEqual({ orderId: '1001', codes: ['BOB', 'JANE'] })
  })
})

describe('velocity', () => {
  const day = '2026-03-15'
  // A flat history of `perDay` conversions on each of the 30 days before `day`.
  const history = (perDay: number, today: number): Map<string, number> => {
    const m = new Map<string, number>([[day, today]])
    for (let i = 1; i <= 30; i++) m.set(addDays(day, -i), perDay)
    m.set(addDays(day, -31), 1000) // outside the window: must not count
    return m
  }
  const v = DEFAULT_PROGRAM_SETTINGS.fraud.velocity
  test.each<[string, Map<string, number>, boolean]>([
    ['new partner, 11 today: above the floor, average 0', new Map([[day, 11]]), true],
    ['new partner, exactly 10 today: not above the floor', new Map([[day, 10]]), false],
    ['average 3, 11 today: above the floor, not above 5 x 3', history(3, 11), false],
    ['average 2, 11 today: above both 10 and 5 x 2', history(2, 11), true],
    ['average 1, 10 today: 10 x the average but not above the floor', history(1, 10), false],
    ['average 3, 16 today: 16 > 5 x 3', history(3, 16), true],
    ['average 3, exactly 15 today: not above 5 x 3', history(3, 15), false],
    ['busy partner, 40 today vs 10 a day', history(10, 40), false],
    ['no conversions today', history(0, 0), false],
  ])('%s', (_name, counts, flagged) => {
    expect(checkVelocity(counts, day, v) !== null).toBe(flagged)
  })

  test('uneven history: the average is the 30-day total over 30 days', () => {
    const counts = new Map([
      [day, 12],
      [addDays(day, -1), 30],
      [addDays(day, -30), 42],
      [addDays(day, -31), 9999],
    ])
    // total 72 over 30 days = 2.4 a day; 12 is exactly 5 x 2.4, so not above it.
    expect(checkVelocity(counts, day, v)).toBeNull()
    counts.set(day, 13)
    expect(checkVelocity(counts, day, v)).toEqual({ day, countOnDay: 13, trailingDays: 30, trailingTotal: 72, minPerDay: 10, multiple: 5 })
  })

  test("the day is the conversion's date in the organization's time zone", () => {
    const c = ctx({ counts: [['2026-03-14', 11]] })
    const at = { ...c, conversion: { ...c.conversion, occurredAt: new Date('2026-03-15T02:00:00Z') } }
    expect(rules({ ...at, timeZone: 'UTC' })).not.toContain('velocity')
    expect(rules({ ...at, timeZone: 'America/New_York' })).toContain('velocity')
  })
})

describe('switches and output', () => {
  const everything = ctx({
    customerEmail: 'jane.doe@acme.com',
    emails: ['jane.doe@acme.com'],
    isEmployee: true,
    codesForOrder: ['JANE', 'BOB'],
    counts: [['2026-03-15', 50]],
  })

  test('all rules fire, in a fixed order', () => {
    expect(rules(everything)).toEqual(['self_referral_email', 'employee_partner', 'employee_domain', 'order_on_multiple_codes', 'velocity'])
  })

  test.each<[keyof FraudSettings, string]>([
    ['selfReferralEmail', 'self_referral_email'],
    ['employeePartner', 'employee_partner'],
    ['employeeDomain', 'employee_domain'],
    ['orderOnMultipleCodes', 'order_on_multiple_codes'],
    ['velocity', 'velocity'],
  ])('switching off %s removes only %s', (key, rule) => {
    const off = { ...settings, [key]: { ...settings[key], enabled: false } }
    const got = rules(everything, off)
    expect(got).not.toContain(rule)
    expect(got).toHaveLength(4)
  })

  test('evidence is JSON-safe', () => {
    const flags = fraudFlags(everything, settings)
    expect(JSON.parse(JSON.stringify(flags))).toEqual(flags)
  })

  test('a clean conversion has no flags', () => {
    expect(fraudFlags(ctx(), settings)).toEqual([])
  })
})
