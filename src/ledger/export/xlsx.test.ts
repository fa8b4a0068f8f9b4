import { describe, expect, test } from 'vitest'

import { renderExport } from './index'
import { SAMPLE_BATCH } from './sample-batch.fixture'
import type { ExportBatch, ExportLine } from './types'

/** The sheet XML of a stored (uncompressed) workbook, as written. */
function sheetOf(content: Buffer): string {
  const text = content.toString('utf8')
  return /<worksheet[\s\S]*<\/worksheet>/.exec(text)![0]
}

function cells(sheet: string): Map<string, { type: string | null; value: string }> {
  const out = new Map<string, { type: string | null; value: string }>()
  for (const m of sheet.matchAll(/<c r="([A-Z]+\d+)"( t="(\w+)")?[^>]*>(?:<is><t[^>]*>([\s\S]*?)<\/t><\/is>|<v>([^<]*)<\/v>)<\/c>/g)) {
    out.set(m[1]!, { type: m[3] ?? null, value: m[4] ?? m[5] ?? '' })
  }
  return out
}

const ach = (n: number, accountNumber: string, routingNumber: string, amountMinor: bigint): ExportLine => ({
  reference: `PO-000017-${String(n).padStart(5, '0')}`,
  partnerName: `Payee ${n}`,
  email: null,
  payee: { method: 'ach', holderName: `Payee ${n}`, routingNumber, accountNumber, accountType: 'checking' },
  currency: 'USD',
  amountMinor,
  memo: '=1+1',
})

const BATCH: ExportBatch = {
  ...SAMPLE_BATCH,
  lines: [
    ach(1, '12345678901234567', '011000015', 1999n),
    ach(2, '00012345678901234', '021000021', 5n),
    ach(3, '1234567890123456', '011000028', 100000n),
  ],
}

describe('xlsx (checklist row 25)', () => {
  const r = renderExport('xlsx', BATCH, {})
  if (!r.ok) throw new Error(JSON.stringify(r))
  const file = r.files[0]!
  const sheet = sheetOf(file.content)
  const c = cells(sheet)

  test('is a ZIP with the workbook parts', () => {
    expect(file.content.readUInt32LE(0)).toBe(0x04034b50)
    for (const part of ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']) {
      expect(file.content.includes(Buffer.from(part))).toBe(true)
    }
    expect(file.name).toMatch(/_xlsx_USD\.xlsx$/)
  })

  test('16- and 17-digit accounts and leading-zero routing numbers are string cells, exactly as given', () => {
    expect(c.get('G2')).toEqual({ type: 'inlineStr', value: '12345678901234567' })
    expect(c.get('G3')).toEqual({ type: 'inlineStr', value: '00012345678901234' })
    expect(c.get('G4')).toEqual({ type: 'inlineStr', value: '1234567890123456' })
    expect(c.get('H2')).toEqual({ type: 'inlineStr', value: '011000015' })
    expect(c.get('H3')).toEqual({ type: 'inlineStr', value: '021000021' })
  })

  test('amounts are number cells; the total row holds Σ of the lines as a value', () => {
    expect(c.get('J2')).toEqual({ type: null, value: '19.99' })
    expect(c.get('J3')).toEqual({ type: null, value: '0.05' })
    expect(c.get('A5')).toEqual({ type: 'inlineStr', value: 'Total' })
    expect(c.get('I5')).toEqual({ type: 'inlineStr', value: 'USD' })
    expect(c.get('J5')).toEqual({ type: null, value: '1020.04' })
    expect(file.totalMinor).toBe(102004n)
  })

  test('no formula anywhere and no ="…" trick; text is kept verbatim (a string cell is never evaluated)', () => {
    expect(file.content.includes(Buffer.from('<f>'))).toBe(false)
    expect(file.content.includes(Buffer.from('<f '))).toBe(false)
    expect(sheet).not.toContain('=&quot;')
    expect(c.get('K2')).toEqual({ type: 'inlineStr', value: '=1+1' })
  })

  test('hostile text of the sample batch is escaped as XML, CR kept as a character reference', () => {
    const s = renderExport('xlsx', SAMPLE_BATCH, {})
    if (!s.ok) throw new Error(JSON.stringify(s))
    const usd = sheetOf(s.files.find((f) => f.currency === 'USD')!.content)
    expect(usd).toContain('-Acme, &quot;Quotes&quot; Ltd')
    expect(usd).toContain('Bonus\ttier 2&#13;\nline two')
    expect(usd).toContain('00012345678901234')
  })

  test('an amount Excel cannot hold exactly (16 digits) is refused, not rounded', () => {
    expect(renderExport('xlsx', { ...BATCH, lines: [ach(1, '1', '011000015', 10n ** 15n)] }, {})).toMatchObject({
      ok: false,
      code: 'amount_too_large',
    })
  })
})
