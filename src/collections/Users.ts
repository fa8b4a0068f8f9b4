import type { CollectionConfig, Where } from 'payload'
import { APIError, ValidationError } from 'payload'

import { organizationMemberIds } from '../access/members'
import { relationId, resolveTenant } from '../access/tenant'
import {
  auditLogin,
  auditLogout,
  auditUnlock,
  auditUserChange,
  auditUserRouteError,
  endUserSessions,
  limitDisableToOwnMembers,
  refuseDisabledLogin,
} from '../hooks/user-security'
import { switchOrganizationEndpoint, tenantInfoEndpoint } from '../endpoints/switch-organization'
import { ACCOUNT_FAILURES, ACCOUNT_LOCK_MS, clearLoginThrottle, recordLoginFailure, throttleLogin } from '../security/login-throttle'
import { enforcePasswordPolicy } from '../security/password-hook'
import { sessionCookieSettings } from '../security/session-cookie'

export { MIN_PASSWORD_LENGTH } from '../security/password-policy'

const cookie = sessionCookieSettings()

/**
 * People who log in. Users are not tenant rows (one person may work for several organizations);
 * what they may see and do comes from their memberships.
 */
export const Users: CollectionConfig = {
  slug: 'users',
  lockDocuments: false, // see tenant-collection.ts
  admin: { useAsTitle: 'email', defaultColumns: ['email', 'name', 'disabled'], group: 'Governance' },
  auth: {
    // The per-account cap across all clients (<= 80 failures an hour); one client is stopped
    // sooner, per account, by throttleLogin. docs/decisions/003-login-throttling.md
    maxLoginAttempts: ACCOUNT_FAILURES,
    lockTime: ACCOUNT_LOCK_MS,
    tokenExpiration: 8 * 60 * 60,
    useAPIKey: true,
    useSessions: true,
    // Behind https in production (`__Host-` name, Secure); plain http on localhost would drop a
    // Secure cookie. The name comes with `cookiePrefix` in payload.config.ts.
    cookies: { sameSite: cookie.sameSite, secure: cookie.secure },
    forgotPassword: {
      expiration: 60 * 60 * 1000,
      generateEmailSubject: () => 'Reset your Partner Ledger password',
    },
  },
  access: {
    // A user sees themselves and the members of their active organization; nobody else.
    read: async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.userId == null) return false
      if (t.organizationId == null) return { id: { equals: t.userId } }
      const ids = await organizationMemberIds(req, t.organizationId)
      return { id: { in: [...new Set([t.userId, ...ids])] } } satisfies Where
    },
    // Only admins create users, and through the invitation endpoint so a membership comes with them.
    create: async ({ req }) => (await resolveTenant(req)).role === 'admin',
    update: async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.userId == null) return false
      if (t.role !== 'admin' || t.organizationId == null) return { id: { equals: t.userId } }
      const ids = await organizationMemberIds(req, t.organizationId)
      return { id: { in: [...new Set([t.userId, ...ids])] } }
    },
    delete: () => false,
    // Payload's default lets any logged-in user unlock anyone, which turns the lockout into
    // unlimited guessing. Only an admin unlocks, and only members of their active organization.
    unlock: async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.role !== 'admin' || t.organizationId == null) return false
      return { id: { in: await organizationMemberIds(req, t.organizationId) } }
    },
  },
  hooks: {
    beforeOperation: [throttleLogin],
    beforeValidate: [enforcePasswordPolicy],
    beforeChange: [
      limitDisableToOwnMembers,
      // Credentials belong to their owner. An admin manages names and `disabled`, never another
      // person's password, email or API key: any admin who invited an existing person could
      // otherwise take over their account in every organization they belong to.
      async ({ data, req, originalDoc, operation }) => {
        if (operation !== 'update' || !originalDoc) return data
        const t = await resolveTenant(req)
        if (t.userId == null || t.userId === originalDoc.id) return data
        const emailChanged =
          typeof data.email === 'string' && data.email.trim().toLowerCase() !== String(originalDoc.email ?? '').toLowerCase()
        const settingKey = typeof data.apiKey === 'string' && data.apiKey !== ''
        if (data.password || emailChanged || settingKey) {
          throw new APIError('Only the account owner can change its password, email or API key.', 403, undefined, true)
        }
        return data
      },
      async ({ data, req, originalDoc, operation }) => {
        // The active organization must be one the user belongs to.
        if (data.activeOrganization != null && relationId(data.activeOrganization) !== relationId(originalDoc?.activeOrganization)) {
          const t = await resolveTenant(req)
          const target = relationId(data.activeOrganization)
          const isSelf = originalDoc && t.userId === originalDoc.id
          if (isSelf && !t.memberships.some((m) => m.organizationId === target)) {
            throw new ValidationError({ errors: [{ message: 'You are not a member of that organization.', path: 'activeOrganization' }] })
          }
          // An admin editing someone else may only pick one of that person's own organizations.
          if (
            operation === 'update' &&
            !isSelf &&
            originalDoc &&
            t.userId != null &&
            (target == null || !(await organizationMemberIds(req, target)).includes(originalDoc.id))
          ) {
            throw new ValidationError({
              errors: [{ message: 'That person is not a member of that organization.', path: 'activeOrganization' }],
            })
          }
        }
        return data
      },
    ],
    beforeLogin: [refuseDisabledLogin],
    afterLogin: [clearLoginThrottle, auditLogin],
    afterLogout: [auditLogout],
    afterOperation: [auditUnlock],
    afterError: [recordLoginFailure, auditUserRouteError],
    afterChange: [endUserSessions, auditUserChange],
  },
  endpoints: [switchOrganizationEndpoint, tenantInfoEndpoint],
  fields: [
    { name: 'name', type: 'text' },
    {
      name: 'activeOrganization',
      type: 'relationship',
      relationTo: 'organizations',
      maxDepth: 0,
      admin: { description: 'The organization you are working in. Switch it from the menu.' },
    },
    {
      name: 'disabled',
      type: 'checkbox',
      defaultValue: false,
      access: {
        update: async ({ req }) => (await resolveTenant(req)).role === 'admin',
      },
      admin: { description: 'A disabled user cannot log in and all their sessions end at once.' },
    },
  ],
}
