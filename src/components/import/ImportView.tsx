import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

import { roleAllows } from '../../access/roles'
import { resolveTenant } from '../../access/tenant'
import { AdminFrame } from '../AdminFrame'
import { ImportWizard } from './ImportWizard'

/**
 * /admin/import: the import wizard inside the admin's own frame (nav, header). Custom admin
 * views are public by default, so the session is checked here; the role decides whether the
 * wizard is shown (the endpoints check it again on every call).
 */
export async function ImportView(props: AdminViewServerProps) {
  const { req } = props.initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/import')}`)
  const tenant = await resolveTenant(req)
  const allowed = roleAllows(tenant.role, 'imports', 'create')
  return (
    <AdminFrame props={props}>
      <header style={{ margin: '32px 0 8px' }}>
        <h1 style={{ marginBottom: 4 }}>Import</h1>
        <p style={{ color: 'var(--theme-elevation-500)', margin: 0 }}>
          Partners, conversions or refunds from a CSV file or a Google Sheet. You see a dry run before anything is stored. Earlier imports:{' '}
          <a href="/admin/collections/imports">Imports</a>.
        </p>
      </header>
      {allowed ? (
        <ImportWizard />
      ) : (
        <div role="alert" data-testid="import-not-allowed" style={{ marginTop: 24 }}>
          <p>
            <strong>Only admins and ops import files.</strong> You are {tenant.role ? `${tenant.role}` : 'not a member'} in this
            organization; ask an admin if you need to import.
          </p>
        </div>
      )}
    </AdminFrame>
  )
}
