'use client'
import { Button, Link } from '@payloadcms/ui'
import React, { useState } from 'react'

import { postJson, relId, useJson, type Paginated } from '../ledger/api'
import { dateOnly, dateTime, describeEvidence, money, RULE_TITLES } from '../ledger/describe'
import { Amount, DataTable, Muted, Notice, ReasonAction, StatusPill, textInputStyle } from '../ledger/ui'

/** The bodies of the review views; each reads and acts over the ledger's REST endpoints. */

interface Related {
  id: number
  name?: string
  email?: string | null
  orderId?: string
  code?: string
  valueMinor?: number
  currency?: string
  customerEmail?: string | null
  occurredAt?: string
}

interface FlagDoc {
  id: number
  rule: string
  evidence?: unknown
  status: string
  createdAt: string
  conversion?: Related | number | null
  partner?: Related | number | null
}

interface EntryDoc {
  id: number
  conversion?: number | null
  amountMinor: number
  currency: string
  status: string
}

const obj = <T,>(v: T | number | null | undefined): T | null => (v && typeof v === 'object' ? v : null)

function ReadOnlyNote({ children }: { children: React.ReactNode }) {
  return (
    <p
      data-testid="read-only-note"
      style={{ padding: '8px 12px', borderRadius: 'var(--style-radius-s)', background: 'var(--theme-elevation-50)' }}
    >
      {children}
    </p>
  )
}

export function FlagsReview({ canDecide }: { canDecide: boolean }) {
  const flags = useJson<Paginated<FlagDoc>>('/api/flags?where[status][equals]=open&depth=1&limit=100&sort=createdAt')
  const ids = flags.data?.docs.map((f) => relId(f.conversion)).filter((x): x is number => x != null) ?? []
  const entries = useJson<Paginated<EntryDoc>>(
    ids.length ? `/api/commissions?where[conversion][in]=${[...new Set(ids)].join(',')}&depth=0&limit=500` : null,
  )
  const [done, setDone] = useState<string | null>(null)
  async function decide(flag: FlagDoc, decision: 'clear' | 'reject', reason: string) {
    await postJson(`/api/flags/${flag.id}/decision`, { decision, reason })
    setDone(`Flag #${flag.id} ${decision === 'clear' ? 'cleared' : 'rejected'}.`)
    flags.reload()
  }
  return (
    <div data-testid="flags-review">
      {!canDecide ? <ReadOnlyNote>Only a manager clears or rejects flags. You see the list read-only.</ReadOnlyNote> : null}
      {done ? (
        <Notice kind="success" testId="flag-decided">
          {done}
        </Notice>
      ) : null}
      {flags.error ? <Notice kind="error">{flags.error}</Notice> : null}
      {flags.data && flags.data.docs.length === 0 ? <Muted>No open flags.</Muted> : null}
      {flags.data && flags.data.docs.length > 0 ? (
        <DataTable head={['Rule and evidence', 'Conversion', 'Partner', 'Commission', 'Decision']} testId="flags-table">
          {flags.data.docs.map((f) => {
            const conv = obj(f.conversion)
            const partner = obj(f.partner)
            const convId = relId(f.conversion)
            const held = (entries.data?.docs ?? []).filter((e) => e.conversion === convId)
            return (
              <tr key={f.id} data-testid="flag-row" data-flag-id={f.id}>
                <td style={{ maxWidth: 460 }}>
                  <strong>{RULE_TITLES[f.rule] ?? f.rule}</strong>
                  <ul style={{ margin: '4px 0 0 18px' }}>
                    {describeEvidence(f.rule, f.evidence).map((l, i) => (
                      <li key={i}>{l}</li>
                    ))}
                  </ul>
                  <Muted>raised {dateTime(f.createdAt)}</Muted>
                </td>
                <td>
                  {convId != null ? (
                    <Link href={`/admin/collections/conversions/${convId}`}>Order {conv?.orderId ?? `#${convId}`}</Link>
                  ) : (
                    '—'
                  )}
                  {conv ? (
                    <div>
                      <Muted>
                        code {conv.code} · <Amount>{money(conv.valueMinor, conv.currency)}</Amount> · {dateOnly(conv.occurredAt)}
                        {conv.customerEmail ? ` · ${conv.customerEmail}` : ''}
                      </Muted>
                    </div>
                  ) : null}
                </td>
                <td>
                  {partner ? <Link href={`/admin/collections/partners/${partner.id}`}>{partner.name}</Link> : '—'}
                  {partner?.email ? (
                    <div>
                      <Muted>{partner.email}</Muted>
                    </div>
                  ) : null}
                </td>
                <td>
                  {held.map((e) => (
                    <div key={e.id}>
                      <Amount>{money(e.amountMinor, e.currency)}</Amount> <StatusPill status={e.status} />
                    </div>
                  ))}
                </td>
                <td>
                  {canDecide ? (
                    <div style={{ display: 'flex', flexDirection: 'column', gap: 6, alignItems: 'flex-start' }}>
                      <ReasonAction
                        label="Clear"
                        confirmLabel="Clear flag"
                        testId={`clear-${f.id}`}
                        onConfirm={(r) => decide(f, 'clear', r)}
                      />
                      <ReasonAction
                        label="Reject"
                        confirmLabel="Reject: reverse the commission"
                        buttonStyle="error"
                        testId={`reject-${f.id}`}
                        onConfirm={(r) => decide(f, 'reject', r)}
                      />
                    </div>
                  ) : (
                    <StatusPill status={f.status} />
                  )}
                </td>
              </tr>
            )
          })}
        </DataTable>
      ) : null}
    </div>
  )
}

interface QueueRow {
  code: string
  currency: string
  conversions: number
  valueMinor: string
  firstAt: string
  lastAt: string
}

export function UnattributedReview({ canAssign }: { canAssign: boolean }) {
  const queue = useJson<{ docs: QueueRow[] }>('/api/conversions/unattributed')
  const partners = useJson<Paginated<Related>>(canAssign ? '/api/partners?limit=1000&sort=name&depth=0&where[status][equals]=active' : null)
  const [done, setDone] = useState<string | null>(null)
  async function assign(body: unknown) {
    const r = await postJson<{ code: string; conversions: number; accrued?: number }>('/api/conversions/assign', body)
    setDone(
      `${r.code}: ${r.conversions} conversion${r.conversions === 1 ? '' : 's'} assigned${r.accrued != null ? `, ${r.accrued} accrued` : ''}.`,
    )
    queue.reload()
    partners.reload()
  }
  return (
    <div data-testid="unattributed-review">
      <p>
        <Muted>
          Orders whose code matches no partner code. Nothing is dropped: assigning a code attributes every order under it and accrues their
          commission.
        </Muted>
      </p>
      {!canAssign ? <ReadOnlyNote>Only admins and ops assign codes. You see the queue read-only.</ReadOnlyNote> : null}
      {done ? (
        <Notice kind="success" testId="assign-done">
          {done}
        </Notice>
      ) : null}
      {queue.error ? <Notice kind="error">{queue.error}</Notice> : null}
      {queue.data && queue.data.docs.length === 0 ? <Muted>The queue is empty.</Muted> : null}
      {queue.data && queue.data.docs.length > 0 ? (
        <DataTable head={['Code', 'Orders', 'Value', 'Between', canAssign ? 'Assign' : '']} testId="unattributed-table">
          {queue.data.docs.map((q) => (
            <tr key={`${q.code}-${q.currency}`} data-testid="unattributed-row" data-code={q.code}>
              <td>
                <Link href={`/admin/collections/conversions?where[code][equals]=${encodeURIComponent(q.code)}`}>
                  <code>{q.code}</code>
                </Link>
              </td>
              <td>{q.conversions}</td>
              <td>
                <Amount>{money(q.valueMinor, q.currency)}</Amount>
              </td>
              <td>
                {dateOnly(q.firstAt)}
                {dateOnly(q.lastAt) !== dateOnly(q.firstAt) ? ` – ${dateOnly(q.lastAt)}` : ''}
              </td>
              <td>{canAssign ? <AssignCode code={q.code} partners={partners.data?.docs ?? []} onAssign={assign} /> : null}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </div>
  )
}

function AssignCode({ code, partners, onAssign }: { code: string; partners: Related[]; onAssign: (body: unknown) => Promise<void> }) {
  const [partner, setPartner] = useState('')
  const [mode, setMode] = useState<'pick' | 'create'>('pick')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  async function run(body: unknown) {
    setBusy(true)
    setError(null)
    try {
      await onAssign(body)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      {mode === 'pick' ? (
        <div style={{ display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }}>
          <select
            aria-label={`Partner for ${code}`}
            data-testid={`partner-select-${code}`}
            value={partner}
            onChange={(e) => setPartner(e.target.value)}
            style={{ ...textInputStyle, minWidth: 200 }}
          >
            <option value="">Choose a partner…</option>
            {partners.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.email ? ` (${p.email})` : ''}
              </option>
            ))}
          </select>
          <Button
            buttonStyle="primary"
            size="small"
            margin={false}
            disabled={busy || partner === ''}
            onClick={() => void run({ code, partner: Number(partner) })}
            extraButtonProps={{ 'data-testid': `assign-${code}` }}
          >
            Assign to partner
          </Button>
          <Button
            buttonStyle="secondary"
            size="small"
            margin={false}
            onClick={() => setMode('create')}
            extraButtonProps={{ 'data-testid': `create-${code}` }}
          >
            Create partner with this code
          </Button>
        </div>
      ) : (
        <div style={{ display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }}>
          <input
            aria-label="Partner name"
            placeholder="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            style={textInputStyle}
          />
          <input
            aria-label="Partner email"
            placeholder="Email (optional)"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            style={textInputStyle}
          />
          <Button
            buttonStyle="primary"
            size="small"
            margin={false}
            disabled={busy || name.trim() === ''}
            onClick={() => void run({ code, newPartner: { name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}) } })}
          >
            Create and assign
          </Button>
          <Button buttonStyle="subtle" size="small" margin={false} onClick={() => setMode('pick')}>
            Cancel
          </Button>
        </div>
      )}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  )
}

interface RefundDoc {
  id: number
  orderId: string
  code?: string | null
  amountMinor?: number | null
  currency?: string | null
  refundedAt: string
  status: string
  note?: string | null
}

export function RefundsReview({ canAssign }: { canAssign: boolean }) {
  const refunds = useJson<Paginated<RefundDoc>>('/api/refunds?where[status][in]=unmatched,ambiguous&depth=0&limit=200&sort=refundedAt')
  const [done, setDone] = useState<string | null>(null)
  return (
    <div data-testid="refunds-review">
      <p>
        <Muted>
          Unmatched refunds wait for their order and are applied when it is imported. Ambiguous ones name an order that came in under
          several codes: choose which conversion they refund.
        </Muted>
      </p>
      {!canAssign ? <ReadOnlyNote>Only admins and ops choose conversions for refunds. You see the list read-only.</ReadOnlyNote> : null}
      {done ? (
        <Notice kind="success" testId="refund-done">
          {done}
        </Notice>
      ) : null}
      {refunds.error ? <Notice kind="error">{refunds.error}</Notice> : null}
      {refunds.data && refunds.data.docs.length === 0 ? <Muted>No refunds waiting.</Muted> : null}
      {refunds.data && refunds.data.docs.length > 0 ? (
        <DataTable head={['Order', 'Refunded', 'Amount', 'Status', 'Why waiting', 'Conversion']} testId="refunds-table">
          {refunds.data.docs.map((r) => (
            <tr key={r.id} data-testid="refund-row" data-refund-id={r.id}>
              <td>
                <Link href={`/admin/collections/refunds/${r.id}`}>{r.orderId}</Link>
                {r.code ? <Muted> · {r.code}</Muted> : null}
              </td>
              <td>{dateOnly(r.refundedAt)}</td>
              <td>
                <Amount>{r.amountMinor == null ? 'full refund' : money(r.amountMinor, r.currency)}</Amount>
              </td>
              <td>
                <StatusPill status={r.status} />
              </td>
              <td>
                {r.status === 'ambiguous' ? 'the order is under several codes' : (r.note ?? 'no order with this id yet').replace(/_/g, ' ')}
              </td>
              <td>
                {r.status === 'ambiguous' && canAssign ? (
                  <ChooseConversion
                    refund={r}
                    onDone={(msg) => {
                      setDone(msg)
                      refunds.reload()
                    }}
                  />
                ) : (
                  <Muted>{r.status === 'ambiguous' ? 'waiting for a choice' : 'waits for the order'}</Muted>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </div>
  )
}

function ChooseConversion({ refund, onDone }: { refund: RefundDoc; onDone: (msg: string) => void }) {
  const [open, setOpen] = useState(false)
  const candidates = useJson<Paginated<Related>>(
    open ? `/api/conversions?where[orderId][equals]=${encodeURIComponent(refund.orderId)}&depth=1&limit=20&sort=code` : null,
  )
  const [choice, setChoice] = useState('')
  const [error, setError] = useState<string | null>(null)
  if (!open) {
    return (
      <Button
        buttonStyle="secondary"
        size="small"
        margin={false}
        onClick={() => setOpen(true)}
        extraButtonProps={{ 'data-testid': `choose-${refund.id}` }}
      >
        Choose conversion
      </Button>
    )
  }
  async function confirm() {
    setError(null)
    try {
      await postJson(`/api/refunds/${refund.id}/assign`, { conversion: Number(choice) })
      onDone(`Refund for ${refund.orderId} applied to conversion #${choice}.`)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <div style={{ display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }}>
      <select
        aria-label="Conversion"
        data-testid={`conversion-select-${refund.id}`}
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        style={{ ...textInputStyle, minWidth: 220 }}
      >
        <option value="">Which conversion?</option>
        {(candidates.data?.docs ?? []).map((c) => {
          const partner = obj((c as { partner?: Related | number | null }).partner)
          return (
            <option key={c.id} value={c.id}>
              {c.code} · {money(c.valueMinor, c.currency)} · {partner?.name ?? 'no partner'}
            </option>
          )
        })}
      </select>
      <Button
        buttonStyle="primary"
        size="small"
        margin={false}
        disabled={choice === ''}
        onClick={() => void confirm()}
        extraButtonProps={{ 'data-testid': `apply-${refund.id}` }}
      >
        Apply refund
      </Button>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  )
}

interface NegativeRow {
  partnerId: number
  partnerName: string
  currency: string
  balanceMinor: string
  entries: number
  lastEntryAt: string
}

export function NegativeBalancesReview({ canWriteOff }: { canWriteOff: boolean }) {
  const rows = useJson<{ docs: NegativeRow[] }>('/api/commissions/negative-balances')
  const [done, setDone] = useState<string | null>(null)
  async function writeOff(r: NegativeRow, reason: string) {
    await postJson('/api/commissions/write-offs', { partner: r.partnerId, currency: r.currency, reason })
    setDone(`${r.partnerName}: ${money(r.balanceMinor, r.currency)} written off.`)
    rows.reload()
  }
  return (
    <div data-testid="negative-review">
      <p>
        <Muted>
          Partners whose unbatched entries net below zero (clawbacks not yet earned back). The balance carries forward into later batches
          unless a manager writes it off.
        </Muted>
      </p>
      {!canWriteOff ? <ReadOnlyNote>Only a manager writes off a balance. You see the list read-only.</ReadOnlyNote> : null}
      {done ? <Notice kind="success">{done}</Notice> : null}
      {rows.error ? <Notice kind="error">{rows.error}</Notice> : null}
      {rows.data && rows.data.docs.length === 0 ? <Muted>No negative balances.</Muted> : null}
      {rows.data && rows.data.docs.length > 0 ? (
        <DataTable head={['Partner', 'Balance', 'Entries', 'Last entry', canWriteOff ? 'Write off' : '']} testId="negative-table">
          {rows.data.docs.map((r) => (
            <tr key={`${r.partnerId}-${r.currency}`} data-testid="negative-row">
              <td>
                <Link href={`/admin/collections/partners/${r.partnerId}`}>{r.partnerName}</Link>
              </td>
              <td>
                <Amount>{money(r.balanceMinor, r.currency)}</Amount>
              </td>
              <td>{r.entries}</td>
              <td>{dateOnly(r.lastEntryAt)}</td>
              <td>
                {canWriteOff ? (
                  <ReasonAction
                    label="Write off"
                    testId={`write-off-${r.partnerId}-${r.currency}`}
                    onConfirm={(reason) => writeOff(r, reason)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </div>
  )
}
