/** Independent NACHA checks shared by the nacha and golden tests (tests only). */
import { createRequire } from 'node:module'
import { expect } from 'vitest'
import { formatMinor } from '../money'
import { alpha, NACHA_LINE_LENGTH } from './nacha'
import type { ExportLine } from './types'

// nach2 is an independent ACH implementation (CommonJS, untyped); we use it only to verify.
interface Nach2Entry {
  generateString(cb: (s: string) => void): void
}
interface Nach2 {
  Entry: new (o: Record<string, string>) => Nach2Entry
  Batch: new (o: Record<string, unknown>) => { addEntry(e: Nach2Entry): void }
  File: new (o: Record<string, unknown>) => { addBatch(b: unknown): void; generateFile(cb: (s: string) => void): void }
  Validate: { validateRoutingNumber(r: string): boolean }
  Utils: { computeCheckDigit(r: string): string }
}
export const nach2 = createRequire(import.meta.url)('nach2') as Nach2

/** Our own structural checks, field positions straight from the layout table. */
export function verifyNachaStructure(file: string, eol = '\n') {
  expect(file.endsWith(eol)).toBe(true)
  const lines = file.slice(0, -eol.length).split(eol)
  for (const l of lines) {
    expect(l).toHaveLength(NACHA_LINE_LENGTH)
    expect(l).toMatch(/^[\x20-\x7e]+$/)
  }
  expect(lines.length % 10).toBe(0)
  const types = lines.map((l) => l[0]).join('')
  expect(types).toMatch(/^156+89+$/)
  const entries = lines.filter((l) => l[0] === '6')
  const batchControl = lines.find((l) => l[0] === '8')!
  const fileControl = lines.find((l) => l[0] === '9' && !/^9+$/.test(l))!
  const sumCents = entries.reduce((s, l) => s + BigInt(l.slice(29, 39)), 0n)
  const hash = entries.reduce((s, l) => s + BigInt(l.slice(3, 11)), 0n) % 10_000_000_000n
  // check digits with nach2's independent validator
  for (const l of entries) expect(nach2.Validate.validateRoutingNumber(l.slice(3, 12))).toBe(true)
  // batch control
  expect(batchControl.slice(1, 4)).toBe('220')
  expect(BigInt(batchControl.slice(4, 10))).toBe(BigInt(entries.length))
  expect(BigInt(batchControl.slice(10, 20))).toBe(hash)
  expect(BigInt(batchControl.slice(20, 32))).toBe(0n)
  expect(BigInt(batchControl.slice(32, 44))).toBe(sumCents)
  // file control
  expect(Number(fileControl.slice(1, 7))).toBe(1)
  expect(Number(fileControl.slice(7, 13))).toBe(lines.length / 10)
  expect(BigInt(fileControl.slice(13, 21))).toBe(BigInt(entries.length))
  expect(BigInt(fileControl.slice(21, 31))).toBe(hash)
  expect(BigInt(fileControl.slice(31, 43))).toBe(0n)
  expect(BigInt(fileControl.slice(43, 55))).toBe(sumCents)
  return { lines, entries, sumCents, hash }
}

/**
 * The sample batch's ACH lines written by nach2 with the same settings as SAMPLE_OPTIONS.nacha
 * (nach2 computes check digits, hash and totals itself). LF, with a final newline, like ours.
 */
export function nach2Render(lines: readonly ExportLine[]): string {
  const batch = new nach2.Batch({
    serviceClassCode: '220',
    companyName: 'EXAMPLE CO',
    standardEntryClassCode: 'PPD',
    companyIdentification: '1123456789',
    companyEntryDescription: 'COMMISSION',
    companyDescriptiveDate: 'MAR 26',
    effectiveEntryDate: new Date(2026, 2, 4),
    originatingDFI: '12345678',
  })
  let trace = 0
  for (const line of lines) {
    if (line.payee.method !== 'ach' || line.currency !== 'USD') continue
    batch.addEntry(
      new nach2.Entry({
        // 8 digits: nach2 appends the check digit with its own formula
        receivingDFI: line.payee.routingNumber.slice(0, 8),
        DFIAccount: line.payee.accountNumber,
        amount: formatMinor(line.amountMinor, 'USD'),
        idNumber: line.reference,
        individualName: alpha(line.payee.holderName, 22).trimEnd(),
        transactionCode: line.payee.accountType === 'savings' ? '32' : '22',
        discretionaryData: '  ',
        traceNumber: `12345678${String(++trace).padStart(7, '0')}`,
      }),
    )
  }
  const file = new nach2.File({
    immediateDestination: '123456780',
    immediateOrigin: '123456780',
    immediateDestinationName: 'MY ODFI BANK',
    immediateOriginName: 'EXAMPLE CO',
    referenceCode: ' ',
    fileCreationDate: '260302',
    fileCreationTime: '1030',
    batchSequenceNumber: 1,
  })
  file.addBatch(batch)
  let out = ''
  // nach2 is synchronous underneath its callbacks
  file.generateFile((s) => {
    out = s
  })
  if (out === '') throw new Error('nach2 produced nothing')
  return out.replace(/\r\n/g, '\n') + '\n'
}
