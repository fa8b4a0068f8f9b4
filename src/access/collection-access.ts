import type { Access, CollectionConfig } from 'payload'

import { roleAllows, type TenantCollection } from './roles'
import { resolveTenant } from './tenant'

/**
 * Access for a tenant collection, straight from the role table: rows of the active organization,
 * for roles the table lists. A role the table denies gets 403; a foreign row is simply not found (404).
 */
export function tenantAccess(collection: TenantCollection): NonNullable<CollectionConfig['access']> {
  const scoped =
    (action: 'read' | 'update' | 'delete'): Access =>
    async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.organizationId == null || !roleAllows(t.role, collection, action)) return false
      return { organization: { equals: t.organizationId } }
    }
  return {
    read: scoped('read'),
    update: scoped('update'),
    delete: scoped('delete'),
    create: async ({ req }) => {
      const t = await resolveTenant(req)
      return t.organizationId != null && roleAllows(t.role, collection, 'create')
    },
  }
}
