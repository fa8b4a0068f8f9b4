import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import Papa from 'papaparse'
import { afterAll, describe, expect, test } from 'vitest'

import { renderExport } from '../../src/ledger/export'
import { SAMPLE_BATCH } from '../../src/ledger/export/sample-batch.fixture'

/**
 * Checklist row 24 / issue #8 item 8 in a real spreadsheet: the generic CSV export of a batch whose
 * partner names and memos are hostile is opened by LibreOffice Calc (headless, Debian's
 * libreoffice-calc-nogui) and saved as flat ODS. No cell may hold a formula, and saving that back
 * to CSV must give every text as written (less the neutralising `'`). A control file with one
 * un-neutralised `=1+1` proves LibreOffice does evaluate what we would let through.
 * CI installs the package (.ci/run); elsewhere the test skips, saying why.
 */
const soffice = ['soffice', 'libreoffice'].find((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0)
if (!soffice)
  console.warn(
    'export-libreoffice: SKIPPED — no soffice/libreoffice on PATH (apt-get install -y --no-install-recommends libreoffice-calc-nogui)',
  )

const HOSTILE = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(1,1)',
  '\t=1+1',
  '\r=1+1',
  '=HYPERLINK("http://evil.example","click")',
  "=cmd|'/c calc'!A1",
  '=1+1, with "quotes", commas',
  'two\nlines =1+1',
  'carriage\rreturn',
  '"=1+1"',
  'Plain Name, Ltd',
]

const work = mkdtempSync(path.join(tmpdir(), 'lo-export-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Opens a CSV as UTF-8, comma, double quote (the options an importing user gets) and saves `to`. */
function convert(file: string, to: 'fods' | 'csv'): string {
  const outdir = path.join(work, `out-${to}-${path.basename(file)}`)
  const filter = to === 'csv' ? 'csv:Text - txt - csv (StarCalc):44,34,76,1' : 'fods'
  execFileSync(
    soffice!,
    [
      `-env:UserInstallation=${pathToFileURL(path.join(work, 'profile')).href}`,
      '--headless',
      '--infilter=CSV:44,34,76,1',
      '--convert-to',
      filter,
      '--outdir',
      outdir,
      file,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  return path.join(outdir, `${path.basename(file, path.extname(file))}.${to}`)
}

function hostileBatch() {
  return {
    ...SAMPLE_BATCH,
    lines: HOSTILE.map((v, i) => ({
      ...SAMPLE_BATCH.lines[0]!,
      reference: `PO-000017-${String(i + 1).padStart(5, '0')}`,
      partnerName: v,
      memo: v,
    })),
  }
}

describe.skipIf(!soffice)('generic CSV export opened in LibreOffice Calc', () => {
  test('the control: an un-neutralised =1+1 is evaluated by LibreOffice (so the check below can fail)', () => {
    const file = path.join(work, 'control.csv')
    writeFileSync(file, 'Name,Memo\r\n"=1+1",x\r\n')
    const fods = readFileSync(convert(file, 'fods'), 'utf8')
    expect(fods).toMatch(/table:formula="of:=1\+1"/)
  })

  test('no cell of the export holds a formula, and every text reads back as written', () => {
    const r = renderExport('generic-csv', hostileBatch(), {})
    if (!r.ok) throw new Error(`render failed: ${JSON.stringify(r)}`)
    expect(r.files).toHaveLength(1)
    const file = path.join(work, 'hostile.csv')
    writeFileSync(file, r.files[0]!.content)

    const fods = readFileSync(convert(file, 'fods'), 'utf8')
    expect(fods.match(/table:formula="[^"]*"/g) ?? []).toEqual([])
    expect(fods).not.toContain('evil.example"') // no hyperlink element either, only text

    const back = readFileSync(convert(file, 'csv'), 'utf8').replace(/^\uFEFF/, '')
    const rows = Papa.parse<string[]>(back, { skipEmptyLines: true }).data
    const header = rows[0]!
    const partner = header.indexOf('Partner')
    const memo = header.indexOf('Memo')
    expect(partner).toBeGreaterThanOrEqual(0)
    // LibreOffice reads CR inside a quoted value as a line break; the text is otherwise intact.
    const unprefix = (s: string) => s.replace(/^'/, '').replace(/\r\n?/g, '\n')
    const expected = HOSTILE.map((v) => v.replace(/\r\n?/g, '\n'))
    expect(rows.slice(1).map((row) => unprefix(row[partner]!))).toEqual(expected)
    expect(rows.slice(1).map((row) => unprefix(row[memo]!))).toEqual(expected)
    // The amounts stay numbers (never prefixed): LibreOffice saves them as plain decimals.
    const amount = header.indexOf('Amount')
    for (const row of rows.slice(1)) expect(row[amount]).toMatch(/^\d+(\.\d+)?$/)
    console.log(`export-libreoffice: ${HOSTILE.length} hostile values × 2 columns, 0 formulas in LibreOffice ${soffice}`)
  })
})
