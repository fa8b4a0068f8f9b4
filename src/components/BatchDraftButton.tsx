'use client'
import React, { useState } from 'react'

/**
 * Above the batches list: ops drafts a batch for an as-of date and lands on its review. Other
 * roles see the button too and get the server's refusal, so nobody wonders where it went.
 */
export function BatchDraftButton() {
  const [asOf, setAsOf] = useState(new Date().toISOString().slice(0, 10))
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function draft() {
    setBusy(true)
    setError(null)
    try {
      const res = await fetch('/api/batches/draft', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ asOf }),
      })
      const body = await res.json()
      if (!res.ok) {
        setError(body?.error?.message ?? `Refused (${res.status}).`)
        return
      }
      window.location.assign(`/admin/batches/${body.batchId}/review`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div style={{ display: 'flex', gap: 12, alignItems: 'center', margin: '0 0 16px', flexWrap: 'wrap' }} data-testid="draft-batch">
      <label>
        As of <input type="date" name="asOf" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
      </label>
      <button type="button" className="btn btn--style-primary btn--size-small" disabled={busy} onClick={() => void draft()}>
        Draft batch
      </button>
      {error ? (
        <span role="alert" style={{ color: 'var(--theme-error-500)' }}>
          {error}
        </span>
      ) : null}
    </div>
  )
}
