import type { Endpoint } from 'payload'

import { databasePool } from '../db/session'
import { verifyOrganizationChain } from '../services/verify-audit-chain'
import { authorize } from './guard'

/** GET /api/audit-events/verify: checks the active organization's hash chain, names the first broken link. */
export const verifyAuditEndpoint: Endpoint = {
  path: '/verify',
  method: 'get',
  handler: async (req) => {
    const auth = await authorize(req, { fn: 'audit.verify' }, 'Only admins and auditors verify the audit trail.')
    if (!auth.ok) return auth.response
    const t = auth.tenant
    const pool = databasePool(req.payload)
    const verdict = await verifyOrganizationChain(pool, t.organizationId)
    return Response.json({ organizationId: t.organizationId, ...verdict })
  },
}
