import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

import { roleMayCall } from '../../access/roles'
import { resolveTenant } from '../../access/tenant'
import { AdminFrame } from '../AdminFrame'
import { SetupWizard } from './SetupWizard'

/**
 * /admin/setup: the program set-up interview. A new organization's admin is sent here from the
 * dashboard until the settings are saved once; afterwards it is reopened from the nav. The
 * wizard reads and saves through GET/PUT /api/organizations/settings, which check the role again.
 */
export async function SetupView(props: AdminViewServerProps) {
  const { req } = props.initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/setup')}`)
  const tenant = await resolveTenant(req)
  const canEdit = roleMayCall(tenant.role, 'organization.update')
  return (
    <AdminFrame props={props}>
      <header style={{ margin: '32px 0 8px' }}>
        <h1 style={{ marginBottom: 4 }}>Program set-up</h1>
        <p style={{ color: 'var(--theme-elevation-500)', margin: 0, maxWidth: 760 }}>
          A few questions about how your program really works. Each has a sensible default; change what differs for you. Nothing is saved
          until you confirm the summary at the end.
        </p>
      </header>
      {tenant.organizationId == null ? <p role="alert">You are not a member of an organization yet.</p> : <SetupWizard canEdit={canEdit} />}
    </AdminFrame>
  )
}
