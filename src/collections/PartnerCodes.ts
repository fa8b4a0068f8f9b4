import { tenantCollection } from './tenant-collection'

/**
 * Codes and links (aliases) that attribute orders to a partner, stored in canonical form.
 * The database keeps each canonical code unique within an organization.
 */
export const PartnerCodes = tenantCollection({
  slug: 'partner-codes',
  auditEntity: 'partner_code',
  admin: { useAsTitle: 'code', defaultColumns: ['code', 'partner', 'createdAt'], group: 'Program' },
  fields: [
    { name: 'code', type: 'text', required: true, index: true },
    { name: 'partner', type: 'relationship', relationTo: 'partners', required: true, index: true, maxDepth: 1 },
  ],
})
