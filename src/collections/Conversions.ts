import { accrueCreatedConversion, prepareConversion } from '../hooks/ledger-single-edit'
import { assignConversionsEndpoint, unattributedQueueEndpoint } from '../endpoints/ledger'
import { moneyField, tenantCollection } from './tenant-collection'

/** An order that came in under a code. Unattributed ones wait in a queue; none is dropped. */
export const Conversions = tenantCollection({
  slug: 'conversions',
  auditEntity: 'conversion',
  admin: {
    useAsTitle: 'orderId',
    defaultColumns: ['orderId', 'code', 'partner', 'valueMinor', 'currency', 'occurredAt', 'status'],
    group: 'Ledger',
  },
  hooks: { beforeChange: [prepareConversion], afterChange: [accrueCreatedConversion] },
  endpoints: [unattributedQueueEndpoint, assignConversionsEndpoint],
  fields: [
    { name: 'code', type: 'text', required: true, index: true },
    { name: 'orderId', type: 'text', required: true, index: true },
    { name: 'partner', type: 'relationship', relationTo: 'partners', index: true, maxDepth: 1 },
    moneyField('valueMinor', { label: 'Value' }),
    { name: 'currency', type: 'text', required: true, maxLength: 3 },
    { name: 'occurredAt', type: 'date', required: true, index: true },
    { name: 'customerEmail', type: 'email' },
    { name: 'customerName', type: 'text' },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'attributed',
      options: ['attributed', 'unattributed'].map((v) => ({ label: v, value: v })),
    },
    moneyField('refundedMinor', { label: 'Refunded', defaultValue: 0 }),
    { name: 'import', type: 'relationship', relationTo: 'imports', maxDepth: 0, admin: { readOnly: true, position: 'sidebar' } },
    // Display only (no column): the entries, refunds and flags of this conversion, read over REST.
    { name: 'ledger', type: 'ui', admin: { components: { Field: '/src/components/ledger/ConversionLedger#ConversionLedger' } } },
  ],
})
