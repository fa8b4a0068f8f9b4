'use client'
import React, { useEffect, useState } from 'react'

interface Org {
  id: number
  name: string
}

/**
 * Shows the active organization and lets a member of several switch. The choice is stored on
 * the server (the user's active organization), never trusted from the browser per request.
 */
export function OrganizationSwitcher() {
  const [orgs, setOrgs] = useState<Org[]>([])
  const [active, setActive] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    void (async () => {
      const me = await fetch('/api/users/me', { credentials: 'include' }).then((r) => r.json())
      const list = await fetch('/api/organizations?limit=100&depth=0&sort=name', { credentials: 'include' }).then((r) => r.json())
      const docs: Org[] = list?.docs ?? []
      setOrgs(docs)
      const current = me?.user?.activeOrganization
      setActive(typeof current === 'number' ? current : (current?.id ?? docs[0]?.id ?? null))
    })().catch(() => setError('Could not load your organizations.'))
  }, [])

  async function change(id: number) {
    const res = await fetch('/api/users/switch-organization', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationId: id }),
    })
    if (!res.ok) {
      setError('Switching failed.')
      return
    }
    window.location.reload()
  }

  if (orgs.length === 0) return null
  return (
    <div className="org-switcher" style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
      <label htmlFor="org-switcher" style={{ fontSize: 13, opacity: 0.7 }}>
        Organization
      </label>
      <select
        id="org-switcher"
        data-testid="org-switcher"
        value={active ?? ''}
        onChange={(e) => void change(Number(e.target.value))}
        style={{ padding: '4px 8px', fontWeight: 600 }}
      >
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  )
}
