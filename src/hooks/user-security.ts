import type {
  CollectionAfterChangeHook,
  CollectionAfterErrorHook,
  CollectionAfterLoginHook,
  CollectionAfterLogoutHook,
  CollectionAfterOperationHook,
  CollectionBeforeChangeHook,
  CollectionBeforeLoginHook,
  PayloadRequest,
} from 'payload'
import { APIError, AuthenticationError } from 'payload'

import { forgetTenant, relationId, resolveTenant } from '../access/tenant'
import { scopedRows } from '../db/scoped-query'
import { inTenantTransaction } from '../db/transaction'
import { writeAudit } from '../services/audit'
import { auditRefusedRoute, diffDocs } from './audit-changes'

export const refuseDisabledLogin: CollectionBeforeLoginHook = ({ req, user }) => {
  if ((user as { disabled?: boolean }).disabled) {
    // Exactly what a wrong password gets, so the answer does not confirm the password.
    throw new AuthenticationError(req.t)
  }
  return user
}

/**
 * `disabled` locks a person out of every organization, so an admin may set it only on people
 * whose every membership is in an organization that admin administers.
 */
export const limitDisableToOwnMembers: CollectionBeforeChangeHook = async ({ data, originalDoc, operation, req }) => {
  if (operation !== 'update' || !originalDoc || data.disabled === undefined || Boolean(data.disabled) === Boolean(originalDoc.disabled))
    return data
  const t = await resolveTenant(req)
  if (t.userId === originalDoc.id) {
    throw new APIError('You cannot disable or enable your own account.', 403, undefined, true)
  }
  const theirs = await scopedRows<{ organization_id: number }>(
    req,
    { userId: originalDoc.id },
    {
      text: 'select organization_id from memberships where user_id = $1',
      values: [originalDoc.id],
    },
  )
  const administered = new Set(t.memberships.filter((m) => m.role === 'admin').map((m) => m.organizationId))
  if (theirs.some((m) => !administered.has(m.organization_id))) {
    throw new APIError(
      'This person also belongs to organizations you do not administer; ask their admins, or remove their membership here instead.',
      403,
      undefined,
      true,
    )
  }
  return data
}

/** Changes to people (name, disabled, active organization, password) are audited in the actor's organization. */
export const auditUserChange: CollectionAfterChangeHook = async ({ doc, previousDoc, operation, req }) => {
  const t = await resolveTenant(req)
  const organizationId = t.organizationId ?? relationId(doc.activeOrganization)
  if (organizationId == null) return doc
  const changes: Record<string, unknown> = diffDocs(operation === 'create' ? undefined : previousDoc, doc)
  delete changes.activeOrganization // switching is routine navigation, not a change to the person
  if ((req.data as { password?: unknown } | undefined)?.password) changes.password = 'changed'
  if (Object.keys(changes).length === 0) return doc
  await writeAudit(req, {
    action: `user.${operation === 'create' ? 'created' : 'updated'}`,
    entityType: 'user',
    entityId: doc.id,
    changes,
    organizationId,
  })
  return doc
}

/**
 * Disabling a user ends every session of theirs on the server, not just in their browser,
 * and revokes their API key (Payload's API-key strategy does not look at `disabled`).
 */
export const endUserSessions: CollectionAfterChangeHook = async ({ doc, previousDoc, req }) => {
  if (doc.disabled && !previousDoc?.disabled) {
    await req.payload.db.updateOne({
      collection: 'users',
      id: doc.id,
      data: { sessions: [] },
      req,
    })
    // A separate write: mixed with the sessions array, the adapter would upsert a partial row.
    await req.payload.db.updateOne({
      collection: 'users',
      id: doc.id,
      data: { enableAPIKey: false, apiKey: null, apiKeyIndex: null },
      req,
    })
  }
  return doc
}

/**
 * Authentication events (checklist row 30): each is recorded in the person's active organization
 * (their first one if none is active). A login has no session yet, so the tenant is resolved for
 * the user the login names; a failed one keeps no actor (nobody was authenticated).
 */
async function auditAuth(
  req: PayloadRequest,
  user: { id: number | string; activeOrganization?: unknown },
  opts: { action: string; actor: boolean; changes?: Record<string, unknown> },
) {
  const saved = req.user
  req.user = { ...user, collection: 'users' } as PayloadRequest['user']
  forgetTenant(req)
  try {
    const t = await resolveTenant(req)
    if (t.organizationId == null) return
    if (!opts.actor) req.user = saved
    await inTenantTransaction(req, () =>
      writeAudit(req, { action: opts.action, entityType: 'user', entityId: user.id, changes: opts.changes ?? null }),
    )
  } finally {
    req.user = saved
    forgetTenant(req)
  }
}

const path = (req: PayloadRequest) => new URL(req.url ?? 'http://localhost').pathname

/** A login, or the login a password reset ends with (one event: the reset). */
export const auditLogin: CollectionAfterLoginHook = async ({ req, user }) => {
  const reset = path(req).endsWith('/reset-password')
  await auditAuth(req, user, { action: reset ? 'auth.password_reset' : 'auth.login', actor: true })
  return user
}

export const auditLogout: CollectionAfterLogoutHook = async ({ req }) => {
  const user = req.user as { id: number; activeOrganization?: unknown } | null
  if (user) await auditAuth(req, user, { action: 'auth.logout', actor: true })
}

/** An admin lifting a lockout (Payload writes it without the change hooks). */
export const auditUnlock: CollectionAfterOperationHook = async ({ operation, req, args, result }) => {
  if (operation !== 'unlock') return result
  const email = String((args as { data?: { email?: unknown } }).data?.email ?? '')
  const t = await resolveTenant(req)
  const unlocked = await scopedRows<{ id: number }>(
    req,
    { userId: t.userId },
    {
      text: 'select id from users where lower(email) = lower($1)',
      values: [email],
    },
  )
  if (t.organizationId != null && unlocked[0]) {
    await inTenantTransaction(req, () =>
      writeAudit(req, { action: 'auth.unlocked', entityType: 'user', entityId: unlocked[0]!.id, changes: { email } }),
    )
  }
  return result
}

/**
 * A refused login of a known person (wrong password, locked, disabled) is recorded in their
 * organization with no actor. An unknown address has no organization to hold it: the log keeps it.
 */
export const auditUserRouteError: CollectionAfterErrorHook = async (args) => {
  const { error, req } = args
  const status = (error as { status?: number }).status
  if (path(req).endsWith('/login') && (status === 401 || status === 423)) {
    const email = typeof req.data?.email === 'string' ? req.data.email : ''
    if (!email) return
    const found = await req.payload.db.findOne({ collection: 'users', where: { email: { equals: email.trim().toLowerCase() } }, req })
    if (found) {
      await auditAuth(req, found as { id: number; activeOrganization?: unknown }, {
        action: 'auth.login_failed',
        actor: false,
        changes: { reason: status === 423 ? 'locked' : 'rejected' },
      })
    }
    return
  }
  return auditRefusedRoute(args)
}
