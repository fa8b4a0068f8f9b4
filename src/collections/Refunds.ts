import { applyCreatedRefund, prepareRefund } from '../hooks/ledger-single-edit'
import { assignRefundEndpoint } from '../endpoints/ledger'
import { moneyField, tenantCollection } from './tenant-collection'

/**
 * A refund as reported by the shop. Matched ones point at their conversion and at the negative
 * ledger entry they caused; unmatched ones wait in the queue and are matched when the
 * conversion arrives later. Never dropped, never edited.
 */
export const Refunds = tenantCollection({
  slug: 'refunds',
  auditEntity: 'refund',
  admin: {
    useAsTitle: 'orderId',
    defaultColumns: ['orderId', 'code', 'amountMinor', 'refundedAt', 'status', 'conversion'],
    group: 'Ledger',
  },
  hooks: { beforeChange: [prepareRefund], afterChange: [applyCreatedRefund] },
  endpoints: [assignRefundEndpoint],
  fields: [
    { name: 'orderId', type: 'text', required: true, index: true },
    { name: 'code', type: 'text', admin: { description: 'Canonical code, when the refund names one.' } },
    moneyField('amountMinor', { label: 'Amount', required: false, admin: { description: 'Blank: a full refund.' } }),
    { name: 'currency', type: 'text', maxLength: 3 },
    { name: 'refundedAt', type: 'date', required: true, index: true },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'unmatched',
      options: ['matched', 'unmatched', 'ambiguous', 'rejected'].map((v) => ({ label: v, value: v })),
    },
    { name: 'conversion', type: 'relationship', relationTo: 'conversions', index: true, maxDepth: 1 },
    moneyField('appliedMinor', { label: 'Applied', required: false }),
    { name: 'note', type: 'text', admin: { readOnly: true, description: 'Why it is unmatched or rejected.' } },
    { name: 'import', type: 'relationship', relationTo: 'imports', maxDepth: 0, admin: { readOnly: true, position: 'sidebar' } },
    {
      name: 'explanation',
      type: 'json',
      admin: { readOnly: true, components: { Field: '/src/components/ledger/ReadableJsonFields#ExplanationField' } },
    },
  ],
})
