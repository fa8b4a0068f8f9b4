import { flagDecisionEndpoint } from '../endpoints/ledger'
import { tenantCollection } from './tenant-collection'

/**
 * A review flag on a conversion (self-referral, employee, multiple codes, velocity). While a
 * flag is open the conversion's commission is held; a manager clears or rejects it with a reason.
 */
export const Flags = tenantCollection({
  slug: 'flags',
  auditEntity: 'flag',
  admin: {
    useAsTitle: 'rule',
    defaultColumns: ['rule', 'conversion', 'partner', 'status', 'createdAt'],
    group: 'Ledger',
  },
  endpoints: [flagDecisionEndpoint],
  fields: [
    { name: 'conversion', type: 'relationship', relationTo: 'conversions', required: true, index: true, maxDepth: 1 },
    { name: 'partner', type: 'relationship', relationTo: 'partners', index: true, maxDepth: 1 },
    {
      name: 'rule',
      type: 'select',
      required: true,
      options: ['self_referral_email', 'employee_partner', 'employee_domain', 'order_on_multiple_codes', 'velocity'].map((v) => ({
        label: v,
        value: v,
      })),
    },
    { name: 'evidence', type: 'json', admin: { components: { Field: '/src/components/ledger/ReadableJsonFields#EvidenceField' } } },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'open',
      index: true,
      options: ['open', 'cleared', 'rejected'].map((v) => ({ label: v, value: v })),
    },
    { name: 'decidedBy', type: 'relationship', relationTo: 'users', maxDepth: 0 },
    { name: 'decidedAt', type: 'date' },
    { name: 'reason', type: 'text' },
  ],
})
