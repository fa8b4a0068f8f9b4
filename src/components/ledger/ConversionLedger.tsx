'use client'
import { Link, useDocumentInfo, useFormFields } from '@payloadcms/ui'
import React from 'react'

import { useJson, relId, type Paginated } from './api'
import { dateOnly, dateTime, describeEvidence, explainEntry, money, RULE_TITLES } from './describe'
import { Amount, DataTable, Muted, Notice, Section, StatusPill } from './ui'

export interface EntryDoc {
  id: number
  kind: string
  amountMinor: number
  currency: string
  status: string
  eligibleAt: string
  createdAt: string
  reason?: string | null
  explanation?: unknown
  refund?: unknown
  partner?: unknown
  conversion?: unknown
}

interface FlagDoc {
  id: number
  rule: string
  status: string
  evidence?: unknown
  reason?: string | null
  decidedAt?: string | null
  createdAt: string
}

interface RefundDoc {
  id: number
  status: string
  amountMinor?: number | null
  appliedMinor?: number | null
  currency?: string | null
  refundedAt: string
  note?: string | null
}

/** On a conversion's page: its ledger entries with why each is what it is, its refunds and its flags. */
export function ConversionLedger() {
  const { id } = useDocumentInfo()
  // A refund typed in without a currency is in the order's currency.
  const orderCurrency = useFormFields(([fields]) => fields.currency?.value)
  const q = (c: string) => (id == null ? null : `/api/${c}?where[conversion][equals]=${id}&depth=0&limit=100&sort=createdAt`)
  const entries = useJson<Paginated<EntryDoc>>(q('commissions'))
  const flags = useJson<Paginated<FlagDoc>>(q('flags'))
  const refunds = useJson<Paginated<RefundDoc>>(q('refunds'))
  if (id == null) return null
  return (
    <div data-testid="conversion-ledger" style={{ margin: 'calc(var(--base) * 1.5) 0' }}>
      <Section title="Commission" testId="conversion-entries">
        {entries.error ? <Notice kind="error">{entries.error}</Notice> : null}
        {entries.data && entries.data.docs.length === 0 ? (
          <Muted>No ledger entry: the conversion has no partner yet (see Review → Unattributed codes).</Muted>
        ) : null}
        {entries.data?.docs.map((e) => (
          <EntryCard key={e.id} entry={e} />
        ))}
      </Section>
      {refunds.data && refunds.data.docs.length > 0 ? (
        <Section title="Refunds" testId="conversion-refunds">
          <DataTable head={['Refunded', 'Amount', 'Applied', 'Status', 'Note']}>
            {refunds.data.docs.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/admin/collections/refunds/${r.id}`}>{dateOnly(r.refundedAt)}</Link>
                </td>
                <td>
                  <Amount>{r.amountMinor == null ? 'full' : money(r.amountMinor, r.currency ?? orderCurrency)}</Amount>
                </td>
                <td>
                  <Amount>{money(r.appliedMinor, r.currency ?? orderCurrency)}</Amount>
                </td>
                <td>
                  <StatusPill status={r.status} />
                </td>
                <td>{r.note ?? ''}</td>
              </tr>
            ))}
          </DataTable>
        </Section>
      ) : null}
      <Section title="Review flags" testId="conversion-flags">
        {flags.data && flags.data.docs.length === 0 ? <Muted>No flags: no fraud or self-referral rule fired.</Muted> : null}
        {flags.data?.docs.map((f) => (
          <div key={f.id} style={cardStyle} data-testid="conversion-flag">
            <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
              <StatusPill status={f.status} />
              <strong>{RULE_TITLES[f.rule] ?? f.rule}</strong>
              <Muted>raised {dateTime(f.createdAt)}</Muted>
            </div>
            <ul style={{ margin: '6px 0 0 18px' }}>
              {describeEvidence(f.rule, f.evidence).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
            {f.status !== 'open' ? (
              <p style={{ margin: '6px 0 0' }}>
                {f.status === 'cleared' ? 'Cleared' : 'Rejected'} {f.decidedAt ? `on ${dateTime(f.decidedAt)}` : ''}: “{f.reason}”
              </p>
            ) : (
              <p style={{ margin: '6px 0 0' }}>
                Open: the commission is held until a manager decides in <Link href="/admin/review/flags">Review → Flags</Link>.
              </p>
            )}
          </div>
        ))}
      </Section>
    </div>
  )
}

export const cardStyle: React.CSSProperties = {
  border: '1px solid var(--theme-elevation-150)',
  borderRadius: 'var(--style-radius-m)',
  padding: 'calc(var(--base) * 0.75)',
  margin: '0 0 calc(var(--base) / 2)',
  background: 'var(--theme-elevation-0)',
}

const KIND_TITLES: Record<string, string> = {
  accrual: 'Accrual',
  reversal: 'Reversal',
  clawback: 'Clawback',
  adjustment: 'Adjustment',
  write_off: 'Write-off',
}

export function EntryCard({ entry }: { entry: EntryDoc }) {
  const { lines, steps } = explainEntry(entry)
  const refundId = relId(entry.refund)
  return (
    <div style={cardStyle} data-testid="ledger-entry">
      <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        <strong>
          <Link href={`/admin/collections/commissions/${entry.id}`}>{KIND_TITLES[entry.kind] ?? entry.kind}</Link>
        </strong>
        <Amount>
          <strong data-testid="entry-amount">{money(entry.amountMinor, entry.currency)}</strong>
        </Amount>
        <StatusPill status={entry.status} />
        <Muted>
          eligible {dateOnly(entry.eligibleAt)} · posted {dateTime(entry.createdAt)}
          {refundId != null ? (
            <>
              {' · '}
              <Link href={`/admin/collections/refunds/${refundId}`}>refund #{refundId}</Link>
            </>
          ) : null}
        </Muted>
      </div>
      {lines.length > 0 ? (
        <dl
          data-testid="entry-explanation"
          style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 16px', margin: '8px 0 0' }}
        >
          {lines.map((l) => (
            <React.Fragment key={l.label}>
              <dt style={{ color: 'var(--theme-elevation-600)' }}>{l.label}</dt>
              <dd style={{ margin: 0 }}>{l.value}</dd>
            </React.Fragment>
          ))}
        </dl>
      ) : null}
      {steps.length > 0 ? (
        <details style={{ marginTop: 6 }}>
          <summary style={{ cursor: 'pointer', color: 'var(--theme-elevation-600)' }}>Arithmetic, in minor units</summary>
          <ol style={{ margin: '4px 0 0 18px', fontFamily: 'var(--font-mono, monospace)', fontSize: '0.9em' }}>
            {steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  )
}
