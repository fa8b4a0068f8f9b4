import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { batchOf, manyLines, SAMPLE_BATCH } from './sample-batch.fixture'

const paypal = { method: 'paypal', email: 'x@y.io' } as const

describe('paypal-payouts', () => {
  test('no header row: the first line is the first recipient; 6 positional columns', () => {
    const r = renderExport('paypal-payouts', SAMPLE_BATCH, { allowPartial: true })
    if (!r.ok) throw new Error(r.code)
    const usd = parseCsv(r.files.find((f) => f.currency === 'USD')!.content)
    expect(usd[0]).toEqual(['jane@example.com', '118.00', 'USD', 'PO-000017-00001', 'Affiliate commissions Feb 2026', 'PAYPAL'])
    expect(usd.every((row) => row.length === 6)).toBe(true)
    expect(columnTotal(usd, 1, 'USD')).toBe(15800n)
  })

  test('JPY has no decimals', () => {
    const r = renderExport('paypal-payouts', SAMPLE_BATCH, { allowPartial: true })
    if (!r.ok) throw new Error(r.code)
    expect(parseCsv(r.files.find((f) => f.currency === 'JPY')!.content)[0]?.slice(1, 3)).toEqual(['12000', 'JPY'])
  })

  test('one currency per file and at most 5,000 rows per file', () => {
    const lines = [
      ...manyLines(12001, paypal, 'USD'),
      ...manyLines(3, paypal, 'EUR').map((l, i) => ({ ...l, reference: `PO-000002-${i}` })),
    ]
    const r = renderExport('paypal-payouts', batchOf(lines), {})
    if (!r.ok) throw new Error(r.code)
    expect(r.files.map((f) => [f.currency, f.rows])).toEqual([
      ['EUR', 3],
      ['USD', 5000],
      ['USD', 5000],
      ['USD', 2001],
    ])
    for (const f of r.files) {
      const rows = parseCsv(f.content)
      expect(new Set(rows.map((row) => row[2]))).toEqual(new Set([f.currency]))
      expect(columnTotal(rows, 1, f.currency)).toBe(f.totalMinor)
    }
    const usdTotal = lines.filter((l) => l.currency === 'USD').reduce((s, l) => s + l.amountMinor, 0n)
    expect(r.files.filter((f) => f.currency === 'USD').reduce((s, f) => s + f.totalMinor, 0n)).toBe(usdTotal)
  })

  test('comma-decimal locales: amount is quoted, as PayPal requires', () => {
    const r = renderExport('paypal-payouts', batchOf(manyLines(1, paypal, 'EUR', 545n)), { decimalSeparator: ',' })
    if (!r.ok) throw new Error(r.code)
    expect(r.files[0]!.content.toString('utf8')).toBe('x@y.io,"5,45",EUR,"PO-000001-00001",Commissions,PAYPAL\r\n')
  })

  test('a batch with non-PayPal payees is refused unless partial export is allowed', () => {
    const r = renderExport('paypal-payouts', SAMPLE_BATCH, {})
    expect(r).toMatchObject({ ok: false, code: 'lines_not_payable_by_format' })
    expect(!r.ok && r.detail).toContain('PO-000017-00003')
  })
})
