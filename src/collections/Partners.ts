import { tenantCollection } from './tenant-collection'

/** A person or company paid commission for the orders their codes bring in. */
export const Partners = tenantCollection({
  slug: 'partners',
  auditEntity: 'partner',
  admin: { useAsTitle: 'name', defaultColumns: ['name', 'email', 'status', 'payoutMethod'], group: 'Program' },
  fields: [
    { name: 'name', type: 'text', required: true, index: true },
    { name: 'email', type: 'email' },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'active',
      options: ['active', 'inactive'].map((v) => ({ label: v, value: v })),
    },
    { name: 'employee', type: 'checkbox', defaultValue: false, admin: { description: 'Employees are flagged and held for review.' } },
    {
      name: 'payoutMethod',
      type: 'select',
      options: ['paypal', 'wise', 'bank', 'other'].map((v) => ({ label: v, value: v })),
    },
    { name: 'payoutEmail', type: 'email' },
    { name: 'currency', type: 'text', defaultValue: 'USD', maxLength: 3 },
  ],
})
