import { readFileSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it, test } from 'vitest'

import { fieldsOf, normaliseHeader } from './fields'
import { isContinuationRow, suggestMapping, validateMapping } from './mapping'
import { collect, rowsOf } from './test-helpers'

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/imports')
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)))

async function headersOf(name: string): Promise<string[]> {
  const events = await collect([fixture(name)])
  const h = events[0]
  if (h?.type !== 'header') throw new Error('no header')
  return [...h.headers]
}

describe('normaliseHeader', () => {
  test.each([
    ['Order ID', 'order id'],
    ['order_id', 'order id'],
    ['  ORDER-Id ', 'order id'],
    ['\uFEFFCode', 'code'],
    ['Commission %', 'commission %'],
    ['Created (UTC)', 'created utc'],
    ['Order #', 'order #'],
    ['Ｅｍａｉｌ', 'email'],
  ])('%s -> %s', (h, n) => expect(normaliseHeader(h)).toBe(n))
})

describe('field definitions', () => {
  test.each(['partners', 'conversions', 'refunds'] as const)(
    '%s: keys unique, synonyms normalised and not shared between fields',
    (kind) => {
      const fields = fieldsOf(kind)
      expect(new Set(fields.map((f) => f.key)).size).toBe(fields.length)
      const seen = new Map<string, string>()
      for (const f of fields) {
        for (const s of f.synonyms) {
          expect(normaliseHeader(s)).toBe(s)
          expect(seen.get(s) ?? f.key).toBe(f.key)
          seen.set(s, f.key)
        }
      }
    },
  )

  it('required fields are those of the issue', () => {
    const req = (k: 'partners' | 'conversions' | 'refunds') =>
      fieldsOf(k)
        .filter((f) => f.required)
        .map((f) => f.key)
    expect(req('partners')).toEqual(['name', 'code'])
    expect(req('conversions')).toEqual(['code', 'order_id', 'amount', 'occurred_at'])
    expect(req('refunds')).toEqual(['order_id', 'refunded_at'])
  })
})

describe('suggestMapping', () => {
  it('maps a Shopify orders export through its preset', async () => {
    const s = suggestMapping(await headersOf('shopify-orders.csv'), 'conversions')
    expect(s.preset).toBe('shopify_orders')
    expect(s.mapping).toEqual({
      order_id: 'Name',
      code: 'Discount Code',
      amount: 'Total',
      occurred_at: 'Created at',
      currency: 'Currency',
      customer_email: 'Email',
      customer_name: 'Billing Name',
      order_status: 'Financial Status',
    })
    expect(s.missingRequired).toEqual([])
    expect(Object.values(s.sources).every((x) => x === 'preset')).toBe(true)
  })

  it('maps a Stripe payments export, the code from metadata', async () => {
    const s = suggestMapping(await headersOf('stripe-payments.csv'), 'conversions')
    expect(s.preset).toBe('stripe_payments')
    expect(s.mapping).toMatchObject({
      order_id: 'id',
      code: 'ref (metadata)',
      amount: 'Amount',
      occurred_at: 'Created (UTC)',
      currency: 'Currency',
      customer_email: 'Customer Email',
      order_status: 'Status',
    })
  })

  it('maps a WooCommerce orders export', async () => {
    const s = suggestMapping(await headersOf('woocommerce-orders.csv'), 'conversions')
    expect(s.preset).toBe('woocommerce_orders')
    expect(s.mapping).toMatchObject({
      order_id: 'Order Number',
      code: 'Coupon Code',
      amount: 'Order Total',
      occurred_at: 'Order Date',
      currency: 'Order Currency',
      customer_email: 'Billing Email',
      order_status: 'Order Status',
    })
  })

  it('maps plain headers by synonyms', async () => {
    const s = suggestMapping(await headersOf('partners-full.csv'), 'partners')
    expect(s.preset).toBeNull()
    expect(s.mapping).toMatchObject({
      name: 'Partner Name',
      code: 'Referral Link',
      email: 'Email',
      aliases: 'Aliases',
      rate_percent: 'Commission %',
      flat_amount: 'Flat Commission',
      payout_method: 'Payout Method',
      payout_email: 'PayPal Email',
      bank_holder: 'Account Holder',
      iban: 'IBAN',
      bic: 'BIC',
      routing_number: 'Routing Number',
      account_number: 'Account Number',
      employee: 'Employee',
      status: 'Status',
      effective_from: 'Effective From',
    })
    expect(s.unmappedHeaders).toEqual([])
  })

  it('matches snake_case and squashed headers', () => {
    const s = suggestMapping(['order_id', 'OrderDate', 'code', 'amount'], 'conversions')
    expect(s.mapping).toEqual({ code: 'code', order_id: 'order_id', amount: 'amount', occurred_at: 'OrderDate' })
  })

  it('ranks the saved mapping over the preset over synonyms', async () => {
    const headers = await headersOf('shopify-orders.csv')
    const s = suggestMapping(headers, 'conversions', { order_id: 'Id', amount: 'Subtotal', occurred_at: 'Paid at', nonsense: 'Name' })
    expect(s.mapping).toMatchObject({ order_id: 'Id', amount: 'Subtotal', occurred_at: 'Paid at', code: 'Discount Code' })
    expect(s.sources).toMatchObject({ order_id: 'saved', amount: 'saved', code: 'preset' })
    expect(s.unmappedHeaders).toContain('Name')
  })

  it('a saved header missing from this file is not suggested', () => {
    const s = suggestMapping(['code', 'order', 'total', 'date'], 'conversions', { order_id: 'Order No.' })
    expect(s.mapping.order_id).toBe('order')
    expect(s.sources.order_id).toBe('synonym')
  })

  it('uses each header once', () => {
    const s = suggestMapping(['Email'], 'partners')
    expect(Object.values(s.mapping)).toEqual(['Email'])
    expect(s.missingRequired).toEqual(['name', 'code'])
  })
})

describe('validateMapping', () => {
  it('accepts a complete mapping', () => {
    expect(validateMapping({ order_id: 'o', refunded_at: 'd' }, ['o', 'd'], 'refunds')).toEqual({ ok: true })
  })

  it('lists every problem', () => {
    const r = validateMapping({ order_id: 'Order', wat: 'x', amount: 'Gone' }, ['Order', 'Date'], 'refunds')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.errors.map((e) => [e.code, e.field])).toEqual([
        ['unknown_field', 'wat'],
        ['header_not_found', 'amount'],
        ['required_field_unmapped', 'refunded_at'],
      ])
      expect(r.errors[1]?.message).toContain('"Gone", which is not in this file (its columns are "Order", "Date")')
    }
  })

  it('hints at the delimiter when the file has one column', async () => {
    const r = validateMapping({}, await headersOf('wrong-delimiter.csv'), 'conversions')
    expect(!r.ok && r.errors[0]?.message).toContain('delimiter other than comma, semicolon or tab')
  })
})

describe('isContinuationRow (Shopify line items)', () => {
  it('marks the second line item of an order', async () => {
    const events = await collect([fixture('shopify-orders.csv')])
    const headers = events[0]?.type === 'header' ? events[0].headers : []
    const { mapping, preset } = suggestMapping(headers, 'conversions')
    expect(rowsOf(events).map((r) => isContinuationRow(preset, r, mapping))).toEqual([false, true, false])
    expect(isContinuationRow(null, rowsOf(events)[1] ?? {}, mapping)).toBe(false)
  })
})
