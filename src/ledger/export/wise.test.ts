import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { batchOf, manyLines, SAMPLE_BATCH } from './sample-batch.fixture'

const wisePayee = { method: 'wise', email: 'w@x.io', holderName: 'W', iban: 'DE89370400440532013000', receiverType: 'PERSON' } as const

describe('wise', () => {
  test('exact template headers and values', () => {
    const r = renderExport('wise', SAMPLE_BATCH, { allowPartial: true })
    if (!r.ok) throw new Error(r.code)
    const rows = parseCsv(r.files[0]!.content)
    expect(rows).toEqual([
      [
        'name',
        'recipientEmail',
        'paymentReference',
        'receiverType',
        'amountCurrency',
        'amount',
        'sourceCurrency',
        'targetCurrency',
        'IBAN',
      ],
      ['Ada Lovelace Ltd', 'ada@example.co.uk', 'PO-000017-00007', 'BUSINESS', 'target', '75.25', 'GBP', 'GBP', 'GB29NWBK60161331926819'],
    ])
  })

  test('1,000 transfers per file; totals read back', () => {
    const lines = manyLines(2500, wisePayee, 'EUR')
    const r = renderExport('wise', batchOf(lines), {})
    if (!r.ok) throw new Error(r.code)
    expect(r.files.map((f) => f.rows)).toEqual([1000, 1000, 500])
    const total = r.files.reduce((s, f) => s + columnTotal(parseCsv(f.content).slice(1), 5, 'EUR'), 0n)
    expect(total).toBe(lines.reduce((s, l) => s + l.amountMinor, 0n))
  })

  test('funding from another balance sets sourceCurrency', () => {
    const r = renderExport('wise', batchOf(manyLines(1, wisePayee, 'EUR')), { sourceCurrency: 'USD' })
    if (!r.ok) throw new Error(r.code)
    expect(parseCsv(r.files[0]!.content)[1]?.slice(4, 8)).toEqual(['target', '1.01', 'USD', 'EUR'])
  })

  test.each([
    [{ sourceCurrency: 'usd' }, 'invalid_option'],
    [{ sourceCurrency: 'USD', amountCurrency: 'source' as const }, 'invalid_option'],
    [{ referenceMaxLength: 10 }, 'text_too_long'],
  ])('%o -> %s', (options, code) => {
    expect(renderExport('wise', batchOf(manyLines(1, wisePayee, 'EUR')), options)).toMatchObject({ ok: false, code })
  })

  test('a Wise payee without an IBAN is not payable by the IBAN template', () => {
    const r = renderExport('wise', batchOf(manyLines(1, { ...wisePayee, iban: null }, 'EUR')), {})
    expect(r).toMatchObject({ ok: false, code: 'lines_not_payable_by_format' })
  })
})
