import type { Endpoint } from 'payload'

import { roleMayCall } from '../access/roles'
import { resolveTenant } from '../access/tenant'
import { databasePool } from '../db/session'
import { verifyOrganizationChain } from '../services/verify-audit-chain'
import { errorResponse } from './http'

/** GET /api/audit-events/verify: checks the active organization's hash chain, names the first broken link. */
export const verifyAuditEndpoint: Endpoint = {
  path: '/verify',
  method: 'get',
  handler: async (req) => {
    const t = await resolveTenant(req)
    if (t.userId == null) return errorResponse(401, 'not_authenticated', 'Log in first.')
    if (t.organizationId == null || !roleMayCall(t.role, 'audit.verify')) {
      return errorResponse(403, 'forbidden', 'Only admins and auditors verify the audit trail.')
    }
    const pool = databasePool(req.payload)
    const verdict = await verifyOrganizationChain(pool, t.organizationId)
    return Response.json({ organizationId: t.organizationId, ...verdict })
  },
}
