import { tenantCollection } from './tenant-collection'

/** Every AP file handed out: which batch, which format, the exact bytes' SHA-256, and who took it. */
export const PayoutExports = tenantCollection({
  slug: 'payout-exports',
  auditEntity: 'payout_export',
  admin: {
    useAsTitle: 'fileName',
    defaultColumns: ['fileName', 'batch', 'format', 'createdBy', 'createdAt'],
    group: 'Payouts',
  },
  fields: [
    { name: 'batch', type: 'relationship', relationTo: 'batches', required: true, index: true, maxDepth: 0 },
    { name: 'format', type: 'text', required: true },
    { name: 'fileName', type: 'text', required: true },
    { name: 'sha256', type: 'text', required: true },
    { name: 'totals', type: 'json' },
    { name: 'files', type: 'json', admin: { description: 'Each file in the download (split by currency or row limit) with its SHA-256.' } },
    { name: 'createdBy', type: 'relationship', relationTo: 'users', maxDepth: 0, admin: { readOnly: true } },
  ],
})
