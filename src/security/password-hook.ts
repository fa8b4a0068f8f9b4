import type { CollectionBeforeValidateHook } from 'payload'
import { ValidationError } from 'payload'

import { emailWords, passwordProblem } from './password-policy'

/**
 * Every way a password is set (create, PATCH, reset-password, first user) passes here. Payload's
 * own check allows 3 characters; reset-password calls this hook without the new password in
 * `data`, so the request body is checked too.
 */
export const enforcePasswordPolicy: CollectionBeforeValidateHook = ({ data, originalDoc, req }) => {
  const fromBody = (req.data as { password?: unknown } | undefined)?.password
  const candidate: unknown = data?.password ?? fromBody
  if (typeof candidate !== 'string' || candidate === '') return data
  const email = (data as { email?: unknown } | undefined)?.email ?? (originalDoc as { email?: unknown } | undefined)?.email
  const problem = passwordProblem(candidate, emailWords(email))
  if (problem) throw new ValidationError({ errors: [{ message: problem, path: 'password' }] })
  return data
}
