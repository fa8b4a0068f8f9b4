import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

import { AdminFrame } from '../AdminFrame'
import { ReconciliationClient } from './ReconciliationClient'

/** /admin/reconciliation: every identity with a check mark or the difference; the endpoint checks the role. */
export async function ReconciliationView(props: AdminViewServerProps) {
  if (!props.initPageResult.req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/reconciliation')}`)
  return (
    <AdminFrame props={props}>
      <header style={{ margin: '32px 0 8px' }}>
        <h1 style={{ marginBottom: 4 }}>Reconciliation</h1>
        <p style={{ color: 'var(--theme-elevation-500)', margin: 0, maxWidth: 820 }}>
          Proof that the numbers tie out: every imported row has one outcome, every cent of commission is in exactly one status, no order
          nets below zero unless it was clawed back, and every batch’s total equals its lines, its entries and its files.
        </p>
      </header>
      <ReconciliationClient />
    </AdminFrame>
  )
}
