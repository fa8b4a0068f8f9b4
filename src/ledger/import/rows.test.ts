import { readFileSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it, test } from 'vitest'

import { DEFAULT_PROGRAM_SETTINGS } from '../settings'
import type { ImportKind } from './fields'
import { suggestMapping, type FieldMapping } from './mapping'
import { createConversionParser, createPartnerParser, createRefundParser, type RowContext, type RowError } from './rows'
import { collect } from './test-helpers'

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/imports')
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)))

const US: RowContext = { ...DEFAULT_PROGRAM_SETTINGS, timeZone: 'America/New_York' }
const EU: RowContext = {
  ...DEFAULT_PROGRAM_SETTINGS,
  defaultCurrency: 'EUR',
  decimalComma: true,
  dateOrder: 'DMY',
  timeZone: 'Europe/Berlin',
}

async function load(
  name: string,
  kind: ImportKind,
): Promise<{ mapping: FieldMapping; rows: { rowNumber: number; values: Record<string, string> }[] }> {
  const events = await collect([fixture(name)])
  const header = events[0]
  if (header?.type !== 'header') throw new Error('no header')
  const { mapping } = suggestMapping(header.headers, kind)
  return { mapping, rows: events.flatMap((e) => (e.type === 'row' ? [{ rowNumber: e.rowNumber, values: { ...e.values } }] : [])) }
}

const brief = (errors: readonly RowError[]) => errors.map((e) => [e.column, e.code])

describe('conversions', () => {
  it('reads the semicolon/decimal-comma/DMY fixture', async () => {
    const { mapping, rows } = await load('conversions-bom-semicolon.csv', 'conversions')
    const parse = createConversionParser(mapping, EU)
    const results = rows.map((r) => parse(r.values, r.rowNumber))
    expect(results[0]).toEqual({
      ok: true,
      record: {
        rowNumber: 2,
        code: { raw: 'SUMMER10', canonical: 'SUMMER10' },
        orderId: '1001',
        valueMinor: 123456n,
        currency: 'EUR',
        occurredAt: '2026-03-01T23:00:00.000Z', // 2 March, midnight in Berlin
        customerEmail: 'anna@example.com',
        customerName: 'Müller; Anna',
        orderStatus: null,
      },
    })
    // A link as the code is reduced to the code (codes.ts); the person's text is kept.
    expect(results[1]).toMatchObject({
      ok: true,
      record: {
        code: { raw: 'https://shop.example/?ref=summer10', canonical: 'SUMMER10' },
        valueMinor: 1250n,
        occurredAt: '2026-03-03T13:05:00.000Z',
      },
    })
    // (5,00) is negative: a conversion cannot be.
    expect(results[3]).toMatchObject({ ok: false, errors: [{ row: 5, column: 'Amount', code: 'amount_negative' }] })
  })

  it('lists every bad column of a row, naming row, column and value', async () => {
    const { mapping, rows } = await load('conversions-bad-values.csv', 'conversions')
    const parse = createConversionParser(mapping, { ...US, timeZone: 'UTC' })
    const results = rows.map((r) => parse(r.values, r.rowNumber))
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false, false, true, false])
    const errs = (i: number) => (results[i]?.ok === false ? results[i].errors : [])
    expect(brief(errs(1))).toEqual([
      ['amount', 'amount_too_many_decimals'],
      ['occurred_at', 'date_impossible'],
      ['customer_email', 'invalid_email'],
    ])
    expect(errs(1)[0]).toEqual({
      row: 3,
      column: 'amount',
      field: 'amount',
      value: '12.345',
      code: 'amount_too_many_decimals',
      message: 'Row 3, column "amount": "12.345" has 3 decimal places but USD has only 2',
    })
    expect(brief(errs(2))).toEqual([
      ['amount', 'amount_separator_order'],
      ['occurred_at', 'date_impossible'],
    ])
    expect(brief(errs(3))).toEqual([
      ['amount', 'amount_letters'],
      ['occurred_at', 'time_impossible'],
    ])
    expect(errs(4)).toMatchObject([
      { column: 'code', code: 'required', message: 'Row 6, column "code" is empty; a code or link is required' },
    ])
    expect(results[5]).toMatchObject({ ok: true, record: { valueMinor: 100000n, occurredAt: '2026-03-02T08:30:00.000Z' } })
    expect(brief(errs(6))).toEqual([['amount', 'amount_negative']])
  })

  it('reads Shopify offsets as written, and Stripe UTC headers as UTC', async () => {
    const shopify = await load('shopify-orders.csv', 'conversions')
    // Shopify writes a decimal point whatever the shop's locale (presets say so: decimalComma false).
    const first = createConversionParser(shopify.mapping, { ...EU, decimalComma: false })(shopify.rows[0]?.values ?? {}, 2)
    expect(first).toMatchObject({
      ok: true,
      record: {
        orderId: '#1001',
        valueMinor: 5450n,
        currency: 'USD',
        occurredAt: '2026-03-02T19:05:00.000Z',
        orderStatus: 'paid',
        customerName: 'Jane Roe',
      },
    })

    const stripe = await load('stripe-payments.csv', 'conversions')
    const r = createConversionParser(stripe.mapping, US)(stripe.rows[0]?.values ?? {}, 2)
    expect(r).toMatchObject({
      ok: true,
      record: { orderId: 'ch_3Ab', currency: 'USD', occurredAt: '2026-03-02T19:05:00.000Z', code: { canonical: 'SUMMER10' } },
    })
  })

  it('parses amounts in the row currency', () => {
    const parse = createConversionParser({ code: 'c', order_id: 'o', amount: 'a', occurred_at: 'd', currency: 'cur' }, US)
    expect(parse({ c: 'X', o: '1', a: '1234', d: '2026-03-02', cur: 'jpy' }, 2)).toMatchObject({
      ok: true,
      record: { valueMinor: 1234n, currency: 'JPY' },
    })
    expect(parse({ c: 'X', o: '1', a: '1.5', d: '2026-03-02', cur: 'JPY' }, 2)).toMatchObject({
      ok: false,
      errors: [{ code: 'amount_too_many_decimals' }],
    })
    // An unknown currency is reported; decimals cannot be judged without one, letters can.
    expect(parse({ c: 'X', o: '1', a: '1.505', d: '2026-03-02', cur: 'ZZZ' }, 2)).toEqual({
      ok: false,
      errors: [expect.objectContaining({ column: 'cur', code: 'unknown_currency' })],
    })
    expect(parse({ c: 'X', o: '1', a: '1x', d: '2026-03-02', cur: 'ZZZ' }, 2)).toMatchObject({
      ok: false,
      errors: [{ code: 'amount_letters' }, { code: 'unknown_currency' }],
    })
  })

  it('a link without a code is named', () => {
    const parse = createConversionParser({ code: 'c', order_id: 'o', amount: 'a', occurred_at: 'd' }, US)
    expect(parse({ c: 'https://shop.example/products/mug', o: '1', a: '1', d: '2026-03-02' }, 9)).toMatchObject({
      ok: false,
      errors: [{ row: 9, column: 'c', code: 'no_code_in_link' }],
    })
  })
})

describe('refunds', () => {
  it('blank amount is a full refund; negative means the same refund', async () => {
    const { mapping, rows } = await load('refunds.csv', 'refunds')
    const parse = createRefundParser(mapping, US)
    const [full, partial, bad] = rows.map((r) => parse(r.values, r.rowNumber))
    expect(full).toEqual({
      ok: true,
      record: {
        rowNumber: 2,
        orderId: '1001',
        code: { raw: 'SUMMER10', canonical: 'SUMMER10' },
        amountMinor: null,
        currency: 'USD',
        refundedAt: '2026-03-10T04:00:00.000Z',
      },
    })
    expect(partial).toMatchObject({ ok: true, record: { code: null, amountMinor: 500n, refundedAt: '2026-03-11T08:00:00.000Z' } })
    expect(bad).toMatchObject({ ok: false, errors: [{ column: 'order_id', code: 'required' }] })
  })

  test.each([
    ['-1.00', 100n],
    ['(2.50)', 250n],
  ])('%s -> %s', (amount, minor) => {
    const parse = createRefundParser({ order_id: 'o', amount: 'a', refunded_at: 'd' }, US)
    expect(parse({ o: '1', a: amount, d: '2026-03-02' }, 2)).toMatchObject({ ok: true, record: { amountMinor: minor } })
  })

  it('a zero refund is refused', () => {
    const parse = createRefundParser({ order_id: 'o', amount: 'a', refunded_at: 'd' }, US)
    expect(parse({ o: '1', a: '0.00', d: '2026-03-02' }, 2)).toMatchObject({ ok: false, errors: [{ code: 'amount_zero' }] })
  })
})

describe('partners', () => {
  it('reads the full fixture', async () => {
    const { mapping, rows } = await load('partners-full.csv', 'partners')
    const parse = createPartnerParser(mapping, US)
    const [ann, bob, bea] = rows.map((r) => parse(r.values, r.rowNumber))
    expect(ann).toEqual({
      ok: true,
      record: {
        rowNumber: 2,
        name: 'Ann Lee',
        code: { raw: 'https://shop.example/r/ANN10', canonical: 'ANN10' },
        aliases: [
          { raw: 'ann-alt', canonical: 'ANN-ALT' },
          { raw: 'https://shop.example/?via=annie', canonical: 'ANNIE' },
        ],
        email: 'ann@example.com',
        commission: { kind: 'percent', rateBps: 1250n },
        currency: 'USD',
        payoutMethod: 'paypal',
        payoutEmail: 'ann.pay@example.com',
        bank: null,
        employee: false,
        status: 'active',
        effectiveFrom: '2026-01-01',
      },
    })
    expect(bob).toMatchObject({
      ok: true,
      record: {
        commission: { kind: 'flat', amountMinor: 200n, currency: 'EUR' },
        bank: { holderName: 'Bob B', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX', routingNumber: null, accountNumber: null },
        employee: true,
        effectiveFrom: '2026-01-02',
      },
    })
    expect(bea?.ok).toBe(false)
    if (bea && !bea.ok) {
      expect(brief(bea.errors)).toEqual([
        ['Email', 'invalid_email'],
        ['Commission %', 'rate_out_of_range'],
        ['Flat Commission', 'amount_letters'],
        ['Currency', 'unknown_currency'],
        ['Payout Method', 'invalid_choice'],
        ['IBAN', 'invalid_iban'],
        ['BIC', 'invalid_bic'],
        ['Routing Number', 'invalid_routing_number'],
        ['Account Number', 'invalid_account_number'],
        ['Employee', 'invalid_yes_no'],
        ['Status', 'invalid_choice'],
        ['Effective From', 'date_impossible'],
      ])
    }
  })

  test.each([
    ['12.5', '', '', { kind: 'percent', rateBps: 1250n }],
    ['12,5%', '', '', null],
    ['0.01', '', '', { kind: 'percent', rateBps: 1n }],
    ['100', '', '', { kind: 'percent', rateBps: 10000n }],
    ['', '1250', '', { kind: 'percent', rateBps: 1250n }],
    ['10', '', '1.50', { kind: 'percent_plus_flat', rateBps: 1000n, amountMinor: 150n, currency: 'USD' }],
    ['', '', '', null],
  ])('rate %s / bps %s / flat %s', (pct, bps, flat, rule) => {
    const parse = createPartnerParser({ name: 'n', code: 'c', rate_percent: 'p', rate_bps: 'b', flat_amount: 'f' }, US)
    const r = parse({ n: 'N', c: 'C', p: pct, b: bps, f: flat }, 2)
    if (pct === '12,5%') expect(r).toMatchObject({ ok: false, errors: [{ code: 'invalid_rate' }] })
    else expect(r).toMatchObject({ ok: true, record: { commission: rule } })
  })

  test.each([
    ['12.345', 'rate_too_precise'],
    ['-5', 'invalid_rate'],
    ['abc', 'invalid_rate'],
  ])('rate %s -> %s', (pct, code) => {
    const parse = createPartnerParser({ name: 'n', code: 'c', rate_percent: 'p' }, US)
    expect(parse({ n: 'N', c: 'C', p: pct }, 2)).toMatchObject({ ok: false, errors: [{ code }] })
  })

  it('a decimal comma organization writes 12,5', () => {
    const parse = createPartnerParser({ name: 'n', code: 'c', rate_percent: 'p' }, EU)
    expect(parse({ n: 'N', c: 'C', p: '12,5 %' }, 2)).toMatchObject({
      ok: true,
      record: { commission: { kind: 'percent', rateBps: 1250n } },
    })
  })

  it('refuses a rate given two ways', () => {
    const parse = createPartnerParser({ name: 'n', code: 'c', rate_percent: 'p', rate_bps: 'b' }, US)
    expect(parse({ n: 'N', c: 'C', p: '10', b: '1000' }, 4)).toMatchObject({
      ok: false,
      errors: [{ row: 4, column: 'b', code: 'rate_conflict' }],
    })
  })

  test.each([
    ['yes', true],
    ['Y', true],
    ['TRUE', true],
    ['1', true],
    ['no', false],
    ['false', false],
    ['0', false],
    ['', null],
  ])('employee %s -> %s', (v, employee) => {
    const parse = createPartnerParser({ name: 'n', code: 'c', employee: 'e' }, US)
    expect(parse({ n: 'N', c: 'C', e: v }, 2)).toMatchObject({ ok: true, record: { employee } })
  })

  it('keeps a routing number with a leading zero as text and accepts bank transfer', () => {
    const parse = createPartnerParser({ name: 'n', code: 'c', payout_method: 'm', routing_number: 'r', account_number: 'a' }, US)
    expect(parse({ n: 'N', c: 'C', m: 'Bank transfer', r: '011000015', a: '000123456789' }, 2)).toMatchObject({
      ok: true,
      record: { payoutMethod: 'bank', bank: { routingNumber: '011000015', accountNumber: '000123456789' } },
    })
  })

  it('a bad alias is named', () => {
    const parse = createPartnerParser({ name: 'n', code: 'c', aliases: 'a' }, US)
    expect(parse({ n: 'N', c: 'C', a: 'ok; https://shop.example/about' }, 2)).toMatchObject({
      ok: false,
      errors: [{ column: 'a', code: 'no_code_in_link' }],
    })
  })
})
