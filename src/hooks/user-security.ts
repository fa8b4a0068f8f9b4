import type { CollectionAfterChangeHook, CollectionBeforeLoginHook, CollectionBeforeValidateHook } from 'payload'
import { APIError, ValidationError } from 'payload'

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

export const refuseDisabledLogin: CollectionBeforeLoginHook = ({ user }) => {
  if ((user as { disabled?: boolean }).disabled) {
    // Same status as a wrong password would give after lockout: no hint beyond "not allowed".
    throw new APIError('This account is disabled.', 401, undefined, true)
  }
  return user
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
