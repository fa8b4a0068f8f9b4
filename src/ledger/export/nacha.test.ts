import { describe, expect, test } from 'vitest'
import type { Payee } from '../payee'
import { renderExport } from './index'
import { alpha, entryHash, type NachaOptions } from './nacha'
import { nach2Render, verifyNachaStructure as verifyStructure } from './nacha-verify.fixture'
import { batchOf, manyLines, SAMPLE_BATCH, SAMPLE_OPTIONS } from './sample-batch.fixture'

const OPTIONS = SAMPLE_OPTIONS.nacha
const ach = (routingNumber: string, accountNumber = '42'): Payee => ({
  method: 'ach',
  holderName: 'Pat Payee',
  routingNumber,
  accountNumber,
  accountType: 'checking',
})

function render(batch = SAMPLE_BATCH, options: NachaOptions = OPTIONS): string {
  const r = renderExport('nacha', batch, options)
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  expect(r.files).toHaveLength(1)
  return r.files[0]!.content.toString('ascii')
}

describe('nacha', () => {
  test('sample batch: structure, hash and totals; ACH lines only', () => {
    const { entries, sumCents, hash } = verifyStructure(render())
    expect(entries).toHaveLength(2)
    const achTotal = SAMPLE_BATCH.lines.filter((l) => l.payee.method === 'ach').reduce((s, l) => s + l.amountMinor, 0n)
    expect(sumCents).toBe(achTotal)
    expect(hash).toBe(98765432n + 11100002n)
  })

  test('nach2 generates the same file from the same data', () => {
    expect(render()).toBe(nach2Render(SAMPLE_BATCH.lines))
  })

  test('entry hash keeps only the rightmost 10 digits', () => {
    const lines = manyLines(200, ach('999999992'), 'USD')
    const { hash } = verifyStructure(render(batchOf(lines)))
    expect(200n * 99999999n).toBe(19_999_999_800n)
    expect(hash).toBe(9_999_999_800n)
    expect(entryHash(Array(200).fill('999999992'))).toBe(9_999_999_800n)
  })

  test.each([1, 5, 6, 7, 16, 17])('%d entries block to a multiple of 10 lines', (n) => {
    const { lines } = verifyStructure(render(batchOf(manyLines(n, ach('987654320'), 'USD'))))
    expect(lines.length).toBe(Math.ceil((n + 4) / 10) * 10)
  })

  test('savings accounts use transaction code 32, checking 22; account left-justified', () => {
    const { entries } = verifyStructure(render())
    expect(entries.map((e) => e.slice(1, 3))).toEqual(['22', '32'])
    expect(entries[1]!.slice(12, 29)).toBe('00012345678901234')
    expect(entries[0]!.slice(12, 29)).toBe('123456789        ')
    expect(entries[1]!.slice(54, 76)).toBe('ZOE ALVAREZ-SMITH     ')
  })

  test('CRLF on request', () => {
    verifyStructure(render(SAMPLE_BATCH, { ...OPTIONS, lineEnding: '\r\n' }), '\r\n')
  })

  test('file id modifier counts up across split files', () => {
    const r = renderExport('nacha', batchOf(manyLines(5, ach('987654320'), 'USD')), { ...OPTIONS, maxRowsPerFile: 2 })
    if (!r.ok) throw new Error(r.code)
    expect(r.files.map((f) => f.content.toString('ascii')[33])).toEqual(['A', 'B', 'C'])
    for (const f of r.files) verifyStructure(f.content.toString('ascii'))
  })

  test.each([
    'immediateDestination',
    'immediateDestinationName',
    'immediateOrigin',
    'immediateOriginName',
    'companyName',
    'companyIdentification',
    'originatingDfi',
    'effectiveEntryDate',
  ] as const)('per-org setting %s is required', (key) => {
    expect(renderExport('nacha', SAMPLE_BATCH, { ...OPTIONS, [key]: undefined })).toEqual({
      ok: false,
      code: 'missing_option',
      detail: key,
    })
  })

  test.each<[Partial<NachaOptions>, string]>([
    [{ immediateDestination: '123456789' }, 'immediateDestination'],
    [{ originatingDfi: '1234' }, 'originatingDfi'],
    [{ effectiveEntryDate: '2026-02-30' }, 'effectiveEntryDate'],
    [{ fileIdModifier: 'a' }, 'fileIdModifier'],
    [{ immediateOrigin: 'toolong12345' }, 'immediateOrigin'],
  ])('invalid %o', (patch, detail) => {
    expect(renderExport('nacha', SAMPLE_BATCH, { ...OPTIONS, ...patch })).toEqual({ ok: false, code: 'invalid_option', detail })
  })

  test('an ODFI given as a full routing number uses its first 8 digits', () => {
    const a = render(SAMPLE_BATCH, { ...OPTIONS, originatingDfi: '123456780' })
    expect(a).toBe(render())
  })

  test('an entry above the 10-digit amount field is refused', () => {
    const r = renderExport('nacha', batchOf(manyLines(1, ach('987654320'), 'USD', 10_000_000_000n)), OPTIONS)
    expect(r).toMatchObject({ ok: false, code: 'amount_too_large' })
  })

  test('a routing number that fails the check digit is refused', () => {
    const r = renderExport('nacha', batchOf(manyLines(1, ach('987654321'), 'USD')), OPTIONS)
    expect(r).toMatchObject({ ok: false, code: 'invalid_payee' })
  })

  test('non-USD and non-ACH lines are refused unless partial', () => {
    expect(renderExport('nacha', SAMPLE_BATCH, { ...OPTIONS, allowPartial: false })).toMatchObject({
      ok: false,
      code: 'lines_not_payable_by_format',
    })
  })

  test('alpha fields: upper case ASCII, padded, cut to width', () => {
    expect(alpha('Zoë', 5)).toBe('ZOE  ')
    expect(alpha('a very long company name', 16)).toBe('A VERY LONG COMP')
    expect(alpha('tab\there', 10)).toBe('TAB HERE  ')
  })
})
