'use client'
import { Link, useDocumentInfo } from '@payloadcms/ui'
import React, { useState } from 'react'

import { relId, useJson, type Paginated } from './api'
import type { EntryDoc } from './ConversionLedger'
import { dateOnly, money, shortWhy, STATUS_LABELS } from './describe'
import { Amount, DataTable, Muted, Notice, Pager, Section, StatusPill, textInputStyle } from './ui'

interface Balance {
  currency: string
  byStatus: Record<string, string>
  totalMinor: string
}

const STATUSES = ['pending', 'eligible', 'held', 'in_batch', 'paid'] as const
const PAGE_SIZE = 10

/** On a partner's page: balance per currency by status, the latest ledger lines and a statement download. */
export function PartnerLedger() {
  const { id } = useDocumentInfo()
  const [page, setPage] = useState(1)
  const balance = useJson<{ balances: Balance[] }>(id == null ? null : `/api/partners/${id}/balance`)
  const lines = useJson<Paginated<EntryDoc & { conversion?: { id: number; orderId?: string; code?: string } | number | null }>>(
    id == null ? null : `/api/commissions?where[partner][equals]=${id}&depth=1&limit=${PAGE_SIZE}&page=${page}&sort=-createdAt`,
  )
  if (id == null) return null
  return (
    <div data-testid="partner-ledger" style={{ margin: 'calc(var(--base) * 1.5) 0' }}>
      <Section title="Balance" testId="partner-balance">
        {balance.error ? <Notice kind="error">{balance.error}</Notice> : null}
        {balance.data && balance.data.balances.length === 0 ? <Muted>No ledger entries yet.</Muted> : null}
        {balance.data && balance.data.balances.length > 0 ? (
          // Statuses down, currencies across: it fits the edit column whatever the number of currencies.
          <DataTable head={['Status', ...balance.data.balances.map((b) => b.currency)]} testId="balance-table">
            {[...STATUSES, 'total' as const].map((s) => (
              <tr key={s} data-status={s}>
                <td>{s === 'total' ? <strong>Total</strong> : STATUS_LABELS[s]}</td>
                {balance.data!.balances.map((b) => (
                  <td key={b.currency} data-currency={b.currency} style={{ textAlign: 'right' }}>
                    <Amount>
                      {s === 'total' ? <strong>{money(b.totalMinor, b.currency)}</strong> : money(b.byStatus[s] ?? '0', b.currency)}
                    </Amount>
                  </td>
                ))}
              </tr>
            ))}
          </DataTable>
        ) : null}
      </Section>
      <Section title="Ledger lines" testId="partner-lines">
        {lines.error ? <Notice kind="error">{lines.error}</Notice> : null}
        {lines.data && lines.data.docs.length === 0 ? <Muted>None.</Muted> : null}
        {lines.data && lines.data.docs.length > 0 ? (
          <>
            <DataTable head={['Posted', 'Entry', 'Amount', 'Status', 'Why']}>
              {lines.data.docs.map((e) => {
                const conv = typeof e.conversion === 'object' && e.conversion ? e.conversion : null
                const convId = relId(e.conversion)
                return (
                  <tr key={e.id} data-testid="partner-line">
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <Link href={`/admin/collections/commissions/${e.id}`}>{dateOnly(e.createdAt)}</Link>
                    </td>
                    <td>
                      {e.kind.replace('_', ' ')}
                      {convId != null ? (
                        <div>
                          <Link href={`/admin/collections/conversions/${convId}`}>{conv?.orderId ?? `#${convId}`}</Link>
                        </div>
                      ) : null}
                    </td>
                    <td style={{ textAlign: 'right' }}>
                      <Amount>{money(e.amountMinor, e.currency)}</Amount>
                    </td>
                    <td>
                      <StatusPill status={e.status} />
                      <div>
                        <Muted>from {dateOnly(e.eligibleAt)}</Muted>
                      </div>
                    </td>
                    <td style={{ whiteSpace: 'normal', minWidth: 200 }}>{shortWhy(e)}</td>
                  </tr>
                )
              })}
            </DataTable>
            <div style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
              <Pager page={lines.data.page} totalPages={lines.data.totalPages} onPage={setPage} />
              <Link href={`/admin/collections/commissions?where[partner][equals]=${id}`} data-testid="partner-all-entries">
                All {lines.data.totalDocs} entries in the commissions list →
              </Link>
            </div>
          </>
        ) : null}
      </Section>
      <Statement partnerId={id} />
    </div>
  )
}

function Statement({ partnerId }: { partnerId: number | string }) {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const params = new URLSearchParams()
  if (from) params.set('from', from)
  if (to) params.set('to', to)
  const bad = from !== '' && to !== '' && from >= to
  const href = `/api/partners/${partnerId}/statement${params.size ? `?${params}` : ''}`
  return (
    <Section title="Statement" testId="partner-statement">
      <p style={{ margin: '0 0 8px' }}>
        <Muted>
          CSV with the opening balance, every entry posted from the first date up to (not including) the second, and the running balance.
        </Muted>
      </p>
      <div style={{ display: 'flex', gap: 12, alignItems: 'end', flexWrap: 'wrap' }}>
        <label style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="statement-from" style={textInputStyle} />
        </label>
        <label style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
          To (exclusive)
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="statement-to" style={textInputStyle} />
        </label>
        {bad ? (
          <Notice kind="error">From must be before To.</Notice>
        ) : (
          <a
            className="btn btn--style-primary btn--size-small btn--withoutPopup"
            style={{ margin: 0 }}
            href={href}
            download
            data-testid="statement-download"
          >
            <span className="btn__content">
              <span className="btn__label">Download statement (CSV)</span>
            </span>
          </a>
        )}
      </div>
    </Section>
  )
}
