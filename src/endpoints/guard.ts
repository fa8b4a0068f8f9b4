import type { PayloadRequest } from 'payload'

import { roleAllows, roleMayCall, type CrudAction, type FunctionName, type TenantCollection } from '../access/roles'
import { requestedOrganization, resolveTenant, type TenantContext } from '../access/tenant'
import { inTenantTransaction } from '../db/transaction'
import { writeAudit } from '../services/audit'
import { errorResponse } from './http'

/** `member`: any logged-in user, for endpoints about the user's own organizations. */
export type Permission = { fn: FunctionName } | { collection: TenantCollection; action: CrudAction } | { member: true }

export type Authorized<T = TenantContext & { organizationId: number; userId: number }> =
  { ok: true; tenant: T } | { ok: false; response: Response }

/**
 * The one gate of a custom endpoint, in the order the route matrix asserts:
 * 401 without a session; 404 when x-organization-id names an organization the user is not a
 * member of (the same answer as one that does not exist, so ids reveal nothing); 403 when the
 * role table denies it, recorded as an `authz.denied` audit event (checklist row 30).
 */
export async function authorize(req: PayloadRequest, need: { member: true }): Promise<Authorized<TenantContext & { userId: number }>>
export async function authorize(
  req: PayloadRequest,
  need: Exclude<Permission, { member: true }>,
  deniedMessage: string,
): Promise<Authorized>
export async function authorize(
  req: PayloadRequest,
  need: Permission,
  deniedMessage = 'Not allowed.',
): Promise<Authorized | Authorized<TenantContext & { userId: number }>> {
  const t = await resolveTenant(req)
  if (t.userId == null) return { ok: false, response: errorResponse(401, 'not_authenticated', 'Log in first.') }
  const named = requestedOrganization(req)
  if (named != null && !t.memberships.some((m) => m.organizationId === named)) {
    return { ok: false, response: errorResponse(404, 'organization_not_found', 'No organization with that id among yours.') }
  }
  if ('member' in need) return { ok: true, tenant: { ...t, userId: t.userId } }
  const allowed = 'fn' in need ? roleMayCall(t.role, need.fn) : roleAllows(t.role, need.collection, need.action)
  if (t.organizationId == null || !allowed) {
    if (t.organizationId != null) await auditDenied(req, 'fn' in need ? need.fn : `${need.collection}.${need.action}`)
    return { ok: false, response: errorResponse(403, 'forbidden', deniedMessage) }
  }
  return { ok: true, tenant: { ...t, organizationId: t.organizationId, userId: t.userId } }
}

/** One `authz.denied` event in the acting organization, in a transaction of its own (the refused work has none). */
export async function auditDenied(req: PayloadRequest, needs: string) {
  const t = await resolveTenant(req)
  if (t.organizationId == null) return
  const url = new URL(req.url ?? 'http://localhost')
  const route = `${req.method ?? 'GET'} ${url.pathname}`
  try {
    await inTenantTransaction(req, () =>
      writeAudit(req, {
        action: 'authz.denied',
        entityType: 'endpoint',
        entityId: route,
        changes: { role: t.role, needs },
      }),
    )
  } catch (err) {
    // The refusal stands even if it could not be recorded; the log says so.
    req.payload.logger.error({ err, msg: `could not audit the refused ${route}` })
  }
}
