import { moneyField, tenantCollection } from './tenant-collection'

/**
 * The append-only commission ledger. Corrections are new entries (reversal, clawback,
 * adjustment, write-off); the database refuses edits of amount, partner, conversion and kind.
 */
export const Commissions = tenantCollection({
  slug: 'commissions',
  auditEntity: 'commission',
  admin: {
    useAsTitle: 'kind',
    defaultColumns: ['partner', 'conversion', 'kind', 'amountMinor', 'currency', 'status', 'eligibleAt'],
    group: 'Ledger',
  },
  fields: [
    { name: 'partner', type: 'relationship', relationTo: 'partners', required: true, index: true, maxDepth: 1 },
    { name: 'conversion', type: 'relationship', relationTo: 'conversions', index: true, maxDepth: 1 },
    {
      name: 'kind',
      type: 'select',
      required: true,
      options: ['accrual', 'reversal', 'clawback', 'adjustment', 'write_off'].map((v) => ({ label: v, value: v })),
    },
    moneyField('amountMinor', { label: 'Amount' }),
    { name: 'currency', type: 'text', required: true, maxLength: 3 },
    { name: 'eligibleAt', type: 'date', required: true, index: true },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'pending',
      options: ['pending', 'eligible', 'held', 'in_batch', 'paid'].map((v) => ({ label: v, value: v })),
    },
    { name: 'batch', type: 'relationship', relationTo: 'batches', index: true, maxDepth: 0 },
    { name: 'explanation', type: 'json' },
  ],
})
