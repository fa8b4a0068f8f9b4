'use client'
import { Button, Pill } from '@payloadcms/ui'
import React, { useState } from 'react'

import { STATUS_LABELS } from './describe'

/** Small pieces the ledger views share, built on Payload's own classes so they look native. */

export function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section style={{ margin: '0 0 calc(var(--base) * 2)' }} data-testid={testId}>
      <h3 style={{ margin: '0 0 calc(var(--base) / 2)' }}>{title}</h3>
      {children}
    </section>
  )
}

/** Payload's list table markup (`.table`), so the rows read like the collection lists. */
export function DataTable({ head, children, testId }: { head: React.ReactNode[]; children: React.ReactNode; testId?: string }) {
  return (
    <div className="table" style={{ overflowX: 'auto' }}>
      <table cellPadding={0} cellSpacing={0} data-testid={testId}>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

const STATUS_STYLE: Record<string, 'light' | 'success' | 'warning' | 'error' | 'dark' | 'light-gray'> = {
  pending: 'light',
  eligible: 'success',
  held: 'warning',
  in_batch: 'dark',
  paid: 'light-gray',
  open: 'warning',
  cleared: 'success',
  rejected: 'error',
  unmatched: 'warning',
  ambiguous: 'warning',
  matched: 'success',
}

export function StatusPill({ status }: { status: unknown }) {
  const s = String(status ?? '')
  return (
    <Pill pillStyle={STATUS_STYLE[s] ?? 'light'} size="small">
      {STATUS_LABELS[s] ?? s.replace(/_/g, ' ')}
    </Pill>
  )
}

export const Amount = ({ children }: { children: React.ReactNode }) => (
  <span style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>{children}</span>
)

export const Muted = ({ children }: { children: React.ReactNode }) => (
  <span style={{ color: 'var(--theme-elevation-500)' }}>{children}</span>
)

export function Notice({ kind, children, testId }: { kind: 'error' | 'info' | 'success'; children: React.ReactNode; testId?: string }) {
  const color = kind === 'error' ? 'var(--theme-error-500)' : kind === 'success' ? 'var(--theme-success-500)' : 'var(--theme-elevation-600)'
  return (
    <p role={kind === 'error' ? 'alert' : 'status'} data-testid={testId} style={{ color, margin: 'calc(var(--base) / 4) 0' }}>
      {children}
    </p>
  )
}

/**
 * A button that opens an inline form asking for a reason (and any extra fields) before it acts;
 * decisions on money are never one click.
 */
export function ReasonAction({
  label,
  confirmLabel,
  onConfirm,
  testId,
  buttonStyle = 'secondary',
  placeholder = 'Reason (required, kept in the audit trail)',
}: {
  label: string
  confirmLabel?: string
  onConfirm: (reason: string) => Promise<void>
  testId: string
  buttonStyle?: 'primary' | 'secondary' | 'error'
  placeholder?: string
}) {
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!open) {
    return (
      <Button
        buttonStyle={buttonStyle === 'primary' ? 'primary' : 'secondary'}
        size="small"
        margin={false}
        onClick={() => setOpen(true)}
        extraButtonProps={{ 'data-testid': testId }}
      >
        {label}
      </Button>
    )
  }
  async function confirm() {
    setBusy(true)
    setError(null)
    try {
      await onConfirm(reason)
      setOpen(false)
      setReason('')
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 6, minWidth: 260 }}>
      <textarea
        className="textarea-element"
        aria-label={`${label}: reason`}
        data-testid={`${testId}-reason`}
        rows={2}
        value={reason}
        placeholder={placeholder}
        onChange={(e) => setReason(e.target.value)}
        style={textInputStyle}
      />
      <div style={{ display: 'flex', gap: 6 }}>
        <Button
          buttonStyle={buttonStyle === 'secondary' ? 'primary' : buttonStyle}
          size="small"
          margin={false}
          disabled={busy || reason.trim() === ''}
          onClick={() => void confirm()}
          extraButtonProps={{ 'data-testid': `${testId}-confirm` }}
        >
          {confirmLabel ?? label}
        </Button>
        <Button buttonStyle="subtle" size="small" margin={false} onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  )
}

export const textInputStyle: React.CSSProperties = {
  font: 'inherit',
  padding: '6px 10px',
  border: '1px solid var(--theme-elevation-150)',
  borderRadius: 'var(--style-radius-s)',
  background: 'var(--theme-input-bg)',
  color: 'var(--theme-text)',
}

export function Pager({ page, totalPages, onPage }: { page: number; totalPages: number; onPage: (p: number) => void }) {
  if (totalPages <= 1) return null
  return (
    <div style={{ display: 'flex', gap: 8, alignItems: 'center', marginTop: 8 }}>
      <Button buttonStyle="secondary" size="small" margin={false} disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Newer
      </Button>
      <Muted>
        Page {page} of {totalPages}
      </Muted>
      <Button buttonStyle="secondary" size="small" margin={false} disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
        Older
      </Button>
    </div>
  )
}
