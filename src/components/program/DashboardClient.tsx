'use client'
import React, { useEffect, useState } from 'react'

import { currencyExponent, isKnownCurrency } from '../../ledger/currency'
import { formatMinor } from '../../ledger/money'
import type { Dashboard } from '../../services/dashboard'
import './program.css'

const STATUS_LABELS = [
  ['pending', 'Pending (in hold)'],
  ['eligible', 'Eligible'],
  ['held', 'Held for review'],
  ['in_batch', 'In a batch'],
  ['paid', 'Paid'],
] as const

export const fmt = (minor: string | number, currency: string) =>
  isKnownCurrency(currency) ? `${formatMinor(BigInt(minor), currency)} ${currency}` : `${minor} ${currency}`

/** The months from the first with data to the latest, without gaps. */
function monthAxis(months: string[]): string[] {
  if (months.length === 0) return []
  const sorted = [...months].sort()
  const out: string[] = []
  let [y, m] = sorted[0]!.split('-').map(Number) as [number, number]
  const last = sorted.at(-1)!
  for (let guard = 0; guard < 36; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`
    out.push(key)
    if (key >= last) break
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
  return out
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const monthLabel = (key: string) => `${MONTH_NAMES[Number(key.slice(5, 7)) - 1]} ${key.slice(2, 4)}`

/** A bar chart as inline SVG: no chart library, scales to its box, values on the bars. */
export function BarChart({
  title,
  points,
  format,
  color,
  testId,
}: {
  title: string
  points: { label: string; value: number; display: string }[]
  format: (v: number) => string
  color: string
  testId: string
}) {
  const w = 560
  const h = 220
  const pad = { l: 70, r: 10, t: 18, b: 28 }
  const max = Math.max(1, ...points.map((p) => p.value))
  const min = Math.min(0, ...points.map((p) => p.value))
  const span = max - min || 1
  const y = (v: number) => pad.t + ((max - v) / span) * (h - pad.t - pad.b)
  const bw = (w - pad.l - pad.r) / Math.max(1, points.length)
  return (
    <figure className="dash-chart" data-testid={testId}>
      <h3>{title}</h3>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title}>
        {[max, (max + min) / 2, min].map((t, i) => (
          <g key={i}>
            <line x1={pad.l} x2={w - pad.r} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.12} />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" fontSize={11} fill="currentColor" fillOpacity={0.6}>
              {format(t)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const top = y(Math.max(0, p.value))
          const height = Math.max(p.value === 0 ? 0 : 1, Math.abs(y(p.value) - y(0)))
          return (
            <g key={p.label}>
              <rect x={pad.l + i * bw + bw * 0.15} y={top} width={bw * 0.7} height={height} fill={color} rx={2}>
                <title>{`${p.label}: ${p.display}`}</title>
              </rect>
              <text x={pad.l + i * bw + bw / 2} y={h - 10} textAnchor="middle" fontSize={11} fill="currentColor" fillOpacity={0.7}>
                {p.label}
              </text>
            </g>
          )
        })}
      </svg>
    </figure>
  )
}

export function DashboardClient({ organizationName }: { organizationName: string }) {
  const [data, setData] = useState<Dashboard | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    void fetch('/api/dashboard', { credentials: 'include' })
      .then(async (res) => {
        const body = await res.json()
        if (!res.ok) throw new Error(body?.error?.message ?? `status ${res.status}`)
        setData(body)
      })
      .catch((e: Error) => setError(`The dashboard could not be loaded: ${e.message}`))
  }, [])

  if (error) return <p role="alert">{error}</p>
  if (!data) return <p className="dash">Loading the dashboard…</p>

  // The chart shows the currency with the most commission; the money tiles show every currency.
  const byCurrency = new Map<string, number>()
  for (const m of data.months) byCurrency.set(m.currency, (byCurrency.get(m.currency) ?? 0) + Math.abs(Number(m.commissionMinor)))
  const chartCurrency = [...byCurrency].sort((a, b) => b[1] - a[1])[0]?.[0] ?? data.money[0]?.currency ?? 'USD'
  const axis = monthAxis(data.months.filter((m) => m.currency === chartCurrency).map((m) => m.month))
  const row = (key: string) => data.months.find((m) => m.month === key && m.currency === chartCurrency)
  const scale = 10 ** (isKnownCurrency(chartCurrency) ? currencyExponent(chartCurrency) : 2)

  return (
    <div className="dash" data-testid="dashboard">
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', flexWrap: 'wrap', gap: 8 }}>
        <h1 style={{ margin: '24px 0 0' }}>{organizationName}</h1>
        <nav style={{ display: 'flex', gap: 16 }}>
          <a href="/admin/reconciliation">Reconciliation</a>
          <a href="/admin/setup">Program set-up</a>
          <a href="/admin/import">Import files</a>
        </nav>
      </header>

      <h2>Open queues</h2>
      <div className="dash-queues" data-testid="dash-queues">
        {data.queues.map((q) => (
          <a key={q.id} href={q.href} className={`dash-queue${q.count === 0 ? ' is-empty' : ''}`} data-queue={q.id}>
            <span>{q.label}</span>
            <strong>{q.count}</strong>
          </a>
        ))}
      </div>

      <h2>Money by status</h2>
      {data.money.length === 0 ? <p>No commission yet. Import conversions to see money here.</p> : null}
      {data.money.map((m) => (
        <div key={m.currency} style={{ marginBottom: 12 }} data-testid={`dash-money-${m.currency}`}>
          <div className="dash-grid">
            {STATUS_LABELS.map(([key, label]) => (
              <div className="dash-tile" key={key} data-status={key}>
                <div className="dash-label">{label}</div>
                <div className="dash-value">{fmt(m.byStatus[key], m.currency)}</div>
              </div>
            ))}
            <div className={`dash-tile${BigInt(m.negativeMinor) < 0n ? ' is-negative' : ''}`} data-status="negative">
              <div className="dash-label">
                Negative balances ({m.negativePartners} partner{m.negativePartners === 1 ? '' : 's'})
              </div>
              <div className="dash-value">{fmt(m.negativeMinor, m.currency)}</div>
            </div>
          </div>
        </div>
      ))}

      <h2>Over time ({chartCurrency}, by month of the order)</h2>
      {axis.length === 0 ? (
        <p>No conversions in the last twelve months.</p>
      ) : (
        <div className="dash-charts">
          <BarChart
            title="Conversions"
            testId="chart-conversions"
            color="#3b82f6"
            format={(v) => String(Math.round(v))}
            points={axis.map((k) => ({ label: monthLabel(k), value: row(k)?.conversions ?? 0, display: String(row(k)?.conversions ?? 0) }))}
          />
          <BarChart
            title={`Commission (${chartCurrency})`}
            testId="chart-commission"
            color="#16a34a"
            format={(v) => (v / scale).toFixed(0)}
            points={axis.map((k) => ({
              label: monthLabel(k),
              value: Number(row(k)?.commissionMinor ?? 0),
              display: fmt(row(k)?.commissionMinor ?? '0', chartCurrency),
            }))}
          />
        </div>
      )}

      <h2>Top partners</h2>
      {data.topPartners.length === 0 ? (
        <p>No partner has earned commission yet.</p>
      ) : (
        <table className="dash-table" data-testid="dash-top-partners">
          <thead>
            <tr>
              <th>Partner</th>
              <th className="num">Conversions</th>
              <th className="num">Commission</th>
            </tr>
          </thead>
          <tbody>
            {data.topPartners.map((p) => (
              <tr key={`${p.partnerId}-${p.currency}`}>
                <td>
                  <a href={`/admin/collections/partners/${p.partnerId}`}>{p.name}</a>
                </td>
                <td className="num">{p.conversions}</td>
                <td className="num">{fmt(p.commissionMinor, p.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
