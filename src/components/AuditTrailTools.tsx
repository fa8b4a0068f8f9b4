'use client'
import React, { useState } from 'react'

interface Verdict {
  ok: boolean
  checked: number
  brokenAtSeq?: number
  reason?: string
}

/** Above the audit list: verify the hash chain and download the trail as CSV. */
export function AuditTrailTools() {
  const [verdict, setVerdict] = useState<Verdict | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function verify() {
    setError(null)
    const res = await fetch('/api/audit-events/verify', { credentials: 'include' })
    const body = await res.json()
    if (!res.ok) setError(body?.error?.message ?? 'Verification failed.')
    else setVerdict(body as Verdict)
  }

  return (
    <div style={{ display: 'flex', gap: 12, alignItems: 'center', margin: '0 0 16px' }}>
      <button type="button" className="btn btn--style-secondary btn--size-small" onClick={() => void verify()} data-testid="verify-chain">
        Verify chain
      </button>
      <a className="btn btn--style-secondary btn--size-small" href="/api/audit-events/export" data-testid="export-audit">
        Download CSV
      </a>
      {verdict ? (
        <span
          role="status"
          data-testid="chain-verdict"
          style={{ fontWeight: 600, color: verdict.ok ? 'var(--theme-success-500)' : 'var(--theme-error-500)' }}
        >
          {verdict.ok
            ? `✓ Chain intact: ${verdict.checked} events verified`
            : `✗ Chain broken at event #${verdict.brokenAtSeq} (${verdict.reason}); ${verdict.checked} events before it verify`}
        </span>
      ) : null}
      {error ? <span role="alert">{error}</span> : null}
    </div>
  )
}
