import { sql } from '@payloadcms/db-postgres'

import { formatMinor } from '../../ledger'
import { amount, id, plain, text, writeCsv, type Cell } from '../../ledger/export/csv-safety'
import { asDate, minor, type LedgerContext } from './context'

/**
 * Read models over the ledger: balances by status, the negative-balance list, the unattributed
 * queue and a partner statement. Reads never write: a pending entry whose date has passed is
 * counted as eligible here, the same way promoteEligible will store it.
 */

export const BALANCE_STATUSES = ['pending', 'eligible', 'held', 'in_batch', 'paid'] as const
export type BalanceStatus = (typeof BALANCE_STATUSES)[number]

export interface CurrencyBalance {
  readonly currency: string
  readonly byStatus: Record<BalanceStatus, string>
  readonly totalMinor: string
}

const effectiveStatus = (now: Date) =>
  sql`case when m.status = 'pending' and m.eligible_at <= ${now.toISOString()} then 'eligible' else m.status::text end`

export async function partnerBalance(ctx: LedgerContext, partnerId: number): Promise<CurrencyBalance[] | null> {
  const { rows: p } = await ctx.db.execute(sql`select id from partners where id = ${partnerId}`)
  if (!p[0]) return null
  const { rows } = await ctx.db.execute(sql`
    select m.currency, ${effectiveStatus(ctx.now)} as status, sum(m.amount_minor) as total
      from commissions m where m.partner_id = ${partnerId} group by 1, 2 order by 1`)
  return toBalances(rows)
}

export async function organizationBalance(ctx: LedgerContext): Promise<CurrencyBalance[]> {
  const { rows } = await ctx.db.execute(sql`
    select m.currency, ${effectiveStatus(ctx.now)} as status, sum(m.amount_minor) as total from commissions m group by 1, 2 order by 1`)
  return toBalances(rows)
}

function toBalances(rows: Record<string, unknown>[]): CurrencyBalance[] {
  const out = new Map<string, Record<BalanceStatus, bigint>>()
  for (const r of rows) {
    const cur = String(r.currency)
    const b = out.get(cur) ?? { pending: 0n, eligible: 0n, held: 0n, in_batch: 0n, paid: 0n }
    b[String(r.status) as BalanceStatus] += minor(r.total)
    out.set(cur, b)
  }
  return [...out].map(([currency, b]) => ({
    currency,
    byStatus: Object.fromEntries(BALANCE_STATUSES.map((s) => [s, b[s].toString()])) as Record<BalanceStatus, string>,
    totalMinor: BALANCE_STATUSES.reduce((sum, s) => sum + b[s], 0n).toString(),
  }))
}

/** Partners whose unbatched money nets below zero in a currency: clawbacks not yet earned back. */
export async function negativeBalances(ctx: LedgerContext) {
  const { rows } = await ctx.db.execute(sql`
    select m.partner_id, p.name, m.currency, sum(m.amount_minor) as balance, count(*)::integer as entries, max(m.created_at) as last_entry
      from commissions m join partners p on p.id = m.partner_id
     where m.status in ('pending', 'eligible') and m.batch_id is null
     group by 1, 2, 3 having sum(m.amount_minor) < 0 order by 4`)
  return rows.map((r) => ({
    partnerId: Number(r.partner_id),
    partnerName: String(r.name),
    currency: String(r.currency),
    balanceMinor: minor(r.balance).toString(),
    entries: Number(r.entries),
    lastEntryAt: asDate(r.last_entry).toISOString(),
  }))
}

/** Unattributed conversions grouped by code, biggest money first. */
export async function unattributedQueue(ctx: LedgerContext) {
  const { rows } = await ctx.db.execute(sql`
    select code, currency, count(*)::integer as conversions, sum(value_minor) as value, min(occurred_at) as first_at, max(occurred_at) as last_at
      from conversions where status = 'unattributed' group by 1, 2 order by 4 desc, 1 limit 1000`)
  return rows.map((r) => ({
    code: String(r.code),
    currency: String(r.currency),
    conversions: Number(r.conversions),
    valueMinor: minor(r.value).toString(),
    firstAt: asDate(r.first_at).toISOString(),
    lastAt: asDate(r.last_at).toISOString(),
  }))
}

export const STATEMENT_HEADER = [
  'Posted at',
  'Entry',
  'Kind',
  'Order',
  'Code',
  'Currency',
  'Amount',
  'Status',
  'Eligible at',
  'Batch',
  'Why',
  'Balance',
] as const

/**
 * A partner's statement for [from, to): an opening balance per currency, every entry posted in
 * the range with why it is what it is, and the running balance. Amounts stay numeric cells;
 * text cells are neutralised against formula injection. Amounts are in the currency's major unit
 * (12.50), with the exponent of each currency (JPY 0, BHD 3).
 */
export async function partnerStatementCsv(ctx: LedgerContext, partnerId: number, from: Date, to: Date): Promise<string | null> {
  const { rows: p } = await ctx.db.execute(sql`select id, name from partners where id = ${partnerId}`)
  if (!p[0]) return null
  const { rows: opening } = await ctx.db.execute(sql`
    select currency, sum(amount_minor) as total from commissions
     where partner_id = ${partnerId} and created_at < ${from.toISOString()} group by 1 order by 1`)
  const { rows } = await ctx.db.execute(sql`
    select m.id, m.created_at, m.kind, m.currency, m.amount_minor, ${effectiveStatus(ctx.now)} as status, m.eligible_at, m.batch_id,
           m.reason, m.explanation, c.order_id, c.code
      from commissions m left join conversions c on c.id = m.conversion_id
     where m.partner_id = ${partnerId} and m.created_at >= ${from.toISOString()} and m.created_at < ${to.toISOString()}
     order by m.created_at, m.id`)
  const running = new Map<string, bigint>(opening.map((r) => [String(r.currency), minor(r.total)]))
  const out: Cell[][] = []
  for (const [currency, total] of running) {
    out.push([
      plain(from.toISOString()),
      plain(''),
      text('opening balance'),
      text(''),
      text(''),
      plain(currency),
      plain(''),
      text(''),
      plain(''),
      plain(''),
      text(''),
      amount(formatMinor(total, currency)),
    ])
  }
  for (const r of rows) {
    const cur = String(r.currency)
    const amt = minor(r.amount_minor)
    const bal = (running.get(cur) ?? 0n) + amt
    running.set(cur, bal)
    out.push([
      plain(asDate(r.created_at).toISOString()),
      id(String(r.id)),
      text(String(r.kind)),
      text(r.order_id == null ? '' : String(r.order_id)),
      text(r.code == null ? '' : String(r.code)),
      plain(cur),
      amount(formatMinor(amt, cur)),
      text(String(r.status)),
      plain(asDate(r.eligible_at).toISOString()),
      plain(r.batch_id == null ? '' : String(r.batch_id)),
      text(why(r)),
      amount(formatMinor(bal, cur)),
    ])
  }
  return writeCsv([...STATEMENT_HEADER], out)
}

function why(r: Record<string, unknown>): string {
  if (typeof r.reason === 'string' && r.reason !== '') return r.reason
  const e = (r.explanation ?? {}) as { steps?: unknown; error?: unknown }
  if (typeof e.error === 'string') return `not priced: ${e.error}`
  return Array.isArray(e.steps) ? e.steps.map(String).join('; ') : ''
}
