import type { Endpoint } from 'payload'
import { z } from 'zod'

import { authorize } from './guard'
import { errorResponse, readJson } from './http'

/**
 * POST /api/users/switch-organization {organizationId}: makes another of the user's
 * organizations the active one for their session (admin UI and cookie-based API use).
 */
export const switchOrganizationEndpoint: Endpoint = {
  path: '/switch-organization',
  method: 'post',
  handler: async (req) => {
    const auth = await authorize(req, { member: true })
    if (!auth.ok) return auth.response
    const t = auth.tenant
    const body = await readJson(req, z.object({ organizationId: z.coerce.number().int().positive() }))
    if (!body.ok) return body.response
    const target = body.value.organizationId
    // Not a member: the same answer as a missing organization, so ids reveal nothing.
    if (!t.memberships.some((m) => m.organizationId === target)) {
      return errorResponse(404, 'organization_not_found', 'No organization with that id among yours.')
    }
    await req.payload.update({ collection: 'users', id: t.userId, data: { activeOrganization: target }, req, overrideAccess: false })
    return Response.json({ organizationId: target })
  },
}

/** GET /api/users/tenant: the caller's active organization, role there, and all memberships (for the admin UI). */
export const tenantInfoEndpoint: Endpoint = {
  path: '/tenant',
  method: 'get',
  handler: async (req) => {
    const auth = await authorize(req, { member: true })
    if (!auth.ok) return auth.response
    const t = auth.tenant
    return Response.json({ organizationId: t.organizationId, role: t.role, memberships: t.memberships })
  },
}
