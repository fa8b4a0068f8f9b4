'use client'
import { Link, NavGroup } from '@payloadcms/ui'
import { usePathname } from 'next/navigation'
import React from 'react'

export const REVIEW_LINKS = [
  { path: '/admin/review/flags', label: 'Flags', id: 'nav-review-flags' },
  { path: '/admin/review/unattributed', label: 'Unattributed codes', id: 'nav-review-unattributed' },
  { path: '/admin/review/refunds', label: 'Refunds waiting', id: 'nav-review-refunds' },
  { path: '/admin/review/negative-balances', label: 'Negative balances', id: 'nav-review-negative-balances' },
] as const

/** The review queues in the side nav, marked up like Payload's own collection links. */
export function ReviewNavLinks() {
  const pathname = usePathname()
  return (
    <NavGroup label="Review">
      {REVIEW_LINKS.map((l) => (
        <Link key={l.path} className="nav__link" href={l.path} id={l.id} prefetch={false}>
          {pathname === l.path ? <div className="nav__link-indicator" /> : null}
          <span className="nav__link-label">{l.label}</span>
        </Link>
      ))}
    </NavGroup>
  )
}
