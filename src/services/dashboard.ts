import { sql } from '@payloadcms/db-postgres'

import { minor, type LedgerContext } from './ledger/context'
import { negativeBalances, organizationBalance, type CurrencyBalance } from './ledger/balances'

/**
 * What the organization's dashboard shows, read in one transaction: money by status per
 * currency (pending past its hold counts as eligible, as everywhere else), negative balances,
 * conversions and commission per month in the organization's time zone, the top partners and
 * the open queues with the admin views that work them.
 */

export interface DashboardMoney extends CurrencyBalance {
  readonly negativeMinor: string
  readonly negativePartners: number
}

export interface DashboardMonth {
  readonly month: string
  readonly currency: string
  readonly conversions: number
  readonly valueMinor: string
  readonly commissionMinor: string
}

export interface DashboardQueue {
  readonly id: 'unattributed' | 'unmatched_refunds' | 'open_flags' | 'batches_awaiting_approval'
  readonly label: string
  readonly count: number
  readonly href: string
}

export interface Dashboard {
  readonly configured: boolean
  readonly timeZone: string
  readonly money: DashboardMoney[]
  readonly months: DashboardMonth[]
  readonly topPartners: { partnerId: number; name: string; currency: string; commissionMinor: string; conversions: number }[]
  readonly queues: DashboardQueue[]
}

export const QUEUE_LINKS: Record<DashboardQueue['id'], { label: string; href: string }> = {
  unattributed: { label: 'Unattributed conversions', href: '/admin/review/unattributed' },
  unmatched_refunds: { label: 'Unmatched refunds', href: '/admin/review/refunds' },
  open_flags: { label: 'Flags to review', href: '/admin/review/flags' },
  batches_awaiting_approval: { label: 'Batches awaiting approval', href: '/admin/collections/batches?where[status][equals]=submitted' },
}

/** How many months the chart covers, ending with the current one. */
export const DASHBOARD_MONTHS = 12

export async function loadDashboard(ctx: LedgerContext): Promise<Dashboard> {
  const { db, settings } = ctx
  const tz = settings.timeZone
  const { rows: org } = await db.execute(sql`select settings is not null as configured from organizations where id = ${ctx.organizationId}`)

  const balances = await organizationBalance(ctx)
  const negatives = await negativeBalances(ctx)
  const money: DashboardMoney[] = balances.map((b) => {
    const mine = negatives.filter((n) => n.currency === b.currency)
    return {
      ...b,
      negativeMinor: mine.reduce((s, n) => s + BigInt(n.balanceMinor), 0n).toString(),
      negativePartners: mine.length,
    }
  })
  for (const n of negatives) {
    if (money.some((m) => m.currency === n.currency)) continue
    money.push({
      currency: n.currency,
      byStatus: { pending: '0', eligible: '0', held: '0', in_batch: '0', paid: '0' },
      totalMinor: '0',
      negativeMinor: n.balanceMinor,
      negativePartners: 1,
    })
  }

  // Commission is charted in the month of the conversion it was earned on, so a refund posted
  // today lowers the month the order happened in; manual entries count in the month they were posted.
  const { rows: monthRows } = await db.execute(sql`
    with bounds as (
      select date_trunc('month', (${ctx.now.toISOString()}::timestamptz at time zone ${tz})) - make_interval(months => ${DASHBOARD_MONTHS - 1}) as start_month
    ), conv as (
      select date_trunc('month', c.occurred_at at time zone ${tz}) as month, c.currency, count(*)::integer as conversions, sum(c.value_minor) as value
        from conversions c, bounds b where c.occurred_at at time zone ${tz} >= b.start_month group by 1, 2
    ), comm as (
      select date_trunc('month', coalesce(c.occurred_at, m.created_at) at time zone ${tz}) as month, m.currency, sum(m.amount_minor) as commission
        from commissions m left join conversions c on c.id = m.conversion_id, bounds b
       where coalesce(c.occurred_at, m.created_at) at time zone ${tz} >= b.start_month group by 1, 2
    )
    select to_char(coalesce(conv.month, comm.month), 'YYYY-MM') as month, coalesce(conv.currency, comm.currency) as currency,
           coalesce(conv.conversions, 0) as conversions, coalesce(conv.value, 0) as value, coalesce(comm.commission, 0) as commission
      from conv full join comm on comm.month = conv.month and comm.currency = conv.currency
     order by 1, 2`)
  const months = monthRows.map((r) => ({
    month: String(r.month),
    currency: String(r.currency),
    conversions: Number(r.conversions),
    valueMinor: minor(r.value).toString(),
    commissionMinor: minor(r.commission).toString(),
  }))

  const { rows: top } = await db.execute(sql`
    select p.id, p.name, m.currency, sum(m.amount_minor) as commission, count(distinct m.conversion_id)::integer as conversions
      from commissions m join partners p on p.id = m.partner_id
     group by 1, 2, 3 having sum(m.amount_minor) > 0
     order by 4 desc, 2 limit 10`)
  const topPartners = top.map((r) => ({
    partnerId: Number(r.id),
    name: String(r.name),
    currency: String(r.currency),
    commissionMinor: minor(r.commission).toString(),
    conversions: Number(r.conversions),
  }))

  const { rows: q } = await db.execute(sql`
    select (select count(*) from conversions where status = 'unattributed')::integer as unattributed,
           (select count(*) from refunds where status in ('unmatched', 'ambiguous'))::integer as unmatched_refunds,
           (select count(*) from flags where status = 'open')::integer as open_flags,
           (select count(*) from batches where status = 'submitted')::integer as batches_awaiting_approval`)
  const counts = q[0] ?? {}
  const queues = (Object.keys(QUEUE_LINKS) as DashboardQueue['id'][]).map((id) => ({
    id,
    ...QUEUE_LINKS[id],
    count: Number(counts[id] ?? 0),
  }))

  return { configured: Boolean(org[0]?.configured), timeZone: tz, money, months, topPartners, queues }
}
