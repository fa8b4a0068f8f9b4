import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Payee } from '../payee'
import { renderExport } from './index'
import { sepaText, xmlEscape, type Pain001Options } from './pain001'
import { batchOf, manyLines, parseDecimalMinor, SAMPLE_BATCH, SAMPLE_OPTIONS } from './sample-batch.fixture'

// shared/ sits beside the repository (in CI too); fall back to the workplace path.
const XSD =
  [
    resolve(import.meta.dirname, '../../../../shared/fixtures/iso20022/pain.001.001.03.xsd'),
    '/work/shared/fixtures/iso20022/pain.001.001.03.xsd',
  ].find((p) => existsSync(p)) ?? 'shared/fixtures/iso20022/pain.001.001.03.xsd (not found)'
const OPTIONS = SAMPLE_OPTIONS.pain001
const sepa: Payee = { method: 'sepa', holderName: 'Pat', iban: 'FR7630006000011234567890189', bic: null }

function xmllintAvailable(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const HAS_XMLLINT = xmllintAvailable()

function xsdValidate(xml: Buffer | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pain001-'))
  try {
    const file = join(dir, 'p.xml')
    writeFileSync(file, xml)
    return execFileSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function render(batch = SAMPLE_BATCH, options: Pain001Options = OPTIONS) {
  const r = renderExport('pain001', batch, options)
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  return r
}

const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '')

describe('pain.001.001.03', () => {
  test('NbOfTxs and CtrlSum (decimal point) match the transactions, in GrpHdr and PmtInf', () => {
    const file = render().files[0]!
    const xml = file.content.toString('utf8')
    const amounts = all(xml, 'InstdAmt')
    expect(amounts).toEqual(['118.00', '2500.99'])
    const sum = amounts.reduce((s, a) => s + parseDecimalMinor(a, 2), 0n)
    expect(all(xml, 'NbOfTxs')).toEqual(['2', '2'])
    expect(all(xml, 'CtrlSum')).toEqual(['2618.99', '2618.99'])
    expect(sum).toBe(file.totalMinor)
    expect(sum).toBe(SAMPLE_BATCH.lines.filter((l) => l.currency === 'EUR').reduce((s, l) => s + l.amountMinor, 0n))
    expect(all(xml, 'EndToEndId')).toEqual(['PO-000017-00005', 'PO-000017-00006'])
    expect(all(xml, 'EndToEndId').every((id) => id.length <= 35)).toBe(true)
    expect(xml.charCodeAt(0)).toBe('<'.charCodeAt(0)) // no BOM
  })

  test('names and memos are reduced to the SEPA character set and escaped', () => {
    const xml = render().files[0]!.content.toString('utf8')
    expect(all(xml, 'Nm')).toEqual(['Example Co', 'Example Co', 'Jean Dupont Fils', 'Muller Strasse GmbH'])
    expect(all(xml, 'Ustrd')).toEqual(['Commissions fevrier 2026 Q1', 'Provision Februar 2026'])
    expect(xmlEscape(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;')
    expect(sepaText("O'Brien & Sons <Ltd>", 70)).toBe("O'Brien Sons Ltd")
    expect(sepaText('x'.repeat(200), 140)).toHaveLength(140)
  })

  test.skipIf(!HAS_XMLLINT)('validates against the pain.001.001.03 XSD (xmllint)', () => {
    expect(() => xsdValidate(render().files[0]!.content)).not.toThrow()
    // without BICs and with batch booking, too
    const noBic = render(batchOf(manyLines(3, sepa, 'EUR')), { ...OPTIONS, debtorBic: undefined, batchBooking: true })
    expect(() => xsdValidate(noBic.files[0]!.content)).not.toThrow()
  })

  test.runIf(!HAS_XMLLINT)('xmllint missing: XSD validation skipped (apt-get install libxml2-utils)', () => {
    console.warn('xmllint not on PATH: pain.001 XSD validation was skipped')
  })

  test('the XSD check is real: a broken file fails it', { skip: !HAS_XMLLINT }, () => {
    const xml = render().files[0]!.content.toString('utf8').replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>XXX</PmtMtd>')
    expect(() => xsdValidate(xml)).toThrow()
  })

  test('split files get distinct MsgIds', () => {
    const r = render(batchOf(manyLines(3, sepa, 'EUR')), { ...OPTIONS, maxRowsPerFile: 2 })
    const ids = r.files.map((f) => all(f.content.toString('utf8'), 'MsgId')[0])
    expect(ids).toEqual(['B-2026-03-0017-P1', 'B-2026-03-0017-P2'])
    expect(r.files.map((f) => all(f.content.toString('utf8'), 'NbOfTxs')[0])).toEqual(['2', '1'])
  })

  test('EUR only', () => {
    expect(renderExport('pain001', SAMPLE_BATCH, { ...OPTIONS, allowPartial: false })).toMatchObject({
      ok: false,
      code: 'lines_not_payable_by_format',
    })
    const r = render()
    expect(r.files.map((f) => f.currency)).toEqual(['EUR'])
    expect(new Set(r.skipped.map((s) => s.currency))).toEqual(new Set(['USD', 'GBP', 'JPY']))
  })

  test.each<[Partial<Pain001Options>, string, string]>([
    [{ initiatingPartyName: '' }, 'missing_option', 'initiatingPartyName'],
    [{ debtorName: undefined }, 'missing_option', 'debtorName'],
    [{ debtorIban: undefined }, 'missing_option', 'debtorIban'],
    [{ debtorIban: 'DE00370400440532013000' }, 'invalid_option', 'debtorIban'],
    [{ debtorBic: 'NOPE' }, 'invalid_option', 'debtorBic'],
    [{ requestedExecutionDate: undefined }, 'missing_option', 'requestedExecutionDate'],
    [{ requestedExecutionDate: '04.03.2026' }, 'invalid_option', 'requestedExecutionDate'],
  ])('%o -> %s', (patch, code, detail) => {
    expect(renderExport('pain001', SAMPLE_BATCH, { ...OPTIONS, ...patch })).toEqual({ ok: false, code, detail })
  })

  test('amount above 999,999,999.99 is refused; a name that transliterates to nothing is refused', () => {
    expect(renderExport('pain001', batchOf(manyLines(1, sepa, 'EUR', 100_000_000_000n)), OPTIONS)).toMatchObject({
      ok: false,
      code: 'amount_too_large',
    })
    expect(renderExport('pain001', batchOf(manyLines(1, { ...sepa, holderName: '山田' }, 'EUR')), OPTIONS)).toMatchObject({
      ok: false,
      code: 'invalid_payee',
    })
  })
})
