import { tenantCollection } from './tenant-collection'

/** Mail that would have been sent, kept when no SMTP server is configured (local and demo use). */
export const Outbox = tenantCollection({
  slug: 'outbox',
  auditEntity: 'outbox',
  labels: { singular: 'Outbox mail', plural: 'Outbox' },
  admin: { useAsTitle: 'subject', defaultColumns: ['recipient', 'subject', 'createdAt'], group: 'Governance' },
  defaultSort: '-createdAt',
  fields: [
    { name: 'recipient', type: 'text', required: true },
    { name: 'sender', type: 'text' },
    { name: 'subject', type: 'text', required: true },
    { name: 'bodyText', type: 'textarea' },
    { name: 'bodyHtml', type: 'textarea' },
  ],
})
