import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import Papa from 'papaparse'
import { afterAll, describe, expect, test } from 'vitest'

import { renderExport } from '../../src/ledger/export'
import { SAMPLE_BATCH } from '../../src/ledger/export/sample-batch.fixture'
import type { ExportBatch, ExportLine } from '../../src/ledger/export/types'

/**
 * Checklist row 25 in a real spreadsheet: LibreOffice Calc (headless, Debian's
 * libreoffice-calc-nogui, installed by .ci/run) opens the AP files. The control shows what a CSV
 * does to long and zero-led numbers even when they are quoted; the xlsx export keeps them as text,
 * has numeric amounts, a total row equal to Σ minor units, and no formula. Skips without soffice.
 */
const soffice = ['soffice', 'libreoffice'].find((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0)
if (!soffice) console.warn('export-xlsx-libreoffice: SKIPPED — no soffice/libreoffice on PATH')

const work = mkdtempSync(path.join(tmpdir(), 'lo-xlsx-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function convert(file: string, to: 'csv' | 'fods', csvInput = false): string {
  const outdir = path.join(work, `out-${to}-${path.basename(file)}`)
  execFileSync(
    soffice!,
    [
      `-env:UserInstallation=${pathToFileURL(path.join(work, 'profile')).href}`,
      '--headless',
      ...(csvInput ? ['--infilter=CSV:44,34,76,1'] : []),
      '--convert-to',
      to === 'csv' ? 'csv:Text - txt - csv (StarCalc):44,34,76,1' : 'fods',
      '--outdir',
      outdir,
      file,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  return path.join(outdir, `${path.basename(file, path.extname(file))}.${to}`)
}

const ACCOUNTS: [string, string, bigint][] = [
  ['12345678901234567', '011000015', 1999n],
  ['00012345678901234', '021000021', 5n],
  ['1234567890123456', '011000028', 100_000n],
  ['0000000000000001', '091000019', 123_456_789_01n],
]

const line = ([account, routing, amountMinor]: [string, string, bigint], i: number): ExportLine => ({
  reference: `PO-000017-${String(i + 1).padStart(5, '0')}`,
  partnerName: `=Payee ${i + 1}`,
  email: null,
  payee: { method: 'ach', holderName: `Payee ${i + 1}`, routingNumber: routing, accountNumber: account, accountType: 'checking' },
  currency: 'USD',
  amountMinor,
  memo: 'Commissions',
})
const BATCH: ExportBatch = { ...SAMPLE_BATCH, lines: ACCOUNTS.map(line) }
const TOTAL = ACCOUNTS.reduce((s, [, , a]) => s + a, 0n)

function readBack(file: string): string[][] {
  return Papa.parse<string[]>(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data
}

describe.skipIf(!soffice)('AP files opened in LibreOffice Calc', () => {
  test('the control: the generic CSV, quoted digits and all, loses zeros and digits in Calc (why the workbook exists)', () => {
    const r = renderExport('generic-csv', BATCH, {})
    if (!r.ok) throw new Error(JSON.stringify(r))
    const file = path.join(work, 'accounts.csv')
    writeFileSync(file, r.files[0]!.content)
    expect(r.files[0]!.content.toString('utf8')).toContain('"00012345678901234"')
    const rows = readBack(convert(file, 'csv', true))
    const account = rows[0]!.indexOf('Account')
    const got = rows.slice(1).map((row) => row[account])
    expect(got).not.toEqual(ACCOUNTS.map(([a]) => a))
  })

  test('xlsx: accounts and routing numbers read back exactly as text; amounts are numbers; total row = Σ minor units; no formula', () => {
    const r = renderExport('xlsx', BATCH, {})
    if (!r.ok) throw new Error(JSON.stringify(r))
    const file = path.join(work, 'accounts.xlsx')
    writeFileSync(file, r.files[0]!.content)

    const fods = readFileSync(convert(file, 'fods'), 'utf8')
    expect(fods.match(/table:formula="[^"]*"/g) ?? []).toEqual([])
    for (const [account, routing] of ACCOUNTS) {
      expect(fods).toContain(`office:value-type="string"`)
      expect(fods).toContain(`<text:p>${account}</text:p>`)
      expect(fods).toContain(`<text:p>${routing}</text:p>`)
    }

    const rows = readBack(convert(file, 'csv'))
    const header = rows[0]!
    const [account, routing, amount, partner] = ['Account', 'Routing / BIC', 'Amount', 'Partner'].map((h) => header.indexOf(h))
    const body = rows.slice(1, -1)
    expect(body.map((row) => row[account!])).toEqual(ACCOUNTS.map(([a]) => a))
    expect(body.map((row) => row[routing!])).toEqual(ACCOUNTS.map(([, r]) => r))
    expect(body.map((row) => row[partner!])).toEqual(ACCOUNTS.map((_a, i) => `=Payee ${i + 1}`))
    const minor = (text: string) => BigInt(text.replace('.', ''))
    for (const row of body) expect(row[amount!]).toMatch(/^\d+\.\d{2}$/)
    const total = rows.at(-1)!
    expect(total[0]).toBe('Total')
    expect(minor(total[amount!]!)).toBe(TOTAL)
    expect(body.reduce((s, row) => s + minor(row[amount!]!), 0n)).toBe(TOTAL)
    console.log(
      `export-xlsx-libreoffice: ${ACCOUNTS.length} accounts (16–17 digits, leading zeros) and routing numbers read back as text; total ${TOTAL} minor units; 0 formulas`,
    )
  })
})
