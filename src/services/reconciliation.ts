import { sql } from '@payloadcms/db-postgres'

import { amount, plain, text, writeCsv, type Cell } from '../ledger/export/csv-safety'
import { formatMinor } from '../ledger'
import { BALANCE_STATUSES, negativeBalances, type BalanceStatus } from './ledger/balances'
import { asDate, minor, type LedgerContext } from './ledger/context'

/**
 * The identities that prove the numbers tie out, each computed from the stored rows and shown
 * with the difference when it does not hold, and a link to the rows behind it:
 * - every import row has one outcome: rowsIn = created + updated + duplicate + unattributed + rejected;
 * - every cent of the period's entries is in exactly one status, summed two independent ways;
 * - no conversion nets below zero unless it was clawed back after payout;
 * - a batch's stored totals = the sum of its lines = the sum of its entries = each export's totals.
 * Reads only; the caller's transaction has the organization's RLS set.
 */

export type Check = { ok: true } | { ok: false; differenceMinor?: string; difference?: number; note: string }

export interface ImportCheck {
  readonly importId: number
  readonly fileName: string
  readonly kind: string
  readonly status: string
  readonly createdAt: string
  readonly rowsIn: number
  readonly outcomes: Record<(typeof OUTCOMES)[number], number>
  readonly check: Check
  readonly href: string
}

export interface PeriodCheck {
  readonly currency: string
  readonly entries: number
  readonly entriesSumMinor: string
  readonly byStatus: Record<BalanceStatus, string>
  readonly statusSumMinor: string
  readonly check: Check
  readonly href: string
}

export interface ConversionCheck {
  readonly conversionId: number
  readonly orderId: string
  readonly code: string
  readonly currency: string
  readonly sumMinor: string
  readonly check: Check
  readonly href: string
}

export interface BatchCheck {
  readonly batchId: number
  readonly reference: string
  readonly status: string
  readonly currency: string
  readonly totalsMinor: string | null
  readonly linesMinor: string
  readonly entriesMinor: string
  readonly exports: { exportId: number; format: string; fileName: string; totalMinor: string | null; check: Check; href: string }[]
  readonly check: Check
  readonly href: string
}

export interface Reconciliation {
  readonly from: string
  readonly to: string
  readonly ok: boolean
  readonly imports: ImportCheck[]
  readonly period: PeriodCheck[]
  readonly conversions: { checked: number; failing: ConversionCheck[] }
  readonly negativeBalances: Awaited<ReturnType<typeof negativeBalances>>
  readonly batches: BatchCheck[]
}

export const OUTCOMES = ['created', 'updated', 'duplicate', 'unattributed', 'rejected'] as const

const OK: Check = { ok: true }
const moneyCheck = (expected: bigint, actual: bigint, what: string): Check =>
  expected === actual ? OK : { ok: false, differenceMinor: (actual - expected).toString(), note: what }
const count = (v: unknown): number => {
  const n = Number(v ?? 0)
  return Number.isFinite(n) ? n : Number.NaN
}

/** Batch and export totals as stored: `[{currency, totalMinor}]` (or a `{currency: minor}` map). */
export function totalsByCurrency(v: unknown): Map<string, bigint> | null {
  if (v == null) return null
  const out = new Map<string, bigint>()
  const entries: [unknown, unknown][] = Array.isArray(v)
    ? v.map((t: { currency?: unknown; totalMinor?: unknown }) => [t?.currency, t?.totalMinor])
    : typeof v === 'object'
      ? Object.entries(v as Record<string, unknown>)
      : []
  for (const [cur, total] of entries) {
    if (typeof cur !== 'string') continue
    out.set(cur, (out.get(cur) ?? 0n) + minor(total))
  }
  return out
}

export async function reconcile(ctx: LedgerContext, from: Date, to: Date): Promise<Reconciliation> {
  const { db } = ctx
  const range = { from: from.toISOString(), to: to.toISOString() }
  const inRange = (col: string) => sql`${sql.raw(col)} >= ${range.from} and ${sql.raw(col)} < ${range.to}`

  // Imports: a dry run stores nothing and a running one has no final counts yet.
  const { rows: imp } = await db.execute(sql`
    select id, file_name, kind, status, counts, rows_in, created_at from imports
     where status in ('completed', 'failed') and ${inRange('created_at')} order by created_at, id`)
  const imports: ImportCheck[] = imp.map((r) => {
    const counts = (r.counts ?? {}) as Record<string, unknown>
    const rowsIn = count(counts.rowsIn ?? r.rows_in)
    const outcomes = Object.fromEntries(OUTCOMES.map((k) => [k, count(counts[k])])) as ImportCheck['outcomes']
    const accounted = OUTCOMES.reduce((s, k) => s + outcomes[k], 0)
    const check: Check =
      rowsIn === accounted ? OK : { ok: false, difference: accounted - rowsIn, note: `rows in ${rowsIn}, outcomes add up to ${accounted}` }
    return {
      importId: Number(r.id),
      fileName: String(r.file_name),
      kind: String(r.kind),
      status: String(r.status),
      createdAt: asDate(r.created_at).toISOString(),
      rowsIn,
      outcomes,
      check,
      href: `/admin/collections/imports/${r.id}`,
    }
  })

  // Period: the entries posted in the range, once as one sum and once per stored status. Two
  // queries on purpose: an entry in no status, or in two, would show up as a difference.
  const { rows: sums } = await db.execute(sql`
    select currency, count(*)::integer as entries, sum(amount_minor) as total from commissions where ${inRange('created_at')} group by 1`)
  const perStatus = new Map<string, Record<BalanceStatus, bigint>>()
  for (const status of BALANCE_STATUSES) {
    const { rows } = await db.execute(sql`
      select currency, sum(amount_minor) as total from commissions
       where status = ${status} and ${inRange('created_at')} group by 1`)
    for (const r of rows) {
      const cur = String(r.currency)
      const b = perStatus.get(cur) ?? { pending: 0n, eligible: 0n, held: 0n, in_batch: 0n, paid: 0n }
      b[status] += minor(r.total)
      perStatus.set(cur, b)
    }
  }
  const currencies = [...new Set([...sums.map((r) => String(r.currency)), ...perStatus.keys()])].sort()
  const period: PeriodCheck[] = currencies.map((currency) => {
    const s = sums.find((r) => String(r.currency) === currency)
    const entriesSum = minor(s?.total)
    const b = perStatus.get(currency) ?? { pending: 0n, eligible: 0n, held: 0n, in_batch: 0n, paid: 0n }
    const statusSum = BALANCE_STATUSES.reduce((t, k) => t + b[k], 0n)
    return {
      currency,
      entries: Number(s?.entries ?? 0),
      entriesSumMinor: entriesSum.toString(),
      byStatus: Object.fromEntries(BALANCE_STATUSES.map((k) => [k, b[k].toString()])) as Record<BalanceStatus, string>,
      statusSumMinor: statusSum.toString(),
      check: moneyCheck(entriesSum, statusSum, 'the status sums differ from the sum of the entries'),
      href: `/admin/collections/commissions?where[currency][equals]=${currency}&where[createdAt][greater_than_equal]=${encodeURIComponent(range.from)}&where[createdAt][less_than]=${encodeURIComponent(range.to)}`,
    }
  })

  // Conversions of the period: the entries of one order never net below zero unless a clawback
  // took back money already paid (the partner then owes it, shown under negative balances).
  const { rows: conv } = await db.execute(sql`
    select count(*)::integer as n from conversions c where ${inRange('c.occurred_at')} and c.partner_id is not null`)
  const { rows: neg } = await db.execute(sql`
    select c.id, c.order_id, c.code, c.currency, sum(m.amount_minor) as total
      from conversions c join commissions m on m.conversion_id = c.id
     where ${inRange('c.occurred_at')}
     group by 1, 2, 3, 4
    having sum(m.amount_minor) < 0 and not bool_or(m.kind = 'clawback')
     order by 1 limit 500`)
  const conversions = {
    checked: Number(conv[0]?.n ?? 0),
    failing: neg.map((r) => ({
      conversionId: Number(r.id),
      orderId: String(r.order_id),
      code: String(r.code),
      currency: String(r.currency),
      sumMinor: minor(r.total).toString(),
      check: { ok: false, differenceMinor: minor(r.total).toString(), note: 'entries net below zero without a clawback' } as Check,
      href: `/admin/collections/commissions?where[conversion][equals]=${r.id}`,
    })),
  }

  // Batches: stored totals, lines and entries per currency; every export against the batch.
  // A rejected or discarded batch released its entries, so it has nothing left to tie out.
  const { rows: b } = await db.execute(sql`
    select id, reference, status, totals from batches
     where status not in ('rejected', 'discarded') and ${inRange('created_at')} order by created_at, id`)
  const batchIds = b.map((r) => Number(r.id))
  const ids = sql.param(batchIds)
  const { rows: lines } = await db.execute(sql`
    select batch_id, currency, sum(amount_minor) as total from batch_lines where batch_id = any(${ids}::integer[]) group by 1, 2`)
  const { rows: ents } = await db.execute(sql`
    select batch_id, currency, sum(amount_minor) as total from commissions where batch_id = any(${ids}::integer[]) group by 1, 2`)
  const { rows: exps } = await db.execute(sql`
    select id, batch_id, format, file_name, totals from payout_exports where batch_id = any(${ids}::integer[]) order by id`)
  const batches: BatchCheck[] = []
  for (const r of b) {
    const batchId = Number(r.id)
    const totals = totalsByCurrency(r.totals)
    const lineSums = new Map(lines.filter((l) => Number(l.batch_id) === batchId).map((l) => [String(l.currency), minor(l.total)]))
    const entrySums = new Map(ents.filter((e) => Number(e.batch_id) === batchId).map((e) => [String(e.currency), minor(e.total)]))
    const myExports = exps.filter((e) => Number(e.batch_id) === batchId)
    const curs = [...new Set([...(totals?.keys() ?? []), ...lineSums.keys(), ...entrySums.keys()])].sort()
    for (const currency of curs) {
      const total = totals?.get(currency) ?? 0n
      const lineSum = lineSums.get(currency) ?? 0n
      const entrySum = entrySums.get(currency) ?? 0n
      const problems: string[] = []
      if (lineSum !== total)
        problems.push(`lines ${lineSum - total > 0n ? '+' : ''}${(lineSum - total).toString()} against the batch total`)
      if (entrySum !== lineSum)
        problems.push(`entries ${entrySum - lineSum > 0n ? '+' : ''}${(entrySum - lineSum).toString()} against the lines`)
      const worst = lineSum !== total ? lineSum - total : entrySum - lineSum
      batches.push({
        batchId,
        reference: String(r.reference),
        status: String(r.status),
        currency,
        totalsMinor: totals ? total.toString() : null,
        linesMinor: lineSum.toString(),
        entriesMinor: entrySum.toString(),
        exports: myExports.map((e) => {
          const et = totalsByCurrency(e.totals)
          const exported = et?.get(currency) ?? 0n
          return {
            exportId: Number(e.id),
            format: String(e.format),
            fileName: String(e.file_name),
            totalMinor: et ? exported.toString() : null,
            check: moneyCheck(total, exported, 'the file does not carry the batch total (a partial export leaves lines to another format)'),
            href: `/admin/collections/payout-exports/${e.id}`,
          }
        }),
        check: problems.length === 0 ? OK : { ok: false, differenceMinor: worst.toString(), note: problems.join('; ') },
        href: `/admin/collections/batch-lines?where[batch][equals]=${batchId}`,
      })
    }
  }

  const negatives = await negativeBalances(ctx)
  const ok =
    imports.every((i) => i.check.ok) &&
    period.every((p) => p.check.ok) &&
    conversions.failing.length === 0 &&
    batches.every((x) => x.check.ok && x.exports.every((e) => e.check.ok))
  return { ...range, ok, imports, period, conversions, negativeBalances: negatives, batches }
}

export const RECONCILIATION_HEADER = [
  'Identity',
  'Subject',
  'Currency',
  'Expected',
  'Actual',
  'Holds',
  'Difference',
  'Note',
  'Link',
] as const

/** One row per identity checked, amounts in the currency's major unit; text cells neutralised. */
export function reconciliationCsv(r: Reconciliation, origin: string): string {
  const out: Cell[][] = []
  const fmt = (v: string | null, cur: string) => (v == null ? plain('') : amount(formatMinor(BigInt(v), cur)))
  const row = (identity: string, subject: string, cur: string, expected: Cell, actual: Cell, check: Check, href: string) =>
    out.push([
      plain(identity),
      text(subject),
      plain(cur),
      expected,
      actual,
      plain(check.ok ? 'yes' : 'no'),
      check.ok
        ? plain('')
        : check.differenceMinor != null
          ? amount(formatMinor(BigInt(check.differenceMinor), cur))
          : plain(String(check.difference ?? '')),
      text(check.ok ? '' : check.note),
      plain(origin + href),
    ])
  for (const i of r.imports) {
    const accounted = OUTCOMES.reduce((s, k) => s + i.outcomes[k], 0)
    row('import rows', `${i.fileName} (import ${i.importId})`, '', plain(String(i.rowsIn)), plain(String(accounted)), i.check, i.href)
  }
  for (const p of r.period) {
    row(
      'period entries = statuses',
      `${r.from} to ${r.to}`,
      p.currency,
      fmt(p.entriesSumMinor, p.currency),
      fmt(p.statusSumMinor, p.currency),
      p.check,
      p.href,
    )
  }
  for (const c of r.conversions.failing) {
    row(
      'conversion nets >= 0',
      `order ${c.orderId} (${c.code})`,
      c.currency,
      fmt('0', c.currency),
      fmt(c.sumMinor, c.currency),
      c.check,
      c.href,
    )
  }
  for (const b of r.batches) {
    row(
      'batch total = lines = entries',
      b.reference,
      b.currency,
      fmt(b.totalsMinor, b.currency),
      fmt(b.linesMinor, b.currency),
      b.check,
      b.href,
    )
    for (const e of b.exports) {
      row(
        'export = batch total',
        `${b.reference}: ${e.fileName}`,
        b.currency,
        fmt(b.totalsMinor, b.currency),
        fmt(e.totalMinor, b.currency),
        e.check,
        e.href,
      )
    }
  }
  return writeCsv([...RECONCILIATION_HEADER], out)
}
