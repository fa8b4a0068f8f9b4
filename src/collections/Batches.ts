import { batchEndpoints } from '../endpoints/batches'
import { tenantCollection } from './tenant-collection'

const user = (name: string) => ({
  name,
  type: 'relationship' as const,
  relationTo: 'users' as const,
  maxDepth: 0,
  admin: { readOnly: true },
})

/**
 * A payout batch. Every state change goes through the batch endpoints and the one state machine
 * in src/ledger/approval.ts; once approved, the database refuses any change to the batch's
 * content (its lines and their entries included), only the export and payment facts move.
 */
export const Batches = tenantCollection({
  slug: 'batches',
  auditEntity: 'batch',
  admin: {
    useAsTitle: 'reference',
    defaultColumns: ['reference', 'status', 'asOf', 'lineCount', 'totals', 'preparedBy'],
    group: 'Payouts',
    components: {
      beforeListTable: ['/src/components/BatchDraftButton#BatchDraftButton'],
    },
  },
  endpoints: batchEndpoints,
  fields: [
    {
      name: 'reference',
      type: 'text',
      required: true,
      admin: { components: { Cell: '/src/components/BatchReferenceCell#BatchReferenceCell' } },
    },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'draft',
      options: ['draft', 'submitted', 'approved', 'exported', 'paid', 'rejected', 'discarded'].map((v) => ({ label: v, value: v })),
    },
    { name: 'asOf', type: 'date', required: true },
    { name: 'totals', type: 'json', admin: { description: 'Total per currency, in minor units.' } },
    { name: 'lineCount', type: 'number', defaultValue: 0 },
    { name: 'carried', type: 'json', admin: { description: 'Partners left out and carried forward, with the reason.' } },
    { name: 'blocked', type: 'json', admin: { description: 'Partners left out for unusable payout details, with the reason.' } },
    user('preparedBy'),
    user('submittedBy'),
    { name: 'submittedAt', type: 'date' },
    { name: 'contentHash', type: 'text', admin: { description: 'SHA-256 of lines, amounts and payee details, fixed at submission.' } },
    { name: 'approvals', type: 'json', admin: { description: 'Who approved, when, and the content hash each approval saw.' } },
    user('approvedBy'),
    { name: 'approvedAt', type: 'date' },
    user('rejectedBy'),
    { name: 'rejectionReason', type: 'text' },
    { name: 'exportedAt', type: 'date' },
    { name: 'paidAt', type: 'date' },
    { name: 'paymentReference', type: 'text' },
  ],
})
