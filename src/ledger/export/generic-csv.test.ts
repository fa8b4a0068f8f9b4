import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { SAMPLE_BATCH } from './sample-batch.fixture'

describe('generic-csv', () => {
  const r = renderExport('generic-csv', SAMPLE_BATCH, {})
  if (!r.ok) throw new Error(r.code)

  test('one file per currency, every line included, nothing skipped', () => {
    expect(r.files.map((f) => [f.currency, f.rows])).toEqual([
      ['EUR', 2],
      ['GBP', 1],
      ['JPY', 1],
      ['USD', 4],
    ])
    expect(r.skipped).toEqual([])
  })

  test.each(['EUR', 'GBP', 'JPY', 'USD'])('%s file total read back from the bytes equals the batch total', (currency) => {
    const file = r.files.find((f) => f.currency === currency)!
    const rows = parseCsv(file.content)
    expect(rows[0]).toEqual([
      'Reference',
      'Batch',
      'Approved On',
      'Partner',
      'Email',
      'Payout Method',
      'Account',
      'Routing / BIC',
      'Currency',
      'Amount',
      'Memo',
    ])
    const expected = SAMPLE_BATCH.lines.filter((l) => l.currency === currency).reduce((s, l) => s + l.amountMinor, 0n)
    expect(columnTotal(rows.slice(1), 9, currency)).toBe(expected)
    expect(file.totalMinor).toBe(expected)
  })

  test('BOM on by default (opened in Excel), off on request', () => {
    expect(r.files[0]!.content.subarray(0, 3).toString('hex')).toBe('efbbbf')
    const noBom = renderExport('generic-csv', SAMPLE_BATCH, { bom: false })
    expect(noBom.ok && noBom.files[0]!.content[0]).toBe('R'.charCodeAt(0))
  })

  test('account numbers keep their leading zeros as quoted text (checklist 25)', () => {
    const usd = r.files.find((f) => f.currency === 'USD')!.content.toString('utf8')
    expect(usd).toContain('"00012345678901234","111000025"')
    expect(usd).not.toContain('="')
  })
})
