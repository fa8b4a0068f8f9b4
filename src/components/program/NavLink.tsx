'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import React from 'react'

/** A nav entry for one of the program's own views (set-up, reconciliation): they are views, not collections. */
export function ProgramNavLink({ href, label, id }: { href: string; label: string; id: string }) {
  const active = usePathname() === href
  const inner = (
    <>
      {active ? <div className="nav__link-indicator" /> : null}
      <span className="nav__link-label">{label}</span>
    </>
  )
  return active ? (
    <div className="nav__link" id={id}>
      {inner}
    </div>
  ) : (
    <Link className="nav__link" href={href} id={id} prefetch={false}>
      {inner}
    </Link>
  )
}
