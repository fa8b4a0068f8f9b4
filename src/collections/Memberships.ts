import { tenantCollection } from './tenant-collection'
import { ROLES } from '../access/roles'

/** A user's role in one organization. A user may hold memberships in several organizations. */
export const Memberships = tenantCollection({
  slug: 'memberships',
  auditEntity: 'membership',
  admin: {
    useAsTitle: 'role',
    defaultColumns: ['user', 'role', 'createdAt'],
    group: 'Governance',
    components: { beforeListTable: ['/src/components/InviteMember#InviteMember'] },
  },
  fields: [
    { name: 'user', type: 'relationship', relationTo: 'users', required: true, index: true, maxDepth: 1 },
    { name: 'role', type: 'select', required: true, options: ROLES.map((r) => ({ label: r, value: r })) },
  ],
})
