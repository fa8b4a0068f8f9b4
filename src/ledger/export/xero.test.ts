import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { batchOf, manyLines, SAMPLE_BATCH } from './sample-batch.fixture'
import { XERO_COLUMNS, XERO_HEADER } from './xero'

const options = { accountCode: '6100', taxType: 'Tax Exempt' }

describe('xero', () => {
  test('header is the purchases template, asterisks included, byte for byte', () => {
    const r = renderExport('xero', SAMPLE_BATCH, options)
    if (!r.ok) throw new Error(r.code)
    const first = r.files[0]!.content.toString('utf8').split('\r\n')[0]
    expect(first).toBe(
      '*ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,POPostalCode,POCountry,*InvoiceNumber,*InvoiceDate,*DueDate,Total,InventoryItemCode,Description,*Quantity,*UnitAmount,*AccountCode,*TaxType,TaxAmount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency',
    )
    expect(XERO_COLUMNS).toHaveLength(XERO_HEADER.length)
  })

  test('rows: contact, invoice number, UK dates by default, quantity 1, unit amount, currency', () => {
    const r = renderExport('xero', SAMPLE_BATCH, { ...options, dueInDays: 14 })
    if (!r.ok) throw new Error(r.code)
    const gbp = parseCsv(r.files.find((f) => f.currency === 'GBP')!.content)
    const row = gbp[1]!
    const col = (h: string) => row[XERO_HEADER.indexOf(h as (typeof XERO_HEADER)[number])]
    expect([
      col('*ContactName'),
      col('*InvoiceNumber'),
      col('*InvoiceDate'),
      col('*DueDate'),
      col('*Quantity'),
      col('*UnitAmount'),
      col('*AccountCode'),
      col('*TaxType'),
      col('Currency'),
    ]).toEqual(['Ada Lovelace Ltd', 'PO-000017-00007', '02/03/2026', '16/03/2026', '1', '75.25', '6100', 'Tax Exempt', 'GBP'])
    for (const r2 of gbp) expect(r2).toHaveLength(26)
  })

  test('US orgs set MM/DD/YYYY', () => {
    const r = renderExport('xero', SAMPLE_BATCH, { ...options, dateFormat: 'MM/DD/YYYY' })
    if (!r.ok) throw new Error(r.code)
    expect(parseCsv(r.files[0]!.content)[1]?.[11]).toBe('03/02/2026')
  })

  test('splits at 500 bills per file [U: overridable]; file totals add up to the batch', () => {
    const lines = manyLines(1201, { method: 'paypal', email: 'x@y.io' }, 'USD')
    const r = renderExport('xero', batchOf(lines), options)
    if (!r.ok) throw new Error(r.code)
    expect(r.files.map((f) => f.rows)).toEqual([500, 500, 201])
    expect(r.files.map((f) => f.name)).toEqual([
      'B-2026-03-0017_xero_USD_part1of3.csv',
      'B-2026-03-0017_xero_USD_part2of3.csv',
      'B-2026-03-0017_xero_USD_part3of3.csv',
    ])
    const fromBytes = r.files.reduce((s, f) => s + columnTotal(parseCsv(f.content).slice(1), 17, 'USD'), 0n)
    expect(fromBytes).toBe(lines.reduce((s, l) => s + l.amountMinor, 0n))
    const bigger = renderExport('xero', batchOf(lines), { ...options, maxRowsPerFile: 5000 })
    expect(bigger.ok && bigger.files.length).toBe(1)
  })

  test.each([
    [{ taxType: 'Tax Exempt' }, 'accountCode'],
    [{ accountCode: '6100' }, 'taxType'],
  ])('required setting missing: %o', (opts, detail) => {
    expect(renderExport('xero', SAMPLE_BATCH, opts)).toEqual({ ok: false, code: 'missing_option', detail })
  })
})
