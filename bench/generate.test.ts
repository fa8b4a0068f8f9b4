import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import {
  createConversionParser,
  createRefundParser,
  DEFAULT_PROGRAM_SETTINGS,
  parseCsvRows,
  suggestMapping,
  type ConversionRecord,
  type ImportKind,
} from '../src/ledger'
import { FLOOR_COLUMNS, generateDataset, mulberry32, type DatasetManifest } from './generate'

const dirs: string[] = []
async function generated(seed: number, partners = 40, conversions = 3_000): Promise<DatasetManifest> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-gen-'))
  dirs.push(dir)
  return generateDataset(dir, { seed, partners, conversions, partnerIdBase: 500 })
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const sha = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')

async function rowsOf(file: string) {
  const out: { rowNumber: number; values: Readonly<Record<string, string>> }[] = []
  let headers: readonly string[] = []
  for await (const ev of parseCsvRows([await readFile(file)])) {
    if (ev.type === 'header') headers = ev.headers
    else if (ev.type === 'row') out.push(ev)
    else if (ev.type === 'end') continue
    else throw new Error(`${file} row ${ev.rowNumber}: ${ev.message}`)
  }
  return { headers, rows: out }
}

/** Parses a generated file exactly as the import does: suggested mapping, then the row parser. */
async function parsedConversions(file: string): Promise<ConversionRecord[]> {
  const { headers, rows } = await rowsOf(file)
  const s = suggestMapping(headers, 'conversions')
  expect(s.missingRequired).toEqual([])
  const parse = createConversionParser(s.mapping, DEFAULT_PROGRAM_SETTINGS)
  return rows.map((r) => {
    const p = parse(r.values, r.rowNumber)
    if (!p.ok) throw new Error(JSON.stringify(p.errors))
    return p.record
  })
}

describe('bench data generator', () => {
  it('mulberry32 repeats for a seed and differs across seeds', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs)
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true)
  })

  it('writes byte-identical files for the same seed, and other files for another seed', async () => {
    const [a, b, c] = await Promise.all([generated(7), generated(7), generated(8)])
    for (const k of Object.keys(a.files) as (keyof DatasetManifest['files'])[]) {
      expect(await sha(b.files[k]), k).toBe(await sha(a.files[k]))
    }
    expect(await sha(c.files.conversions1)).not.toBe(await sha(a.files.conversions1))
    expect({ ...b, files: null }).toEqual({ ...a, files: null })
  })

  it('has the mess the issue asks for, and the import parser reads every row to what the floor file stores', async () => {
    const m = await generated(11, 40, 6_000)
    const records = await parsedConversions(m.files.conversions1)
    expect(records).toHaveLength(6_000)

    // The floor file is file 1 pre-canonicalised: same keys, amounts and attribution, row by row.
    const floor = (await readFile(m.files.floor1, 'utf8')).trimEnd().split('\n')
    expect(floor).toHaveLength(records.length)
    const partnerCodes = new Set<string>()
    for (const line of (await readFile(m.files.partners, 'utf8')).trimEnd().split('\n').slice(1)) {
      // name may be quoted with a comma; the code is the first unquoted cell after it
      const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? []
      partnerCodes.add(String(cells[1]))
    }
    expect(partnerCodes.size).toBe(40)
    let unmatched = 0
    records.forEach((r, i) => {
      const cells = String(floor[i]).split(',')
      const at = (c: (typeof FLOOR_COLUMNS)[number]) => cells[FLOOR_COLUMNS.indexOf(c)]
      expect([at('code'), at('order_id'), at('value_minor'), at('currency')]).toEqual([
        r.code.canonical,
        r.orderId,
        String(r.valueMinor),
        r.currency,
      ])
      expect(new Date(String(at('occurred_at'))).toISOString()).toBe(new Date(r.occurredAt).toISOString())
      expect(at('partner_id') === '').toBe(!partnerCodes.has(r.code.canonical))
      if (!partnerCodes.has(r.code.canonical)) unmatched++
    })
    expect(unmatched).toBe(m.conversions1.unmatched)
    // ~1% unmatched, ~0.5% self-referrals, links and mixed case present
    expect(unmatched / 6_000).toBeGreaterThan(0.004)
    expect(unmatched / 6_000).toBeLessThan(0.02)
    expect(m.conversions1.selfReferrals).toBeGreaterThan(0)
    expect(records.filter((r) => r.code.raw.startsWith('https://shop.example/?ref=')).length).toBe(m.conversions1.links)
    expect(records.some((r) => r.code.raw !== r.code.canonical && !r.code.raw.startsWith('http'))).toBe(true)

    // The second file repeats 2% of the first file's orders, detectable only by the canonical key.
    const keys = new Set(records.map((r) => `${r.code.canonical}\u0000${r.orderId}`))
    const second = await parsedConversions(m.files.conversions2)
    expect(second).toHaveLength(1_200)
    const repeats = second.filter((r) => keys.has(`${r.code.canonical}\u0000${r.orderId}`))
    expect(repeats).toHaveLength(120)
    expect(m.conversions2.duplicatesOfFile1).toBe(120)
    const raw1 = new Map(records.map((r) => [r.orderId, r.code.raw]))
    for (const r of repeats) expect(r.code.raw).not.toBe(raw1.get(r.orderId))
  })

  it('writes 3% refunds the refunds parser reads, half of them after the payout date', async () => {
    const m = await generated(5, 40, 4_000)
    const { headers, rows } = await rowsOf(m.files.refunds)
    const s = suggestMapping(headers, 'refunds' satisfies ImportKind)
    expect(s.missingRequired).toEqual([])
    const parse = createRefundParser(s.mapping, DEFAULT_PROGRAM_SETTINGS)
    expect(rows).toHaveLength(120)
    let after = 0
    for (const r of rows) {
      const p = parse(r.values, r.rowNumber)
      if (!p.ok) throw new Error(JSON.stringify(p.errors))
      if (Date.parse(String(r.values['Refunded At'])) > Date.parse(m.payoutAt)) after++
    }
    expect(after).toBe(60)
    expect(m.refunds.afterPayout).toBe(60)
  })
})
