import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { currencyExponent } from '../currency'
import type { Payee } from '../payee'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { bundleFiles, EXPORT_FORMATS, isExportFormatId, renderExport, type ExportFile, type ExportFormatId } from './index'
import { batchOf, manyLines, parseDecimalMinor, SAMPLE_BATCH, SAMPLE_OPTIONS } from './sample-batch.fixture'
import type { ExportLine } from './types'

const IDS = Object.keys(EXPORT_FORMATS) as ExportFormatId[]

/** Reads the paid total back out of a file's bytes, per format, independently of the writer. */
function totalFromBytes(format: ExportFormatId, file: ExportFile): bigint {
  const text = file.content.toString('utf8')
  switch (format) {
    case 'generic-csv':
    case 'quickbooks':
      return columnTotal(parseCsv(text).slice(1), 9, file.currency)
    case 'xero':
      return columnTotal(parseCsv(text).slice(1), 17, file.currency)
    case 'paypal-payouts':
      return columnTotal(parseCsv(text), 1, file.currency)
    case 'wise':
      return columnTotal(parseCsv(text).slice(1), 5, file.currency)
    case 'custom-template':
      return columnTotal(parseCsv(text, ';').slice(1), 5, file.currency, ',')
    case 'nacha': {
      const lines = text.trimEnd().split('\n')
      const entries = lines.filter((l) => l[0] === '6').reduce((s, l) => s + BigInt(l.slice(29, 39)), 0n)
      const control = BigInt(lines.find((l) => l[0] === '8')!.slice(32, 44))
      expect(control).toBe(entries)
      return entries
    }
    case 'xlsx': {
      // Stored (uncompressed) ZIP: the sheet's XML is in the bytes as written. Column J is Amount.
      const sheet = /<worksheet[\s\S]*<\/worksheet>/.exec(text)![0]
      const exponent = currencyExponent(file.currency)
      const amounts = [...sheet.matchAll(/<c r="J(\d+)"[^>]*><v>([^<]+)<\/v>/g)].map((m) => parseDecimalMinor(m[2]!, exponent))
      const total = amounts.pop()!
      const sum = amounts.reduce((s, a) => s + a, 0n)
      expect(total).toBe(sum)
      return sum
    }
    case 'pain001': {
      const amounts = [...text.matchAll(/<InstdAmt Ccy="EUR">([^<]+)</g)].map((m) => parseDecimalMinor(m[1]!, 2))
      const sum = amounts.reduce((s, a) => s + a, 0n)
      const ctrl = [...text.matchAll(/<CtrlSum>([^<]+)</g)].map((m) => parseDecimalMinor(m[1]!, 2))
      expect(ctrl).toEqual([sum, sum])
      return sum
    }
  }
}

describe('registry', () => {
  test('every format is registered under its own id', () => {
    for (const id of IDS) expect(EXPORT_FORMATS[id].id).toBe(id)
    expect(IDS.sort()).toEqual([
      'custom-template',
      'generic-csv',
      'nacha',
      'pain001',
      'paypal-payouts',
      'quickbooks',
      'wise',
      'xero',
      'xlsx',
    ])
    expect(isExportFormatId('xero')).toBe(true)
    expect(isExportFormatId('__proto__')).toBe(false)
  })

  test('an unknown id from a request is a code, not a crash', () => {
    expect(renderExport('excel97' as ExportFormatId, SAMPLE_BATCH, {} as never)).toMatchObject({ ok: false, code: 'unknown_format' })
  })
})

describe('renderExport validation', () => {
  const good = SAMPLE_BATCH.lines[0]!
  test.each<[string, ExportLine[], string]>([
    ['no lines', [], 'empty_batch'],
    ['lower-case reference', [{ ...good, reference: 'po-1' }], 'invalid_reference'],
    ['reference over 15 chars', [{ ...good, reference: 'PO-2026-03-000123' }], 'invalid_reference'],
    ['reference starting with a digit', [{ ...good, reference: '1-PO' }], 'invalid_reference'],
    ['reference with a formula trigger', [{ ...good, reference: '=1+1' }], 'invalid_reference'],
    ['duplicate reference', [good, { ...good }], 'duplicate_reference'],
    ['zero amount', [{ ...good, amountMinor: 0n }], 'amount_not_positive'],
    ['negative amount (bills cannot be negative)', [{ ...good, amountMinor: -100n }], 'amount_not_positive'],
    ['unknown currency', [{ ...good, currency: 'XYZ' }], 'currency_not_supported'],
  ])('%s -> %s', (_name, lines, code) => {
    expect(renderExport('generic-csv', batchOf(lines), {})).toMatchObject({ ok: false, code })
  })

  test.each([[0], [-1], [1.5]])('maxRowsPerFile %d is invalid', (maxRowsPerFile) => {
    expect(renderExport('generic-csv', SAMPLE_BATCH, { maxRowsPerFile })).toMatchObject({ ok: false, code: 'invalid_option' })
  })

  test('file metadata: sha256 of the exact bytes, safe names, mime type', () => {
    const r = renderExport('generic-csv', { ...SAMPLE_BATCH, reference: '../B 2026/03' }, {})
    if (!r.ok) throw new Error(r.code)
    for (const f of r.files) {
      expect(f.sha256).toBe(createHash('sha256').update(f.content).digest('hex'))
      expect(f.name).toMatch(/^B_2026_03_generic-csv_[A-Z]{3}\.csv$/)
      expect(f.mimeType).toBe('text/csv')
    }
  })

  test('the same batch renders to the same bytes (re-download = same SHA-256)', () => {
    for (const id of IDS) {
      const a = renderExport(id, SAMPLE_BATCH, SAMPLE_OPTIONS[id] as never)
      const b = renderExport(id, SAMPLE_BATCH, SAMPLE_OPTIONS[id] as never)
      expect(a.ok && b.ok && a.files.map((f) => f.sha256)).toEqual(b.ok && b.files.map((f) => f.sha256))
    }
  })
})

describe('file totals equal the batch total (every writer, property)', () => {
  const payees: Payee[] = [
    { method: 'paypal', email: 'p@x.io' },
    { method: 'ach', holderName: 'A', routingNumber: '111000025', accountNumber: '0001', accountType: 'checking' },
    { method: 'sepa', holderName: 'S', iban: 'DE89370400440532013000', bic: null },
    { method: 'wise', email: 'w@x.io', holderName: 'W', iban: 'GB29NWBK60161331926819', receiverType: 'PERSON' },
  ]
  const lineArb = fc.record({
    payee: fc.constantFrom(...payees),
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'BHD'),
    amountMinor: fc.bigInt({ min: 1n, max: 99_999_999_99n }),
    name: fc.string({ maxLength: 30 }),
    memo: fc.string({ maxLength: 60 }),
  })

  test.each(IDS)('%s', (id) => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 7 }), (specs, maxRowsPerFile) => {
        const lines: ExportLine[] = specs.map((s, i) => ({
          reference: `PO-000009-${String(i + 1).padStart(5, '0')}`,
          partnerName: s.name,
          email: null,
          payee: s.payee.method === 'paypal' ? s.payee : { ...s.payee, holderName: `Payee ${s.name}` },
          currency: s.payee.method === 'ach' ? 'USD' : s.payee.method === 'sepa' ? 'EUR' : s.currency,
          amountMinor: s.amountMinor,
          memo: s.memo,
        }))
        const r = renderExport(id, batchOf(lines), { ...(SAMPLE_OPTIONS[id] as object), allowPartial: true, maxRowsPerFile } as never)
        if (!r.ok) {
          // only legitimate refusal: nothing in this batch is payable by this format
          expect(r.code).toBe('lines_not_payable_by_format')
          const { methods, currencies } = EXPORT_FORMATS[id]
          const payable = (l: ExportLine) =>
            (methods === null || methods.includes(l.payee.method)) && (currencies === null || currencies.includes(l.currency))
          expect(lines.some(payable)).toBe(false)
          return
        }
        const byCurrency = new Map<string, bigint>()
        for (const l of lines) byCurrency.set(l.currency, (byCurrency.get(l.currency) ?? 0n) + l.amountMinor)
        for (const f of r.files) {
          expect(f.rows).toBeLessThanOrEqual(maxRowsPerFile)
          expect(totalFromBytes(id, f)).toBe(f.totalMinor)
          byCurrency.set(f.currency, (byCurrency.get(f.currency) ?? 0n) - f.totalMinor)
        }
        for (const s of r.skipped) byCurrency.set(s.currency, (byCurrency.get(s.currency) ?? 0n) - s.amountMinor)
        for (const diff of byCurrency.values()) expect(diff).toBe(0n)
        expect(r.files.reduce((n, f) => n + f.rows, 0) + r.skipped.length).toBe(lines.length)
      }),
      { seed: 1729, numRuns: 60 },
    )
  })
})

describe('bundleFiles', () => {
  test('zips a currency split into one reproducible download', () => {
    const r = renderExport('generic-csv', SAMPLE_BATCH, {})
    if (!r.ok) throw new Error(r.code)
    const a = bundleFiles('B-2026-03-0017_generic-csv.zip', r.files)
    const b = bundleFiles('B-2026-03-0017_generic-csv.zip', r.files)
    expect(a.sha256).toBe(b.sha256)
    expect(a.content.readUInt32LE(0)).toBe(0x04034b50)
    for (const f of r.files) expect(a.content.includes(f.content)).toBe(true)
  })
})

test('row limits split large batches for every format that has one', () => {
  const lines = manyLines(
    1001,
    { method: 'wise', email: 'w@x.io', holderName: 'W', iban: 'GB29NWBK60161331926819', receiverType: 'PERSON' },
    'GBP',
  )
  const r = renderExport('wise', batchOf(lines), {})
  expect(r.ok && r.files.map((f) => f.rows)).toEqual([1000, 1])
})
