/**
 * Pure-core figures (no database, no HTTP): drafting a batch over generated ledger entries and
 * rendering export files. The database batch service does not exist yet, so the batch figure is
 * the core's own cost, labelled as such in the table.
 */
import { createReadStream } from 'node:fs'

import { draftBatch, type BatchEntry, type BatchPartner } from '../src/ledger/batch'
import { EXPORT_FORMATS, lineReference, renderExport, type ExportFormatId, type ExportLine } from '../src/ledger/export'
import { SAMPLE_OPTIONS } from '../src/ledger/export/sample-batch.fixture'
import { createConversionParser, DEFAULT_PROGRAM_SETTINGS, parseCsvRows, suggestMapping } from '../src/ledger'
import type { Payee } from '../src/ledger/payee'
import { conversionAt, partnerAt } from './generate'

const DAY = 86_400_000

/** Median of `runs` timings of fn, in milliseconds (the first run warms the JIT up too). */
export function timeMedian(runs: number, fn: () => void): number {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn()
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return ms[Math.floor(ms.length / 2)] as number
}

const VALID_IBAN = 'DE89370400440532013000'

export function batchPartners(seed: number, partners: number): BatchPartner[] {
  return Array.from({ length: partners }, (_v, i) => {
    const p = partnerAt(seed, i)
    return {
      id: String(i),
      name: p.name,
      email: p.email,
      active: true,
      payoutMethod: p.payoutMethod,
      payoutDetails: p.payoutMethod === 'bank' ? { iban: VALID_IBAN } : { email: p.payoutEmail },
    }
  })
}

/**
 * One accrual per attributed order (rate from the partner, integer basis points, floor), eligible
 * 30 days after the order; every 33rd order also has a reversal of half its accrual.
 */
export function batchEntries(seed: number, partners: number, orders: number): BatchEntry[] {
  const bps = Array.from({ length: partners }, (_v, i) => {
    const [whole, frac = ''] = partnerAt(seed, i).ratePercent.split('.')
    return BigInt(whole ?? '0') * 100n + BigInt((frac + '00').slice(0, 2))
  })
  const entries: BatchEntry[] = []
  for (let i = 0; i < orders; i++) {
    const c = conversionAt(seed, partners, i)
    if (c.partner === null) continue
    const amount = (BigInt(c.valueMinor) * (bps[c.partner] as bigint)) / 10_000n
    const eligibleAt = new Date(Date.parse(c.occurredAt) + 30 * DAY)
    const base = { partnerId: String(c.partner), currency: c.currency, eligibleAt, held: false, batchId: null, status: 'eligible' }
    entries.push({ ...base, id: `a${i}`, amountMinor: amount })
    if (i % 33 === 0) entries.push({ ...base, id: `r${i}`, amountMinor: -(amount / 2n) })
  }
  return entries
}

export interface BatchFigure {
  readonly partners: number
  readonly entries: number
  readonly lines: number
  readonly carried: number
  readonly blocked: number
  readonly ms: number
}

export function measureBatchDraft(seed: number, partners: number, orders: number): BatchFigure {
  const input = {
    asOf: new Date(Date.UTC(2026, 10, 1)),
    partners: batchPartners(seed, partners),
    entries: batchEntries(seed, partners, orders),
  }
  let draft = draftBatch(input)
  const ms = timeMedian(3, () => {
    draft = draftBatch(input)
  })
  return {
    partners,
    entries: input.entries.length,
    lines: draft.lines.length,
    carried: draft.carried.length,
    blocked: draft.blocked.length,
    ms,
  }
}

/** A payee each format can pay, so every preset renders all the lines. */
function payeeFor(format: ExportFormatId, i: number, name: string): { payee: Payee; currency: string } {
  const email = `partner${i}@partners.example`
  switch (format) {
    case 'paypal-payouts':
      return { payee: { method: 'paypal', email }, currency: 'USD' }
    case 'wise':
      return { payee: { method: 'wise', email, holderName: name, iban: VALID_IBAN, receiverType: 'PERSON' }, currency: 'EUR' }
    case 'nacha':
      return {
        payee: { method: 'ach', holderName: name, routingNumber: '111000025', accountNumber: String(100000 + i), accountType: 'checking' },
        currency: 'USD',
      }
    case 'pain001':
      return { payee: { method: 'sepa', holderName: name, iban: VALID_IBAN, bic: 'COBADEFFXXX' }, currency: 'EUR' }
    default:
      // Bills and generic files take every method; a mix of three currencies makes three files.
      return i % 3 === 0
        ? { payee: { method: 'sepa', holderName: name, iban: VALID_IBAN, bic: null }, currency: 'EUR' }
        : { payee: { method: 'paypal', email }, currency: i % 3 === 1 ? 'USD' : 'GBP' }
  }
}

export function exportLines(seed: number, format: ExportFormatId, count: number): ExportLine[] {
  return Array.from({ length: count }, (_v, k) => {
    const p = partnerAt(seed, k)
    const { payee, currency } = payeeFor(format, k, p.name)
    return {
      reference: lineReference(1, k + 1) as string,
      partnerName: p.name,
      email: p.email,
      payee,
      currency,
      amountMinor: BigInt(1_000 + ((k * 7_919) % 250_000)),
      memo: 'Partner commissions B-2026-11-0001',
    }
  })
}

export interface ExportFigure {
  readonly format: ExportFormatId
  readonly lines: number
  readonly files: number
  readonly bytes: number
  readonly ms: number
}

export function measureExports(seed: number, count: number): ExportFigure[] {
  return (Object.keys(EXPORT_FORMATS) as ExportFormatId[]).map((format) => {
    const batch = {
      batchId: 'bench',
      reference: 'B-2026-11-0001',
      approvedAt: new Date(Date.UTC(2026, 10, 1)),
      lines: exportLines(seed, format, count),
    }
    let files = 0
    let bytes = 0
    const ms = timeMedian(3, () => {
      const r = renderExport(format, batch, SAMPLE_OPTIONS[format] as never)
      if (!r.ok) throw new Error(`export ${format}: ${r.code} ${r.detail}`)
      files = r.files.length
      bytes = r.files.reduce((s, f) => s + f.content.byteLength, 0)
    })
    return { format, lines: count, files, bytes, ms }
  })
}

/**
 * The import's CPU work without a database: CSV parsing, the suggested mapping and the row
 * parser (zod schema, canonical code, amount in minor units, date) over a generated file.
 */
export async function measureParse(file: string): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now()
  let parse: ReturnType<typeof createConversionParser> | null = null
  let rows = 0
  const source = createReadStream(file, { highWaterMark: 256 * 1024 })
  for await (const ev of parseCsvRows(source as AsyncIterable<Uint8Array>)) {
    if (ev.type === 'header') {
      parse = createConversionParser(suggestMapping(ev.headers, 'conversions').mapping, DEFAULT_PROGRAM_SETTINGS)
    } else if (ev.type === 'row' && parse) {
      const r = parse(ev.values, ev.rowNumber)
      if (!r.ok) throw new Error(`row ${ev.rowNumber}: ${JSON.stringify(r.errors)}`)
      rows++
    }
  }
  return { rows, ms: performance.now() - t0 }
}
