/**
 * A seeded, deterministic data set for the benchmarks: the same seed and sizes give
 * byte-identical files. Every row is a pure function of (seed, index), so a duplicate in the
 * second file is the same order re-rendered (another form of its code) without keeping the
 * first file in memory, and files are written by streaming, whatever their size.
 *
 * Files (see `DatasetManifest` for the counts actually written):
 * - partners.csv       N partners: name, code, email, rate_percent, payout method, payout email.
 * - conversions-1.csv  M orders. ~1% carry a code no partner has; ~0.5% are self-referrals
 *                      (customer email = the partner's email); codes are written canonical,
 *                      in mixed case, padded, or as a referral link `https://shop.example/?ref=code`.
 * - conversions-2.csv  The next export, M/5 rows: 2% of M are orders of file 1 again (their code in
 *                      another form, so only the canonical key shows the duplicate), the rest new.
 * - refunds.csv        3% of file 1's orders; half refunded after the payout date (clawbacks).
 * - floor-1.csv        File 1 as the import would store it (canonical code, minor units, partner
 *                      id), for `\copy` into a table with the same unique index: the Postgres floor.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'

export interface DatasetOptions {
  readonly seed: number
  readonly partners: number
  readonly conversions: number
  /** Partners are stored with id = partnerIdBase + index, so the floor file can name them. */
  readonly partnerIdBase?: number
  /** Goes into every order id, so data sets of several sizes can share one database (and partners). */
  readonly tag?: string
}

export interface DatasetManifest {
  readonly seed: number
  readonly tag: string
  readonly partners: number
  readonly partnerIdBase: number
  readonly files: Readonly<Record<'partners' | 'conversions1' | 'conversions2' | 'refunds' | 'floor1', string>>
  readonly conversions1: { readonly rows: number; readonly unmatched: number; readonly selfReferrals: number; readonly links: number }
  readonly conversions2: { readonly rows: number; readonly duplicatesOfFile1: number }
  readonly refunds: { readonly rows: number; readonly afterPayout: number }
  /** Refunds dated after this instant are "after payout" (the batch was paid on this day). */
  readonly payoutAt: string
}

export const CONVERSION_HEADERS = ['Order ID', 'Referral Code', 'Order Total', 'Currency', 'Order Date', 'Customer Email', 'Customer Name']
export const REFUND_HEADERS = ['Order ID', 'Referral Code', 'Refund Amount', 'Refunded At', 'Currency']
export const PARTNER_HEADERS = ['name', 'code', 'email', 'rate_percent', 'payout_method', 'payout_email']
export const FLOOR_COLUMNS = [
  'code',
  'order_id',
  'partner_id',
  'value_minor',
  'currency',
  'occurred_at',
  'customer_email',
  'customer_name',
  'status',
] as const

const PAYOUT_AT = Date.UTC(2026, 10, 1)
const PERIOD_START = Date.UTC(2026, 0, 1)
const PERIOD_MS = 300 * 86_400_000

/** mulberry32: tiny, fast, good enough for test data; never for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A per-row seed (murmur3's finaliser over seed and index), so row i never depends on row i-1. */
function rowSeed(seed: number, stream: number, i: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T

const FIRST = ['Jane', 'Maya', 'Omar', 'Lena', 'Kenji', 'Zoë', 'Luis', 'Aisha', 'Tom', 'Ingrid', 'Priya', 'Noah', 'Chen', 'Fatima', 'Olu']
const LAST = ['Doe', 'Okafor', 'Haddad', 'Müller', 'Tanaka', 'García', 'Smith', "O'Brien", 'Nowak', 'Rossi', 'Singh', 'Kim', 'Silva']
const BRAND = ['TRAIL', 'RUN', 'HIKE', 'PEAK', 'CAMP', 'RIDGE', 'SUMMIT', 'RIVER', 'FOREST', 'CLIMB', 'STRIDE', 'ALPINE']
const RATES = ['5', '7.5', '10', '12.5', '15', '20']

export interface PartnerRow {
  readonly index: number
  readonly name: string
  /** Canonical (upper case, no spaces): what partner_codes stores. */
  readonly code: string
  readonly email: string
  readonly ratePercent: string
  readonly payoutMethod: 'paypal' | 'wise' | 'bank'
  readonly payoutEmail: string
}

export function partnerAt(seed: number, i: number): PartnerRow {
  const r = mulberry32(rowSeed(seed, 0, i))
  const first = pick(r, FIRST)
  const last = pick(r, LAST)
  // A company-style name with a comma now and then, so quoting is exercised.
  const name = r() < 0.1 ? `${last}, ${first} & Co` : `${first} ${last}`
  const code = `${pick(r, BRAND)}${i.toString(36).toUpperCase()}`
  const email = `partner${i}@partners.example`
  const m = r()
  const payoutMethod = m < 0.6 ? 'paypal' : m < 0.85 ? 'wise' : 'bank'
  return { index: i, name, code, email, ratePercent: pick(r, RATES), payoutMethod, payoutEmail: email }
}

export interface ConversionRow {
  readonly index: number
  readonly orderId: string
  /** Partner index, or null for a code no partner has. */
  readonly partner: number | null
  readonly canonicalCode: string
  readonly valueMinor: number
  readonly currency: string
  readonly occurredAt: string
  readonly customerEmail: string
  readonly customerName: string
  readonly selfReferral: boolean
}

/** Order i of the data set (i >= M are the new orders of the second file). */
export function conversionAt(seed: number, partners: number, i: number, tag = 'A'): ConversionRow {
  const r = mulberry32(rowSeed(seed, 1, i))
  const unmatched = r() < 0.01
  // A few partners bring most orders (squared uniform: a long tail), as in real programs.
  const u = r()
  const partner = unmatched ? null : Math.floor(u * u * partners)
  const p = partner === null ? null : partnerAt(seed, partner)
  const canonicalCode = p ? p.code : `GONE${(i * 7919).toString(36).toUpperCase()}`
  const selfReferral = p !== null && r() < 0.005
  const c = r()
  const currency = c < 0.85 ? 'USD' : c < 0.95 ? 'EUR' : 'GBP'
  const valueMinor = 500 + Math.floor(r() * 49_500)
  const occurredAt = new Date(PERIOD_START + Math.floor((r() * PERIOD_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z')
  const first = pick(r, FIRST)
  const last = pick(r, LAST)
  return {
    index: i,
    orderId: `ORD-${seed}${tag}-${String(i + 1).padStart(8, '0')}`,
    partner,
    canonicalCode,
    valueMinor,
    currency,
    occurredAt,
    customerEmail: selfReferral && p ? p.email : `customer${i}@mail.example`,
    customerName: `${first} ${last}`,
    selfReferral,
  }
}

export type CodeForm = 'canonical' | 'lower' | 'mixed' | 'padded' | 'link'

/** The code as a shop export writes it: the canonical form is only one of several. */
export function renderCode(code: string, form: CodeForm): string {
  switch (form) {
    case 'canonical':
      return code
    case 'lower':
      return code.toLowerCase()
    case 'mixed':
      return code.charAt(0) + code.slice(1).toLowerCase()
    case 'padded':
      return ` ${code} `
    case 'link':
      return `https://shop.example/?ref=${code.toLowerCase()}`
  }
}

function codeForm(seed: number, i: number, variant: number): CodeForm {
  const x = mulberry32(rowSeed(seed, 2 + variant, i))()
  return x < 0.55 ? 'canonical' : x < 0.7 ? 'lower' : x < 0.8 ? 'mixed' : x < 0.85 ? 'padded' : 'link'
}

export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

const csvLine = (cells: readonly string[]) => cells.map(csvCell).join(',') + '\n'

const decimal = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`

function conversionLine(row: ConversionRow, form: CodeForm): string {
  return csvLine([
    row.orderId,
    renderCode(row.canonicalCode, form),
    decimal(row.valueMinor),
    row.currency,
    row.occurredAt,
    row.customerEmail,
    row.customerName,
  ])
}

/** Writes lines with backpressure, in ~64 KB writes, so memory stays flat for any row count. */
async function writeStreamed(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file)
  let buf = ''
  for (const line of lines) {
    buf += line
    if (buf.length >= 65_536) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(buf)
  await once(out, 'finish')
}

export function secondFileSize(conversions: number): number {
  return Math.ceil(conversions / 5)
}

export function duplicateCount(conversions: number): number {
  return Math.floor(conversions * 0.02)
}

export async function generateDataset(dir: string, o: DatasetOptions): Promise<DatasetManifest> {
  const { seed, partners: n, conversions: m } = o
  if (n < 1 || m < 1) throw new Error('generateDataset: need at least one partner and one conversion')
  const partnerIdBase = o.partnerIdBase ?? 1_000_000
  const tag = o.tag ?? 'A'
  await mkdir(dir, { recursive: true })
  const files = {
    partners: path.join(dir, 'partners.csv'),
    conversions1: path.join(dir, 'conversions-1.csv'),
    conversions2: path.join(dir, 'conversions-2.csv'),
    refunds: path.join(dir, 'refunds.csv'),
    floor1: path.join(dir, 'floor-1.csv'),
  }

  await writeStreamed(
    files.partners,
    (function* () {
      yield csvLine(PARTNER_HEADERS)
      for (let i = 0; i < n; i++) {
        const p = partnerAt(seed, i)
        yield csvLine([p.name, p.code, p.email, p.ratePercent, p.payoutMethod, p.payoutEmail])
      }
    })(),
  )

  const c1 = { rows: m, unmatched: 0, selfReferrals: 0, links: 0 }
  await writeStreamed(
    files.conversions1,
    (function* () {
      yield csvLine(CONVERSION_HEADERS)
      for (let i = 0; i < m; i++) {
        const row = conversionAt(seed, n, i, tag)
        const form = codeForm(seed, i, 0)
        if (row.partner === null) c1.unmatched++
        if (row.selfReferral) c1.selfReferrals++
        if (form === 'link') c1.links++
        yield conversionLine(row, form)
      }
    })(),
  )

  // What the import stores for file 1 (it has no in-file duplicates: order ids are unique).
  await writeStreamed(
    files.floor1,
    (function* () {
      for (let i = 0; i < m; i++) {
        const row = conversionAt(seed, n, i, tag)
        yield csvLine([
          row.canonicalCode,
          row.orderId,
          row.partner === null ? '' : String(partnerIdBase + row.partner),
          String(row.valueMinor),
          row.currency,
          row.occurredAt,
          row.customerEmail,
          row.customerName,
          row.partner === null ? 'unattributed' : 'attributed',
        ])
      }
    })(),
  )

  const size2 = secondFileSize(m)
  const dups = Math.min(duplicateCount(m), size2)
  const c2 = { rows: size2, duplicatesOfFile1: dups }
  await writeStreamed(
    files.conversions2,
    (function* () {
      yield csvLine(CONVERSION_HEADERS)
      let dupDone = 0
      let fresh = 0
      for (let t = 0; t < size2; t++) {
        // Duplicates spread evenly through the file, each an order of file 1 spread evenly over it.
        const wantDup = dupDone < dups && Math.floor(((t + 1) * dups) / size2) > dupDone
        if (wantDup) {
          const j = Math.floor((dupDone * m) / dups)
          // Written another way than in file 1 (a link where it was a code, and back).
          const form: CodeForm = codeForm(seed, j, 0) === 'link' ? 'mixed' : 'link'
          yield conversionLine(conversionAt(seed, n, j, tag), form)
          dupDone++
        } else {
          const i = m + fresh++
          yield conversionLine(conversionAt(seed, n, i, tag), codeForm(seed, i, 0))
        }
      }
    })(),
  )

  const refundRows = Math.floor(m * 0.03)
  const rf = { rows: refundRows, afterPayout: 0 }
  await writeStreamed(
    files.refunds,
    (function* () {
      yield csvLine(REFUND_HEADERS)
      for (let k = 0; k < refundRows; k++) {
        const j = Math.floor((k * m) / refundRows)
        const row = conversionAt(seed, n, j, tag)
        const r = mulberry32(rowSeed(seed, 9, j))
        const after = k % 2 === 1
        if (after) rf.afterPayout++
        // Before payout: within a month of the order (but before the payout); after: within 60 days of it.
        const occurred = Date.parse(row.occurredAt)
        const at = after
          ? PAYOUT_AT + 86_400_000 + Math.floor(r() * 60) * 86_400_000
          : Math.min(occurred + Math.floor(1 + r() * 30) * 86_400_000, PAYOUT_AT - 86_400_000)
        const partial = r() < 0.3
        const amount = partial ? decimal(Math.max(1, Math.floor(row.valueMinor / 2))) : ''
        yield csvLine([row.orderId, renderCode(row.canonicalCode, codeForm(seed, j, 0)), amount, new Date(at).toISOString(), row.currency])
      }
    })(),
  )

  const manifest: DatasetManifest = {
    seed,
    tag,
    partners: n,
    partnerIdBase,
    files,
    conversions1: c1,
    conversions2: c2,
    refunds: rf,
    payoutAt: new Date(PAYOUT_AT).toISOString(),
  }
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, files: undefined }, null, 2) + '\n')
  return manifest
}

// `tsx bench/generate.ts --out dir --seed 7 --partners 10000 --conversions 100000`
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: string) => {
    const at = process.argv.indexOf(`--${name}`)
    return at === -1 ? fallback : (process.argv[at + 1] ?? fallback)
  }
  const out = path.resolve(arg('out', 'bench/out/data'))
  const manifest = await generateDataset(out, {
    seed: Number(arg('seed', '7')),
    partners: Number(arg('partners', '10000')),
    conversions: Number(arg('conversions', '100000')),
  })
  console.log(JSON.stringify(manifest, null, 2))
}
