import { moneyField, tenantCollection } from './tenant-collection'

/** A payout batch. Once approved, the database refuses any change to it. */
export const Batches = tenantCollection({
  slug: 'batches',
  auditEntity: 'batch',
  admin: { useAsTitle: 'reference', defaultColumns: ['reference', 'status', 'asOf', 'totalMinor', 'currency'], group: 'Payouts' },
  fields: [
    { name: 'reference', type: 'text', required: true },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'draft',
      options: ['draft', 'submitted', 'approved', 'exported', 'paid', 'rejected', 'discarded'].map((v) => ({ label: v, value: v })),
    },
    { name: 'asOf', type: 'date', required: true },
    moneyField('totalMinor', { label: 'Total', defaultValue: 0 }),
    { name: 'currency', type: 'text', maxLength: 3 },
    { name: 'preparedBy', type: 'relationship', relationTo: 'users', maxDepth: 0 },
    { name: 'approvedBy', type: 'relationship', relationTo: 'users', maxDepth: 0 },
    { name: 'contentHash', type: 'text' },
  ],
})
