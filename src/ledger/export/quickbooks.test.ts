import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { SAMPLE_BATCH } from './sample-batch.fixture'

describe('quickbooks', () => {
  test('bill rows: Bill No = line reference, US dates, due date, amount total', () => {
    const r = renderExport('quickbooks', SAMPLE_BATCH, { account: 'Affiliate Commissions', dueInDays: 14, terms: 'Net 14' })
    if (!r.ok) throw new Error(r.code)
    const usd = parseCsv(r.files.find((f) => f.currency === 'USD')!.content)
    expect(usd[0]).toEqual([
      'Bill No',
      'Vendor',
      'Bill Date',
      'Due Date',
      'Terms',
      'Memo',
      'Currency',
      'Account',
      'Line Description',
      'Line Amount',
    ])
    expect(usd[1]).toEqual([
      'PO-000017-00001',
      'Jane Doe Media',
      '03/02/2026',
      '03/16/2026',
      'Net 14',
      'Payout batch B-2026-03-0017',
      'USD',
      'Affiliate Commissions',
      'Affiliate commissions Feb 2026',
      '118.00',
    ])
    expect(columnTotal(usd.slice(1), 9, 'USD')).toBe(32350n)
  })

  test('due date defaults to the bill date; headers can be renamed for a QBO mapping', () => {
    const r = renderExport('quickbooks', SAMPLE_BATCH, {
      account: 'X',
      headers: { billNo: '*Bill number', vendor: '*Vendor' },
      dateFormat: 'YYYY-MM-DD',
    })
    if (!r.ok) throw new Error(r.code)
    const rows = parseCsv(r.files[0]!.content)
    expect(rows[0]?.slice(0, 2)).toEqual(['*Bill number', '*Vendor'])
    expect(rows[1]?.slice(2, 4)).toEqual(['2026-03-02', '2026-03-02'])
  })

  test.each([
    [{}, 'missing_option', 'account'],
    [{ account: '  ' }, 'missing_option', 'account'],
    [{ account: 'X', dueInDays: -1 }, 'invalid_option', 'dueInDays'],
    [{ account: 'X', dueInDays: 1.5 }, 'invalid_option', 'dueInDays'],
    [{ account: 'X', dateFormat: '=YYYY' }, 'invalid_option', 'dateFormat'],
  ])('%o -> %s', (options, code, detail) => {
    expect(renderExport('quickbooks', SAMPLE_BATCH, options)).toEqual({ ok: false, code, detail })
  })
})
