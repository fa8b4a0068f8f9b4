/**
 * Golden files: every format rendered from the fixed sample batch, compared byte for byte with
 * tests/golden/. A diff here means a file a bank or AP tool receives has changed; inspect it
 * against docs before regenerating with `UPDATE_GOLDEN=1 npx vitest run --project unit src/ledger/export/golden`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { bundleFiles, EXPORT_FORMATS, renderExport, type ExportFormatId } from './index'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { nach2Render, verifyNachaStructure } from './nacha-verify.fixture'
import { SAMPLE_BATCH, SAMPLE_OPTIONS } from './sample-batch.fixture'

const GOLDEN_DIR = resolve(import.meta.dirname, '../../../tests/golden')
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const PAIN001_XSD =
  [
    resolve(import.meta.dirname, '../../../../shared/fixtures/iso20022/pain.001.001.03.xsd'),
    '/work/shared/fixtures/iso20022/pain.001.001.03.xsd',
  ].find((p) => existsSync(p)) ?? 'pain.001.001.03.xsd not found beside the repository'

function hasTool(name: string): boolean {
  try {
    execFileSync(name, name === 'xmllint' ? ['--version'] : ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function goldenName(format: string, currency: string, extension: string): string {
  return `${format}.${currency}.${extension}`
}

function rendered(): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const id of Object.keys(EXPORT_FORMATS) as ExportFormatId[]) {
    const r = renderExport(id, SAMPLE_BATCH, SAMPLE_OPTIONS[id] as never)
    if (!r.ok) throw new Error(`${id}: ${r.code} ${r.detail}`)
    for (const f of r.files) out.set(goldenName(id, f.currency, EXPORT_FORMATS[id].extension), f.content)
    if (id === 'generic-csv') out.set('generic-csv.zip', bundleFiles('generic-csv.zip', r.files).content)
  }
  return out
}

describe('golden files', () => {
  const files = rendered()

  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true })
    for (const [name, content] of files) writeFileSync(join(GOLDEN_DIR, name), content)
  }

  test.each([...files.keys()])('%s is byte-for-byte unchanged', (name) => {
    const path = join(GOLDEN_DIR, name)
    expect(existsSync(path), `${path} missing; generate with UPDATE_GOLDEN=1 and review it`).toBe(true)
    const expected = readFileSync(path)
    const actual = files.get(name)!
    // compare as text first for a readable diff, then as bytes (BOM, CRLF, encoding)
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'))
    expect(actual.equals(expected)).toBe(true)
  })

  test('no stale golden files are left behind', () => {
    const onDisk = existsSync(GOLDEN_DIR) ? readdirSync(GOLDEN_DIR).filter((f) => !['README.md', '.gitattributes'].includes(f)) : []
    expect(onDisk.sort()).toEqual([...files.keys()].sort())
  })
})

/** The frozen files themselves are checked by independent tools, not only against our writer. */
describe('golden files verified independently', () => {
  const read = (name: string) => readFileSync(join(GOLDEN_DIR, name))

  test('nacha: nach2 writes the same file; 94-char lines, blocking, hash and totals', () => {
    const text = read('nacha.USD.ach').toString('ascii')
    const { entries, sumCents, hash } = verifyNachaStructure(text)
    expect(entries).toHaveLength(2)
    expect(sumCents).toBe(16550n)
    expect(hash).toBe(109865434n)
    expect(text).toBe(nach2Render(SAMPLE_BATCH.lines))
  })

  test('pain001: NbOfTxs and CtrlSum; XSD-valid when xmllint exists', () => {
    const xml = read('pain001.EUR.xml').toString('utf8')
    expect([...xml.matchAll(/<NbOfTxs>(\d+)<\/NbOfTxs>/g)].map((m) => m[1])).toEqual(['2', '2'])
    expect([...xml.matchAll(/<CtrlSum>([\d.]+)<\/CtrlSum>/g)].map((m) => m[1])).toEqual(['2618.99', '2618.99'])
    if (!hasTool('xmllint')) {
      console.warn('xmllint not on PATH: skipped XSD validation of tests/golden/pain001.EUR.xml')
      return
    }
    execFileSync('xmllint', ['--noout', '--schema', PAIN001_XSD, join(GOLDEN_DIR, 'pain001.EUR.xml')], { stdio: 'pipe' })
  })

  test.skipIf(!hasTool('unzip'))('zip: unzip -t accepts the bundle', () => {
    const out = execFileSync('unzip', ['-t', join(GOLDEN_DIR, 'generic-csv.zip')], { encoding: 'utf8' })
    expect(out).toMatch(/No errors detected/)
  })

  test('csv goldens: every amount column read back sums to the batch total per currency', () => {
    const byCurrency = new Map<string, bigint>()
    for (const l of SAMPLE_BATCH.lines) byCurrency.set(l.currency, (byCurrency.get(l.currency) ?? 0n) + l.amountMinor)
    for (const currency of byCurrency.keys()) {
      expect(columnTotal(parseCsv(read(goldenName('generic-csv', currency, 'csv'))).slice(1), 9, currency)).toBe(byCurrency.get(currency))
      expect(columnTotal(parseCsv(read(goldenName('xero', currency, 'csv'))).slice(1), 17, currency)).toBe(byCurrency.get(currency))
      expect(columnTotal(parseCsv(read(goldenName('quickbooks', currency, 'csv'))).slice(1), 9, currency)).toBe(byCurrency.get(currency))
      expect(columnTotal(parseCsv(read(goldenName('custom-template', currency, 'csv')), ';').slice(1), 5, currency, ',')).toBe(
        byCurrency.get(currency),
      )
    }
  })
})
