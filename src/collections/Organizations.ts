import type { CollectionConfig } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { roleMayCall } from '../access/roles'
import { resolveTenant } from '../access/tenant'
import { closeTenantTransaction, openTenantTransaction, setTenantSettings } from '../db/rls-transaction'
import { transactionDb } from '../db/session'
import { getSettingsEndpoint, putSettingsEndpoint } from '../endpoints/program'
import { auditRefusedRoute, diffDocs } from '../hooks/audit-changes'
import { parseProgramSettings } from '../ledger/settings'
import { writeAudit } from '../services/audit'

/**
 * A customer running an affiliate program: the boundary of every tenant row.
 * Any admin (or a brand-new user with no organization yet) can create one and becomes its admin.
 */
export const Organizations: CollectionConfig = {
  slug: 'organizations',
  lockDocuments: false, // see tenant-collection.ts
  admin: { useAsTitle: 'name', defaultColumns: ['name', 'slug', 'createdAt'], group: 'Governance' },
  access: {
    read: async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.userId == null && !t.system) return { id: { equals: -1 } }
      return { id: { in: t.memberships.map((m) => m.organizationId) } }
    },
    create: async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.userId == null) return false
      return t.memberships.length === 0 || t.memberships.some((m) => roleMayCall(m.role, 'organization.create'))
    },
    update: async ({ req }) => {
      const t = await resolveTenant(req)
      return roleMayCall(t.role, 'organization.update') && t.organizationId != null ? { id: { equals: t.organizationId } } : false
    },
    delete: () => false,
  },
  // The set-up interview saves through PUT /settings (validated, audited leaf by leaf).
  endpoints: [getSettingsEndpoint, putSettingsEndpoint],
  hooks: {
    beforeOperation: [openTenantTransaction],
    afterOperation: [closeTenantTransaction],
    afterError: [auditRefusedRoute],
    afterChange: [
      async ({ doc, previousDoc, operation, req }) => {
        const t = await resolveTenant(req)
        if (operation === 'create') {
          // Inside the creating transaction: make the creator its admin, under the new org's RLS context.
          await setTenantSettings(req, doc.id, t.userId)
          if (t.userId != null) {
            const db = await transactionDb(req)
            await db.execute(
              sql`insert into memberships (user_id, role, organization_id, updated_at, created_at) values (${t.userId}, 'admin', ${doc.id}, now(), now())`,
            )
            t.memberships.push({ organizationId: doc.id, role: 'admin' })
          }
        }
        await writeAudit(req, {
          action: operation === 'create' ? 'organization.created' : 'organization.updated',
          entityType: 'organization',
          entityId: doc.id,
          changes: diffDocs(operation === 'create' ? undefined : previousDoc, doc),
          organizationId: doc.id,
        })
        return doc
      },
    ],
  },
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'slug', type: 'text', required: true, unique: true, index: true },
    {
      // Lets the creating transaction read back the row it inserted (RLS applies to RETURNING).
      name: 'createdBy',
      type: 'relationship',
      relationTo: 'users',
      maxDepth: 0,
      admin: { readOnly: true, position: 'sidebar' },
      hooks: {
        beforeValidate: [
          async ({ operation, req, originalDoc }) => (operation === 'create' ? (await resolveTenant(req)).userId : originalDoc?.createdBy),
        ],
      },
    },
    {
      name: 'settings',
      type: 'json',
      admin: {
        description: 'Program rules (currency, hold days, rates, fraud switches). Changes are audited. Easier: the Program set-up view.',
        components: { Field: '/src/components/ledger/ReadableJsonFields#JsonTextField' },
      },
      // The same schema the ledger reads with: a setting it would refuse is refused here too.
      validate: (value: unknown) => {
        if (value == null) return true
        const parsed = parseProgramSettings(value)
        return parsed.ok || parsed.issues.map((i) => `${i.path || 'settings'}: ${i.message}`).join('; ')
      },
    },
  ],
}
