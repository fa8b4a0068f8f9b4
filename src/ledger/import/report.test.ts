import { readFileSync } from 'node:fs'
import path from 'node:path'

import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'

import { DEFAULT_PROGRAM_SETTINGS } from '../settings'
import { suggestMapping } from './mapping'
import { fromCsvRowError, fromRowError, ImportReport } from './report'
import { createConversionParser } from './rows'
import { bytes, collect } from './test-helpers'

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/imports')

describe('ImportReport', () => {
  it('balances rows in against outcomes', () => {
    const r = new ImportReport()
    for (const row of [2, 3, 4, 5, 6, 7]) r.rowRead(row)
    r.outcome(2, 'created')
    r.outcome(3, 'updated')
    r.outcome(4, 'duplicate')
    r.outcome(5, 'unattributed')
    r.reject(6, [{ row: 6, column: 'amount', value: 'abc', code: 'amount_letters', message: 'Row 6 ...' }])
    expect(r.checkInvariant()).toEqual({ ok: false, message: '1 rows were read but have no outcome (rows 7)' })
    r.outcome(7, 'created')
    r.flag(7, ['self_referral_email'])
    expect(r.checkInvariant()).toEqual({ ok: true })
    expect(r.counts).toEqual({ rowsIn: 6, created: 2, updated: 1, duplicate: 1, unattributed: 1, rejected: 1, flagged: 1 })
    expect(r.samples.flagged).toEqual([{ row: 7, detail: { flags: 'self_referral_email' } }])
  })

  it('refuses a row classified twice or never read (a bug, not an input problem)', () => {
    const r = new ImportReport()
    r.rowRead(2)
    r.outcome(2, 'created')
    expect(() => r.outcome(2, 'duplicate')).toThrow(/row 2/)
    expect(() => r.outcome(9, 'created')).toThrow(/row 9/)
    expect(() => {
      r.rowRead(3)
      r.rowRead(3)
    }).toThrow(/read twice/)
  })

  it('caps samples and errors, but never the counts', () => {
    const r = new ImportReport({ samplesPerCategory: 2, maxErrors: 3 })
    for (let row = 2; row < 12; row++) {
      r.rowRead(row)
      r.reject(row, [{ row, column: 'c', value: 'x'.repeat(10_000), code: 'bad', message: 'bad' }])
    }
    expect(r.counts.rejected).toBe(10)
    expect(r.samples.rejected).toHaveLength(2)
    expect(r.errors).toHaveLength(3)
    expect(r.errorsNotKept).toBe(7)
    expect(r.errors[0]?.value?.length).toBeLessThanOrEqual(201)
    expect(r.errorsToCsv()).toContain('7 more errors are not listed')
  })

  it('writes errors as a formula-safe CSV that reads back', () => {
    const r = new ImportReport()
    const values = ['=HYPERLINK("http://evil.example")', '+SUM(A1)', '-12.00', '@cmd', '\tx', '\rx', 'plain, with "quotes"\nand a newline']
    values.forEach((value, i) => {
      r.rowRead(i + 2)
      r.reject(i + 2, [{ row: i + 2, column: '=col', value, code: 'bad', message: `Row ${i + 2}: bad` }])
    })
    const csv = r.errorsToCsv()
    expect(csv.startsWith('\uFEFFrow,column,value,message,code\r\n')).toBe(true)
    const parsed = Papa.parse<string[]>(csv.slice(1), { newline: '\r\n' }).data.filter((row) => row.length > 1)
    expect(parsed.slice(1).map((row) => row[2])).toEqual(values.map((v) => `'${v}`.replace(/^'plain/, 'plain')))
    expect(parsed.slice(1).every((row) => row[1] === "'=col")).toBe(true)
  })

  it('accounts for a messy file end to end: rows in = outcomes', async () => {
    const events = await collect([
      new Uint8Array(readFileSync(path.join(FIXTURES, 'conversions-bad-values.csv'))),
      bytes('GOOD3,7008,1.00\n'),
    ])
    const header = events[0]
    if (header?.type !== 'header') throw new Error('no header')
    const { mapping } = suggestMapping(header.headers, 'conversions')
    const parse = createConversionParser(mapping, DEFAULT_PROGRAM_SETTINGS)
    const report = new ImportReport()
    const seen = new Set<string>()
    for (const e of events) {
      if (e.type === 'row_error') {
        report.rowRead(e.rowNumber)
        report.reject(e.rowNumber, [fromCsvRowError(e)])
      } else if (e.type === 'row') {
        report.rowRead(e.rowNumber)
        const r = parse(e.values, e.rowNumber)
        if (!r.ok) report.reject(e.rowNumber, r.errors.map(fromRowError))
        else {
          const key = `${r.record.code.canonical}|${r.record.orderId}`
          report.outcome(e.rowNumber, seen.has(key) ? 'duplicate' : 'created')
          seen.add(key)
        }
      }
    }
    expect(report.checkInvariant()).toEqual({ ok: true })
    expect(report.counts).toMatchObject({ rowsIn: 8, created: 2, rejected: 6 })
    expect(report.errors.find((e) => e.code === 'wrong_field_count')?.row).toBe(9)
  })
})
