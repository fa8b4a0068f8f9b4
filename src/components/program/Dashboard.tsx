import { redirect } from 'next/navigation'
import { createLocalReq, type Payload, type TypedUser } from 'payload'
import React from 'react'

import { roleMayCall } from '../../access/roles'
import { resolveTenant } from '../../access/tenant'
import { DashboardClient } from './DashboardClient'

/**
 * Above Payload's collection cards: the active organization's dashboard. An admin whose
 * organization has never saved its program settings is sent to the set-up interview first (the
 * server decides, so there is no flash of an empty dashboard); other roles see a banner.
 */
export async function Dashboard({ payload, user }: { payload: Payload; user?: TypedUser | null }) {
  if (!user) return null
  const req = await createLocalReq({ user: { ...user, collection: 'users' } as TypedUser }, payload)
  const tenant = await resolveTenant(req)
  if (tenant.organizationId == null) return null
  const org = await payload.findByID({ collection: 'organizations', id: tenant.organizationId, depth: 0, req, overrideAccess: false })
  const configured = org?.settings != null
  if (!configured && roleMayCall(tenant.role, 'organization.update')) redirect('/admin/setup')
  return (
    <>
      {!configured ? (
        <div className="dash-banner" role="status" data-testid="setup-pending">
          This organization’s program rules have not been set up yet; until an admin does, the defaults apply (10%, 30-day hold).
        </div>
      ) : null}
      <DashboardClient organizationName={String(org?.name ?? '')} />
    </>
  )
}
