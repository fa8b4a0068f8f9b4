'use client'
import React, { useCallback, useEffect, useState } from 'react'

import { isKnownCurrency } from '../ledger/currency'
import { formatMinor } from '../ledger/money'
import { signInAgain, StepUpPasswordField, WRONG_PASSWORD } from './step-up-password'

interface Line {
  id: number
  lineNo: number
  partnerId: number
  partnerName: string
  currency: string
  amountMinor: string
  entryCount: number
  entryIds: number[]
  payee: { method: string; account: string; holderName: string | null }
  status: string
  paymentReference: string | null
  openFlags: number
  previous: { reference: string; amountMinor: string } | null
  changeMinor: string | null
}
interface LeftOut {
  partnerId: number
  partnerName: string
  currency: string
  netMinor: string
  entryIds: number[]
  reason: string
  message: string
}
interface Review {
  batch: {
    id: number
    reference: string
    status: string
    asOf: string
    preparedBy: string | null
    submittedBy: string | null
    approvedBy: string | null
    approvedAt: string | null
    rejectedBy: string | null
    rejectionReason: string | null
    exportedAt: string | null
    paidAt: string | null
    paymentReference: string | null
    contentHash: string | null
    approvals: { actorId: string; at: string }[]
    approvalsRequired: number
    lineCount: number
  }
  viewer: { role: string | null }
  totals: { currency: string; totalMinor: string; lineCount: number }[]
  lines: Line[]
  carried: LeftOut[]
  blocked: LeftOut[]
  openFlags: number
  availableEvents: string[]
  refusals: Record<string, string>
  exports: { id: number; format: string; fileName: string; sha256: string; createdAt: string; createdBy: string | null }[]
  formats: { id: string; label: string }[]
}

const REFUSAL_TEXT: Record<string, string> = {
  approver_is_preparer: 'You prepared or submitted this batch, so another manager must approve or reject it.',
  approver_already_approved: 'You already approved this batch; a second manager must approve it.',
}

function money(minor: string, currency: string): string {
  return isKnownCurrency(currency) ? `${formatMinor(BigInt(minor), currency)} ${currency}` : `${minor} ${currency}`
}

function date(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—'
}

const cell: React.CSSProperties = { padding: '6px 10px', borderBottom: '1px solid var(--theme-elevation-100)', textAlign: 'left' }
const num: React.CSSProperties = { ...cell, textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }
const section: React.CSSProperties = { margin: '24px 0' }
const entries = (n: number) => (n === 1 ? '1 entry' : `${n} entries`)

function entriesHref(batchId: number, partnerId: number): string {
  return `/admin/collections/commissions?where[and][0][batch][equals]=${batchId}&where[and][1][partner][equals]=${partnerId}`
}

/**
 * The manager's review of a payout batch (/admin/batches/:id/review): summary, totals, lines with
 * drill-down to entries and flags and the change against the partner's previous batch, what was
 * carried or blocked and why, and the actions the caller's role has at this state. Every action
 * is a call to the batch endpoints; their refusal messages are shown as they come.
 */
export function BatchReview({ id }: { id: number }) {
  const [review, setReview] = useState<Review | null>(null)
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null)
  const [confirming, setConfirming] = useState<'approve' | 'reject' | 'discard' | null>(null)
  const [reason, setReason] = useState('')
  const [format, setFormat] = useState('generic-csv')
  const [allowPartial, setAllowPartial] = useState(false)
  const [paymentReference, setPaymentReference] = useState('')
  const [paidOn, setPaidOn] = useState(new Date().toISOString().slice(0, 10))
  const [busy, setBusy] = useState(false)
  // Approving needs a recent password entry (src/security/step-up.ts); asked for in place.
  const [stepUp, setStepUp] = useState<string | null>(null)
  const [stepUpPassword, setStepUpPassword] = useState('')

  const load = useCallback(async () => {
    if (id == null) return
    const res = await fetch(`/api/batches/${id}/review`, { credentials: 'include' })
    const body = await res.json()
    if (res.ok) setReview(body as Review)
    else setMessage({ kind: 'error', text: body?.error?.message ?? `Could not load the batch (${res.status}).` })
  }, [id])

  useEffect(() => {
    void load()
  }, [load])

  async function act(path: string, body: unknown, done: string) {
    setBusy(true)
    setMessage(null)
    try {
      const res = await fetch(`/api/batches/${id}/${path}`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      })
      const json = await res.json()
      if (json?.error?.code === 'step_up_required') {
        // Keep the confirmation open and ask for the password there.
        setStepUp(json.error.message ?? 'Confirm your password.')
        return
      }
      setStepUp(null)
      setMessage(res.ok ? { kind: 'ok', text: done } : { kind: 'error', text: json?.error?.message ?? `Refused (${res.status}).` })
      setConfirming(null)
      await load()
    } finally {
      setBusy(false)
    }
  }

  /** Signs in again with the password just entered (a fresh session), then retries the action. */
  async function confirmPasswordThen(retry: () => Promise<void>) {
    setBusy(true)
    setMessage(null)
    try {
      const ok = await signInAgain(stepUpPassword)
      setStepUpPassword('')
      if (!ok) {
        setMessage({ kind: 'error', text: WRONG_PASSWORD })
        return
      }
    } finally {
      setBusy(false)
    }
    await retry()
  }

  async function download() {
    setBusy(true)
    setMessage(null)
    try {
      const q = new URLSearchParams({
        format,
        ...(allowPartial ? { allowPartial: 'true' } : {}),
        // The button reads "Download again" on an exported batch: the person asks for the re-download.
        ...(review?.batch.status === 'exported' ? { redownload: 'true' } : {}),
      })
      const res = await fetch(`/api/batches/${id}/export?${q.toString()}`, { credentials: 'include' })
      if (!res.ok) {
        const json = await res.json().catch(() => null)
        setMessage({ kind: 'error', text: json?.error?.message ?? `Export refused (${res.status}).` })
        return
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export'
      const url = URL.createObjectURL(await res.blob())
      const a = document.createElement('a')
      a.href = url
      a.download = name
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      setMessage({ kind: 'ok', text: `Downloaded ${name} (SHA-256 ${res.headers.get('x-export-sha256')?.slice(0, 12)}…).` })
      await load()
    } finally {
      setBusy(false)
    }
  }

  if (!review) {
    return <div style={{ padding: 24 }}>{message ? <p role="alert">{message.text}</p> : 'Loading batch…'}</div>
  }
  const b = review.batch
  const can = (e: string) => review.availableEvents.includes(e)
  const submitted = b.status === 'submitted'
  const exportable = (b.status === 'approved' || b.status === 'exported') && review.viewer.role === 'finance'

  return (
    <div style={{ padding: '24px var(--gutter-h, 60px)', maxWidth: 1200 }} data-testid="batch-review">
      <p style={{ margin: '0 0 8px' }}>
        <a href="/admin/collections/batches">← All batches</a>
      </p>
      <h2 style={{ margin: 0 }}>
        Batch {b.reference}{' '}
        <span
          data-testid="batch-status"
          style={{ fontSize: 14, padding: '2px 8px', borderRadius: 4, background: 'var(--theme-elevation-100)' }}
        >
          {b.status}
        </span>
      </h2>
      <p style={{ color: 'var(--theme-elevation-600)' }}>
        As of {date(b.asOf)} · {b.lineCount} line(s) · prepared by {b.preparedBy ?? '—'}
        {b.submittedBy ? ` · submitted by ${b.submittedBy}` : ''}
        {b.approvedBy ? ` · approved by ${b.approvedBy} on ${date(b.approvedAt)}` : ''}
        {b.rejectedBy ? ` · rejected by ${b.rejectedBy}: “${b.rejectionReason}”` : ''}
        {b.paidAt ? ` · paid ${date(b.paidAt)} (${b.paymentReference})` : ''}
      </p>
      <p style={{ color: 'var(--theme-elevation-600)', fontSize: 12 }}>
        Approvals {b.approvals.length} of {b.approvalsRequired}
        {b.contentHash ? ` · content SHA-256 ${b.contentHash.slice(0, 16)}…` : ''}
        {review.openFlags > 0 ? ` · ${review.openFlags} open flag(s) on these entries` : ''}
      </p>

      {message ? (
        <div
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid="batch-message"
          style={{
            padding: '10px 14px',
            margin: '12px 0',
            borderRadius: 4,
            background: message.kind === 'error' ? 'var(--theme-error-100)' : 'var(--theme-success-100)',
            color: message.kind === 'error' ? 'var(--theme-error-800)' : 'var(--theme-success-800)',
          }}
        >
          {message.text}
        </div>
      ) : null}

      <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap', alignItems: 'center' }}>
        {can('submit') ? (
          <button
            type="button"
            className="btn btn--style-primary btn--size-small"
            disabled={busy}
            onClick={() => void act('submit', {}, 'Submitted for approval; the managers were emailed.')}
          >
            Submit for approval
          </button>
        ) : null}
        {can('discard') ? (
          <button
            type="button"
            className="btn btn--style-secondary btn--size-small"
            disabled={busy}
            onClick={() => setConfirming('discard')}
          >
            Discard draft
          </button>
        ) : null}
        {submitted ? (
          <>
            <button
              type="button"
              className="btn btn--style-primary btn--size-small"
              disabled={busy}
              onClick={() => setConfirming('approve')}
            >
              Approve
            </button>
            <button
              type="button"
              className="btn btn--style-secondary btn--size-small"
              disabled={busy}
              onClick={() => setConfirming('reject')}
            >
              Reject
            </button>
            {review.viewer.role !== 'manager' ? (
              <span style={{ color: 'var(--theme-elevation-600)' }}>Managers approve or reject.</span>
            ) : null}
            {review.refusals.approve ? (
              <span style={{ color: 'var(--theme-warning-700)' }}>{REFUSAL_TEXT[review.refusals.approve] ?? review.refusals.approve}</span>
            ) : null}
          </>
        ) : null}
      </div>

      {confirming ? (
        <div
          data-testid="confirm-panel"
          style={{ margin: '12px 0', padding: 14, border: '1px solid var(--theme-elevation-200)', borderRadius: 4 }}
        >
          {confirming === 'approve' ? (
            <p>
              Approve {b.reference} paying {review.totals.map((t) => money(t.totalMinor, t.currency)).join(' + ')} to {b.lineCount}{' '}
              payee(s)? The batch can no longer change after approval.
            </p>
          ) : null}
          {confirming === 'approve' && stepUp ? (
            <StepUpPasswordField
              message={stepUp}
              value={stepUpPassword}
              onChange={setStepUpPassword}
              style={{ display: 'block' }}
              testId="step-up"
            />
          ) : null}
          {confirming === 'discard' ? <p>Discard this draft? Its entries go back to the ledger for the next batch.</p> : null}
          {confirming === 'reject' ? (
            <label style={{ display: 'block' }}>
              Reason for rejecting (sent back to ops, kept in the audit trail)
              <textarea
                name="reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={3}
                style={{ display: 'block', width: '100%', marginTop: 6 }}
              />
            </label>
          ) : null}
          <div style={{ display: 'flex', gap: 10, marginTop: 10 }}>
            <button
              type="button"
              className="btn btn--style-primary btn--size-small"
              disabled={busy}
              onClick={() =>
                void (confirming === 'approve'
                  ? stepUp
                    ? confirmPasswordThen(() => act('approve', {}, 'Approved.'))
                    : act('approve', {}, 'Approved.')
                  : confirming === 'reject'
                    ? act('reject', { reason }, 'Rejected; the entries are released.')
                    : act('discard', {}, 'Discarded; the entries are released.'))
              }
            >
              {confirming === 'approve' ? 'Confirm approval' : confirming === 'reject' ? 'Confirm rejection' : 'Confirm discard'}
            </button>
            <button
              type="button"
              className="btn btn--style-secondary btn--size-small"
              onClick={() => {
                setConfirming(null)
                setStepUp(null)
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}

      {exportable ? (
        <div style={{ ...section, display: 'flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }} data-testid="export-panel">
          <label>
            Format{' '}
            <select name="format" value={format} onChange={(e) => setFormat(e.target.value)}>
              {review.formats.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={allowPartial} onChange={(e) => setAllowPartial(e.target.checked)} /> only the lines this format
            can pay
          </label>
          <button type="button" className="btn btn--style-primary btn--size-small" disabled={busy} onClick={() => void download()}>
            {b.status === 'exported' ? 'Download again' : 'Download'}
          </button>
        </div>
      ) : null}
      {can('mark_paid') ? (
        <div style={{ ...section, display: 'flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }} data-testid="paid-panel">
          <label>
            Payment reference{' '}
            <input name="paymentReference" value={paymentReference} onChange={(e) => setPaymentReference(e.target.value)} />
          </label>
          <label>
            Paid on <input type="date" name="paidOn" value={paidOn} onChange={(e) => setPaidOn(e.target.value)} />
          </label>
          <button
            type="button"
            className="btn btn--style-primary btn--size-small"
            disabled={busy}
            onClick={() => void act('mark-paid', { paymentReference, paidOn }, 'Marked paid.')}
          >
            Mark paid
          </button>
        </div>
      ) : null}

      <div style={section}>
        <h3>Totals</h3>
        <table style={{ borderCollapse: 'collapse' }} data-testid="batch-totals">
          <tbody>
            {review.totals.map((t) => (
              <tr key={t.currency}>
                <td style={cell}>{t.currency}</td>
                <td style={num}>{money(t.totalMinor, t.currency)}</td>
                <td style={cell}>{t.lineCount} line(s)</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div style={section}>
        <h3>Lines</h3>
        <table style={{ borderCollapse: 'collapse', width: '100%' }} data-testid="batch-lines">
          <thead>
            <tr>
              {['#', 'Partner', 'Pays to', 'Amount', 'Change vs previous batch', 'Entries', 'Open flags', 'Status'].map((h, i) => (
                <th key={h} style={{ ...(i >= 3 && i <= 6 ? num : cell), fontWeight: 600 }}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {review.lines.map((l) => (
              <tr key={l.id}>
                <td style={cell}>{l.lineNo}</td>
                <td style={cell}>
                  <a href={`/admin/collections/partners/${l.partnerId}`}>{l.partnerName}</a>
                </td>
                <td style={cell}>
                  {l.payee.method.toUpperCase()} {l.payee.account}
                  {l.payee.holderName ? (
                    <div style={{ fontSize: 12, color: 'var(--theme-elevation-600)' }}>{l.payee.holderName}</div>
                  ) : null}
                </td>
                <td style={num}>{money(l.amountMinor, l.currency)}</td>
                <td style={num}>
                  {l.changeMinor === null
                    ? 'first payout'
                    : `${l.changeMinor.startsWith('-') ? '' : '+'}${money(l.changeMinor, l.currency)} (was ${money(l.previous!.amountMinor, l.currency)} in ${l.previous!.reference})`}
                </td>
                <td style={num}>
                  <a href={entriesHref(b.id, l.partnerId)}>{entries(l.entryCount)}</a>
                </td>
                <td style={num}>
                  {l.openFlags > 0 ? <a href={`/admin/collections/flags?where[partner][equals]=${l.partnerId}`}>{l.openFlags}</a> : '0'}
                </td>
                <td style={cell}>{l.status === 'paid' ? `paid (${l.paymentReference})` : l.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {[
        ['Carried forward', review.carried, 'carried'],
        ['Blocked (payout details unusable)', review.blocked, 'blocked'],
      ].map(([title, rows, key]) => (
        <div style={section} key={key as string}>
          <h3>
            {title as string} ({(rows as LeftOut[]).length})
          </h3>
          {(rows as LeftOut[]).length === 0 ? (
            <p style={{ color: 'var(--theme-elevation-600)' }}>None.</p>
          ) : (
            <table style={{ borderCollapse: 'collapse', width: '100%' }} data-testid={`batch-${key as string}`}>
              <thead>
                <tr>
                  {['Partner', 'Net', 'Entries', 'Why'].map((h, i) => (
                    <th key={h} style={{ ...(i === 1 ? num : cell), fontWeight: 600 }}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(rows as LeftOut[]).map((c) => (
                  <tr key={`${c.partnerId}-${c.currency}`}>
                    <td style={cell}>
                      <a href={`/admin/collections/partners/${c.partnerId}`}>{c.partnerName || `Partner ${c.partnerId}`}</a>
                    </td>
                    <td style={num}>{money(c.netMinor, c.currency)}</td>
                    <td style={cell}>{entries(c.entryIds.length)}</td>
                    <td style={cell}>{c.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}

      {review.exports.length > 0 ? (
        <div style={section}>
          <h3>Downloads</h3>
          <table style={{ borderCollapse: 'collapse', width: '100%' }}>
            <tbody>
              {review.exports.map((e) => (
                <tr key={e.id}>
                  <td style={cell}>{e.fileName}</td>
                  <td style={cell}>{e.format}</td>
                  <td style={cell}>
                    <code>{e.sha256.slice(0, 16)}…</code>
                  </td>
                  <td style={cell}>
                    {e.createdBy} {date(e.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  )
}
