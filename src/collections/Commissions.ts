import { adjustmentEndpoint, negativeBalancesEndpoint, writeOffEndpoint } from '../endpoints/ledger'
import { moneyField, tenantCollection } from './tenant-collection'

/**
 * The append-only commission ledger. Corrections are new entries (reversal, clawback,
 * adjustment, write-off); the database refuses edits of amount, partner, conversion and kind.
 * Status moves (pending -> eligible -> in_batch -> paid, or held while a flag is open) without
 * touching the amount.
 */
export const Commissions = tenantCollection({
  slug: 'commissions',
  auditEntity: 'commission',
  admin: {
    useAsTitle: 'kind',
    defaultColumns: ['partner', 'conversion', 'kind', 'amountMinor', 'currency', 'status', 'eligibleAt'],
    group: 'Ledger',
  },
  endpoints: [adjustmentEndpoint, writeOffEndpoint, negativeBalancesEndpoint],
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
    { name: 'refund', type: 'relationship', relationTo: 'refunds', maxDepth: 0 },
    { name: 'reason', type: 'text', admin: { description: 'Why a manual entry (adjustment, write-off, rejected flag) was posted.' } },
    { name: 'createdBy', type: 'relationship', relationTo: 'users', maxDepth: 0, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'paidAt', type: 'date' },
    { name: 'paymentReference', type: 'text' },
    { name: 'explanation', type: 'json', admin: { components: { Field: '/src/components/ledger/ReadableJsonFields#ExplanationField' } } },
  ],
})
