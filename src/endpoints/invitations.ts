import { randomBytes } from 'node:crypto'
import type { Endpoint } from 'payload'
import { z } from 'zod'

import { ROLES } from '../access/roles'
import { inTenantTransaction } from '../db/transaction'
import { underNamedEvent, writeAudit } from '../services/audit'
import { authorize } from './guard'
import { errorResponse, readJson } from './http'

const InviteBody = z.object({
  email: z.email().transform((e) => e.toLowerCase()),
  role: z.enum(ROLES),
  name: z.string().max(200).optional(),
})

/**
 * POST /api/invitations {email, role, name?}: an admin adds a person to the active organization.
 * A new person gets an account with an unusable random password and an email with a link to
 * choose their own (Payload's reset-password flow); there is no public sign-up.
 */
export const invitationsEndpoint: Endpoint = {
  path: '/invitations',
  method: 'post',
  handler: async (req) => {
    const auth = await authorize(req, { fn: 'membership.invite' }, 'Only admins invite people.')
    if (!auth.ok) return auth.response
    const t = auth.tenant
    const body = await readJson(req, InviteBody)
    if (!body.ok) return body.response
    const { email, role, name } = body.value
    const organizationId = t.organizationId

    const outcome = await inTenantTransaction(req, async () => {
      const existing = await req.payload.find({
        collection: 'users',
        where: { email: { equals: email } },
        overrideAccess: true,
        req,
        limit: 1,
        depth: 0,
      })
      let user = existing.docs[0]
      const isNew = !user
      if (!user) {
        user = await req.payload.create({
          collection: 'users',
          overrideAccess: true,
          req,
          data: { email, name, password: randomBytes(24).toString('base64url'), activeOrganization: organizationId },
        })
      }
      const already = await req.payload.find({
        collection: 'memberships',
        where: { user: { equals: user.id } },
        req,
        limit: 1,
        depth: 0,
        overrideAccess: false,
      })
      if (already.docs.length > 0) return { kind: 'already_member' as const }
      const membership = await underNamedEvent(req, () =>
        req.payload.create({
          collection: 'memberships',
          data: { user: user.id, role, organization: organizationId },
          req,
          overrideAccess: false,
        }),
      )
      await writeAudit(req, {
        action: 'membership.invited',
        entityType: 'membership',
        entityId: membership.id,
        changes: { user: user.id, email, role, newUser: isNew },
      })
      return { kind: 'invited' as const, userId: user.id, membershipId: membership.id, isNew }
    })
    if (outcome.kind === 'already_member') {
      return errorResponse(409, 'already_member', `${email} is already a member of this organization.`)
    }

    const token = outcome.isNew ? await req.payload.forgotPassword({ collection: 'users', data: { email }, disableEmail: true, req }) : null
    const base = process.env.PUBLIC_URL ?? req.payload.config.serverURL ?? ''
    const link = token ? `${base}/admin/reset/${token}` : `${base}/admin`
    await req.payload.sendEmail({
      to: email,
      subject: 'You have been invited to Partner Ledger',
      text: `You were added as ${role}. ${token ? 'Choose your password here' : 'Log in here'}: ${link}`,
      organizationId,
    } as Parameters<typeof req.payload.sendEmail>[0])
    return Response.json({ userId: outcome.userId, membershipId: outcome.membershipId, role, newUser: outcome.isNew }, { status: 201 })
  },
}
