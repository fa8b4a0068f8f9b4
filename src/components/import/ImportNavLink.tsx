'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import React from 'react'

/** Above the collections in the admin nav: the import wizard is a view, not a collection. */
export function ImportNavLink() {
  const pathname = usePathname()
  const active = pathname === '/admin/import'
  const label = (
    <>
      {active ? <div className="nav__link-indicator" /> : null}
      <span className="nav__link-label">Import files</span>
    </>
  )
  return active ? (
    <div className="nav__link import-nav-link" id="nav-import">
      {label}
    </div>
  ) : (
    <Link className="nav__link import-nav-link" href="/admin/import" id="nav-import" prefetch={false}>
      {label}
    </Link>
  )
}

/** Above the imports list: new imports go through the wizard (the collection's own create form cannot take a file). */
export function ImportListLink() {
  return (
    <div style={{ margin: '0 0 16px' }}>
      <Link className="btn btn--style-primary btn--size-small" href="/admin/import" data-testid="open-import-wizard" style={{ margin: 0 }}>
        New import…
      </Link>
    </div>
  )
}
