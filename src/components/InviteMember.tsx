'use client'
import React, { useEffect, useState } from 'react'

const ROLES = ['ops', 'manager', 'finance', 'auditor', 'admin'] as const

/**
 * Above the memberships list: an admin invites a person by email with a role. New people get an
 * email with a link to choose their password; there is no public sign-up.
 */
export function InviteMember() {
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<(typeof ROLES)[number]>('ops')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const [isAdmin, setIsAdmin] = useState(false)

  useEffect(() => {
    void fetch('/api/users/tenant', { credentials: 'include' })
      .then((r) => (r.ok ? r.json() : null))
      .then((t: { role?: string } | null) => setIsAdmin(t?.role === 'admin'))
      .catch(() => setIsAdmin(false))
  }, [])

  async function invite(e: React.FormEvent) {
    e.preventDefault()
    setBusy(true)
    setMessage(null)
    try {
      const res = await fetch('/api/invitations', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, role }),
      })
      const body = await res.json().catch(() => null)
      if (res.ok) {
        setMessage({
          ok: true,
          text: `Invited ${email} as ${role}. ${body?.newUser ? 'They will get an email to choose a password.' : 'They can log in now.'}`,
        })
        setEmail('')
        setTimeout(() => window.location.reload(), 1200)
      } else {
        setMessage({ ok: false, text: body?.error?.message ?? `Invitation failed (${res.status}).` })
      }
    } finally {
      setBusy(false)
    }
  }

  if (!isAdmin) return null
  return (
    <form
      onSubmit={(e) => void invite(e)}
      style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '0 0 16px', flexWrap: 'wrap' }}
      data-testid="invite-form"
    >
      <strong>Invite someone</strong>
      <input
        type="email"
        required
        placeholder="email@company.com"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        aria-label="Email"
        style={{ padding: '4px 8px', minWidth: 240 }}
      />
      <select
        value={role}
        onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}
        aria-label="Role"
        style={{ padding: '4px 8px' }}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn--style-primary btn--size-small" disabled={busy} style={{ margin: 0 }}>
        Send invitation
      </button>
      {message ? (
        <span role={message.ok ? 'status' : 'alert'} style={{ color: message.ok ? 'var(--theme-success-500)' : 'var(--theme-error-500)' }}>
          {message.text}
        </span>
      ) : null}
    </form>
  )
}
