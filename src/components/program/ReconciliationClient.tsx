'use client'
import React, { useCallback, useEffect, useState } from 'react'

import type { Check, Reconciliation } from '../../services/reconciliation'
import { fmt } from './DashboardClient'
import './program.css'

function Mark({ check, currency }: { check: Check; currency?: string }) {
  if (check.ok) {
    return (
      <span className="recon-ok" data-check="ok" title="holds">
        ✓
      </span>
    )
  }
  const diff =
    check.differenceMinor != null
      ? `${BigInt(check.differenceMinor) > 0n ? '+' : ''}${fmt(check.differenceMinor, currency ?? 'USD')}`
      : `${(check.difference ?? 0) > 0 ? '+' : ''}${check.difference ?? ''} rows`
  return (
    <span className="recon-bad" data-check="difference" title={check.note}>
      ✗ {diff} <span style={{ fontWeight: 400 }}>({check.note})</span>
    </span>
  )
}

export function ReconciliationClient() {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [data, setData] = useState<Reconciliation | null>(null)
  const [error, setError] = useState<string | null>(null)

  const query = useCallback(() => {
    const p = new URLSearchParams()
    if (from) p.set('from', from)
    if (to) p.set('to', to)
    return p.toString()
  }, [from, to])

  const load = useCallback(async () => {
    setError(null)
    const res = await fetch(`/api/reconciliation?${query()}`, { credentials: 'include' })
    const body = await res.json()
    if (!res.ok) return setError(body?.error?.message ?? `status ${res.status}`)
    setData(body)
  }, [query])

  useEffect(() => {
    void load()
    // Loaded once on open; the button reloads with the chosen dates.
  }, [])

  return (
    <div className="dash" data-testid="reconciliation">
      <div className="recon-controls">
        <label>
          From
          <input className="program-input" type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (not included)
          <input className="program-input" type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="btn btn--style-secondary btn--size-small" style={{ margin: 0 }} onClick={() => void load()}>
          Check
        </button>
        <a
          className="btn btn--style-secondary btn--size-small"
          style={{ margin: 0 }}
          href={`/api/reconciliation?${query()}&format=csv`}
          data-testid="recon-csv"
        >
          Download CSV
        </a>
      </div>
      {error ? <p role="alert">{error}</p> : null}
      {!data ? (
        !error ? (
          <p>Checking…</p>
        ) : null
      ) : (
        <>
          <p data-testid="recon-verdict" className={data.ok ? 'recon-ok' : 'recon-bad'}>
            {data.ok ? '✓ Everything ties out.' : '✗ Some identities do not hold: see the rows marked ✗ below.'}{' '}
            <span style={{ fontWeight: 400, color: 'var(--theme-elevation-500)' }}>
              {data.from.slice(0, 10)} to {data.to.slice(0, 10)}
            </span>
          </p>

          <h2>Every imported row has one outcome</h2>
          <p className="program-hint">Rows in = new + updated + duplicate + unattributed + rejected.</p>
          {data.imports.length === 0 ? (
            <p>No imports in this period.</p>
          ) : (
            <table className="dash-table" data-testid="recon-imports">
              <thead>
                <tr>
                  <th>Import</th>
                  <th className="num">Rows in</th>
                  <th className="num">New</th>
                  <th className="num">Updated</th>
                  <th className="num">Duplicate</th>
                  <th className="num">Unattributed</th>
                  <th className="num">Rejected</th>
                  <th>Holds</th>
                </tr>
              </thead>
              <tbody>
                {data.imports.map((i) => (
                  <tr key={i.importId} data-import={i.importId}>
                    <td>
                      <a href={i.href}>{i.fileName}</a> <span className="program-hint">({i.kind})</span>
                    </td>
                    <td className="num">{i.rowsIn}</td>
                    <td className="num">{i.outcomes.created}</td>
                    <td className="num">{i.outcomes.updated}</td>
                    <td className="num">{i.outcomes.duplicate}</td>
                    <td className="num">{i.outcomes.unattributed}</td>
                    <td className="num">{i.outcomes.rejected}</td>
                    <td>
                      <Mark check={i.check} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Every cent is in one status</h2>
          <p className="program-hint">The sum of the period’s ledger entries, and separately the sum of each status.</p>
          {data.period.length === 0 ? (
            <p>No ledger entries in this period.</p>
          ) : (
            <table className="dash-table" data-testid="recon-period">
              <thead>
                <tr>
                  <th>Currency</th>
                  <th className="num">Entries</th>
                  <th className="num">Sum of entries</th>
                  <th className="num">Pending</th>
                  <th className="num">Eligible</th>
                  <th className="num">Held</th>
                  <th className="num">In batch</th>
                  <th className="num">Paid</th>
                  <th>Holds</th>
                </tr>
              </thead>
              <tbody>
                {data.period.map((p) => (
                  <tr key={p.currency}>
                    <td>
                      <a href={p.href}>{p.currency}</a>
                    </td>
                    <td className="num">{p.entries}</td>
                    <td className="num">{fmt(p.entriesSumMinor, p.currency)}</td>
                    <td className="num">{fmt(p.byStatus.pending, p.currency)}</td>
                    <td className="num">{fmt(p.byStatus.eligible, p.currency)}</td>
                    <td className="num">{fmt(p.byStatus.held, p.currency)}</td>
                    <td className="num">{fmt(p.byStatus.in_batch, p.currency)}</td>
                    <td className="num">{fmt(p.byStatus.paid, p.currency)}</td>
                    <td>
                      <Mark check={p.check} currency={p.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>No order nets below zero unless clawed back</h2>
          <p data-testid="recon-conversions">
            {data.conversions.failing.length === 0 ? (
              <>
                <span className="recon-ok">✓</span> {data.conversions.checked} attributed conversions checked.
              </>
            ) : null}
          </p>
          {data.conversions.failing.length ? (
            <table className="dash-table" data-testid="recon-conversions-failing">
              <tbody>
                {data.conversions.failing.map((c) => (
                  <tr key={c.conversionId}>
                    <td>
                      <a href={c.href}>
                        Order {c.orderId} ({c.code})
                      </a>
                    </td>
                    <td>
                      <Mark check={c.check} currency={c.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <h3 style={{ marginTop: 16 }}>Negative balances</h3>
          {data.negativeBalances.length === 0 ? (
            <p>None.</p>
          ) : (
            <table className="dash-table" data-testid="recon-negative">
              <tbody>
                {data.negativeBalances.map((n) => (
                  <tr key={`${n.partnerId}-${n.currency}`}>
                    <td>
                      <a href={`/admin/collections/partners/${n.partnerId}`}>{n.partnerName}</a>
                    </td>
                    <td className="num">{fmt(n.balanceMinor, n.currency)}</td>
                    <td className="program-hint">owed back: earned back from later commission, or written off by a manager</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Batch totals = lines = entries = export files</h2>
          {data.batches.length === 0 ? (
            <p>No payout batches in this period.</p>
          ) : (
            <table className="dash-table" data-testid="recon-batches">
              <thead>
                <tr>
                  <th>Batch</th>
                  <th className="num">Batch total</th>
                  <th className="num">Lines</th>
                  <th className="num">Entries</th>
                  <th>Holds</th>
                  <th>Export files</th>
                </tr>
              </thead>
              <tbody>
                {data.batches.map((b) => (
                  <tr key={`${b.batchId}-${b.currency}`} data-batch={b.batchId}>
                    <td>
                      <a href={b.href}>{b.reference}</a> <span className="program-hint">({b.status})</span>
                    </td>
                    <td className="num">{b.totalsMinor == null ? '—' : fmt(b.totalsMinor, b.currency)}</td>
                    <td className="num">{fmt(b.linesMinor, b.currency)}</td>
                    <td className="num">{fmt(b.entriesMinor, b.currency)}</td>
                    <td>
                      <Mark check={b.check} currency={b.currency} />
                    </td>
                    <td>
                      {b.exports.length === 0
                        ? 'not exported yet'
                        : b.exports.map((e) => (
                            <div key={e.exportId}>
                              <a href={e.href}>{e.fileName}</a> <Mark check={e.check} currency={b.currency} />
                            </div>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  )
}
