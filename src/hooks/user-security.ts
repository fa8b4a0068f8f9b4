import type {
  CollectionAfterChangeHook,
  CollectionBeforeChangeHook,
  CollectionBeforeLoginHook,
  CollectionBeforeValidateHook,
} from 'payload'
import { APIError, AuthenticationError, ValidationError } from 'payload'

import { relationId, resolveTenant } from '../access/tenant'
import { scopedRows } from '../db/scoped-query'
import { writeAudit } from '../services/audit'
import { diffDocs } from './audit-changes'

const MIN_PASSWORD_LENGTH = 12

/**
 * Payload's own password check allows 3 characters. Reset-password calls this hook without the
 * new password in `data`, so the request body is checked too.
 */
export const requireStrongPassword: CollectionBeforeValidateHook = ({ data, req }) => {
  const fromBody = (req.data as { password?: unknown } | undefined)?.password
  const candidate = data?.password ?? fromBody
  if (typeof candidate === 'string' && candidate.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError({
      errors: [{ message: `Passwords need at least ${MIN_PASSWORD_LENGTH} characters.`, path: 'password' }],
    })
  }
  return data
}

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
