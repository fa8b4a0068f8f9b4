import fc from 'fast-check'
import { describe, expect, it, test } from 'vitest'

import { formatMinor } from '../money'
import { parseAmount } from './amounts'

describe('parseAmount accepts the forms in ledger-rules.md', () => {
  test.each([
    ['1234.56', 'USD', false, 123456n],
    ['1,234.56', 'USD', false, 123456n],
    ['$1,234.56', 'USD', false, 123456n],
    ['USD 1234.56', 'USD', false, 123456n],
    ['1234.56 USD', 'USD', false, 123456n],
    ['usd1234.56', 'USD', false, 123456n],
    ['-12.00', 'USD', false, -1200n],
    ['(12.00)', 'USD', false, -1200n],
    ['($12.00)', 'USD', false, -1200n],
    ['-$12.00', 'USD', false, -1200n],
    ['$-12.00', 'USD', false, -1200n],
    ['+7', 'USD', false, 700n],
    ['0.29', 'USD', false, 29n],
    ['.5', 'USD', false, 50n],
    ['12.5', 'USD', false, 1250n],
    ['1,234,567.89', 'USD', false, 123456789n],
    ['1 234.56', 'USD', false, 123456n],
    ['1\u00a0234.56', 'USD', false, 123456n],
    ["1'234.56", 'CHF', false, 123456n],
    ['１２３.４５', 'USD', false, 12345n],
    ['1.234,56', 'EUR', true, 123456n],
    ['1234,56', 'EUR', true, 123456n],
    ['1.234.567,89 €', 'EUR', true, 123456789n],
    ['€ 1.234,56', 'EUR', true, 123456n],
    ['1\u202f234,56', 'EUR', true, 123456n],
    ['(5,00)', 'EUR', true, -500n],
    ['1234', 'JPY', false, 1234n],
    ['¥1,234', 'JPY', false, 1234n],
    ['1.234', 'BHD', false, 1234n],
    ['1,234.567', 'BHD', false, 1234567n],
    ['1,234', 'BHD', true, 1234n],
    ['£0.01', 'GBP', false, 1n],
    ['9223372036854775.807', 'BHD', false, 9223372036854775807n],
  ])('%s (%s, decimal comma %s) -> %s', (text, currency, decimalComma, minor) => {
    expect(parseAmount(text, currency, { decimalComma })).toEqual({ ok: true, amountMinor: minor, currency })
  })
})

describe('parseAmount refuses, with a named code', () => {
  test.each([
    ['', 'USD', false, 'amount_empty'],
    ['   ', 'USD', false, 'amount_empty'],
    ['12.345', 'USD', false, 'amount_too_many_decimals'],
    ['1234.5', 'JPY', false, 'amount_too_many_decimals'],
    ['1234.00', 'JPY', false, 'amount_too_many_decimals'],
    ['1.2345', 'BHD', false, 'amount_too_many_decimals'],
    ['1,234', 'USD', true, 'amount_too_many_decimals'],
    ['1.234,56', 'USD', false, 'amount_separator_order'],
    ['1,234.56', 'EUR', true, 'amount_separator_order'],
    ['1.234.56', 'USD', false, 'amount_separator_order'],
    ['1,23', 'USD', false, 'amount_grouping'],
    ['12,34,567.00', 'USD', false, 'amount_grouping'],
    ['1,234 567.00', 'USD', false, 'amount_grouping'],
    ['12abc', 'USD', false, 'amount_letters'],
    ['abc', 'USD', false, 'amount_letters'],
    ['1e5', 'USD', false, 'amount_letters'],
    ['12.', 'USD', false, 'amount_invalid'],
    ['$', 'USD', false, 'amount_invalid'],
    ['--12', 'USD', false, 'amount_invalid'],
    ['(-12.00)', 'USD', false, 'amount_invalid'],
    ['12*3', 'USD', false, 'amount_invalid'],
    ['€12.00', 'USD', false, 'amount_currency_mismatch'],
    ['EUR 12.00', 'USD', false, 'amount_currency_mismatch'],
    ['99999999999999999999', 'USD', false, 'amount_out_of_range'],
    ['12.00', 'XYZ', false, 'unknown_currency'],
  ])('%s (%s, decimal comma %s) -> %s', (text, currency, decimalComma, code) => {
    const r = parseAmount(text, currency, { decimalComma })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.code).toBe(code)
      expect(r.message.length).toBeGreaterThan(5)
    }
  })

  it('tells the person which setting would read a decimal comma', () => {
    const r = parseAmount('1.234,56', 'USD')
    expect(!r.ok && r.message).toContain('decimal comma')
  })
})

describe('properties', () => {
  const currencies = fc.constantFrom('USD', 'EUR', 'JPY', 'BHD')
  it('formatMinor output parses back to the same minor units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), currencies, fc.boolean(), (minor, currency, comma) => {
        const text = formatMinor(minor, currency, comma ? ',' : '.')
        expect(parseAmount(text, currency, { decimalComma: comma })).toEqual({ ok: true, amountMinor: minor, currency })
      }),
    )
  })

  it('grouped and plain forms agree', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (minor) => {
        const plain = formatMinor(minor, 'USD')
        const [whole, frac] = plain.split('.') as [string, string]
        const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + frac
        expect(parseAmount(grouped, 'USD')).toEqual(parseAmount(plain, 'USD'))
        expect(parseAmount(`(${grouped})`, 'USD')).toEqual({ ok: true, amountMinor: -minor, currency: 'USD' })
      }),
    )
  })
})
