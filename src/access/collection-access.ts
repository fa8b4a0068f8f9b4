import type { Access, CollectionConfig, Where } from 'payload'

import { roleAllows, type TenantCollection } from './roles'
import { resolveTenant } from './tenant'

/** Matches no row: read access never returns `false`, so a read always reaches afterOperation and its transaction is closed. */
const NOTHING: Where = { id: { equals: -1 } }

/**
 * Access for a tenant collection, straight from the role table: rows of the active organization,
 * for roles the table lists. Foreign rows are simply not found (404, never 403 with data).
 */
export function tenantAccess(collection: TenantCollection): NonNullable<CollectionConfig['access']> {
  const scoped =
    (action: 'read' | 'update' | 'delete'): Access =>
    async ({ req }) => {
      const t = await resolveTenant(req)
      if (t.organizationId == null || !roleAllows(t.role, collection, action)) return action === 'read' ? NOTHING : false
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
