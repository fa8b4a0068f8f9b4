import { moneyField, tenantCollection } from './tenant-collection'

/** One payee's net amount in one currency within a batch, with the payee details it was approved with. */
export const BatchLines = tenantCollection({
  slug: 'batch-lines',
  auditEntity: 'batch_line',
  admin: {
    useAsTitle: 'partnerName',
    defaultColumns: ['batch', 'lineNo', 'partnerName', 'amountMinor', 'currency', 'status'],
    group: 'Payouts',
  },
  fields: [
    { name: 'batch', type: 'relationship', relationTo: 'batches', required: true, index: true, maxDepth: 0 },
    { name: 'lineNo', type: 'number', required: true },
    { name: 'partner', type: 'relationship', relationTo: 'partners', required: true, index: true, maxDepth: 0 },
    { name: 'partnerName', type: 'text', required: true },
    moneyField('amountMinor', { label: 'Amount' }),
    { name: 'currency', type: 'text', required: true, maxLength: 3 },
    { name: 'entryCount', type: 'number', required: true },
    { name: 'payee', type: 'json', admin: { description: 'Payout method and account as approved.' } },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'open',
      options: ['open', 'paid'].map((v) => ({ label: v, value: v })),
    },
    { name: 'paidAt', type: 'date' },
    { name: 'paymentReference', type: 'text' },
  ],
})
