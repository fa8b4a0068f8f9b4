import type { CollectionBeforeOperationHook, CollectionConfig } from 'payload'

import { tenantAccess } from '../access/collection-access'
import { resolveTenant } from '../access/tenant'
import { closeTenantTransaction, openTenantTransaction, setTenantSettings } from '../db/rls-transaction'
import { exportAuditEndpoint } from '../endpoints/export-audit'
import { verifyAuditEndpoint } from '../endpoints/verify-audit'
import { auditRefusedRoute } from '../hooks/audit-changes'
import { linkAuditEvent } from '../hooks/audit-chain-link'

/**
 * Server-side writers (overrideAccess) may audit into an organization other than the active one,
 * e.g. the organization just created; RLS then checks the row against that organization.
 */
const openAuditTransaction = (async (hookArgs: Parameters<CollectionBeforeOperationHook>[0]) => {
  const args = await openTenantTransaction(hookArgs)
  const data = (hookArgs.args as { data?: { organization?: unknown } }).data
  if (hookArgs.operation === 'create' && hookArgs.args.overrideAccess && data?.organization) {
    const tenant = await resolveTenant(hookArgs.req)
    await setTenantSettings(hookArgs.req, Number(data.organization), tenant.userId)
  }
  return args
}) as CollectionBeforeOperationHook

/**
 * Append-only, hash-chained record of who did what. Only the server writes it (writeAudit);
 * the database refuses UPDATE, DELETE and TRUNCATE (migration trigger + grants).
 */
export const AuditEvents: CollectionConfig = {
  slug: 'audit-events',
  labels: { singular: 'Audit event', plural: 'Audit trail' },
  lockDocuments: false, // see tenant-collection.ts
  admin: {
    useAsTitle: 'action',
    defaultColumns: ['occurredAt', 'actorLabel', 'action', 'entityType', 'entityId'],
    group: 'Governance',
    description: 'Every import, match, approval and export, in order. Tamper-evident: verify the chain from the API or CLI.',
    components: { beforeListTable: ['/src/components/AuditTrailTools#AuditTrailTools'] },
  },
  access: tenantAccess('audit-events'),
  defaultSort: '-seq',
  endpoints: [verifyAuditEndpoint, exportAuditEndpoint],
  hooks: {
    beforeOperation: [openAuditTransaction],
    afterOperation: [closeTenantTransaction],
    beforeChange: [linkAuditEvent],
    // An attempt to write the trail through the API is itself recorded (authz.denied).
    afterError: [auditRefusedRoute],
  },
  fields: [
    { name: 'organization', type: 'relationship', relationTo: 'organizations', required: true, index: true, maxDepth: 0 },
    { name: 'seq', type: 'number', required: true, admin: { readOnly: true } },
    { name: 'occurredAt', type: 'date', required: true, index: true, admin: { date: { pickerAppearance: 'dayAndTime' } } },
    { name: 'actor', type: 'relationship', relationTo: 'users', maxDepth: 0 },
    { name: 'actorLabel', type: 'text', required: true },
    { name: 'action', type: 'text', required: true, index: true },
    { name: 'entityType', type: 'text', required: true, index: true },
    { name: 'entityId', type: 'text', required: true },
    { name: 'changes', type: 'json', admin: { components: { Field: '/src/components/ledger/ReadableJsonFields#JsonTextField' } } },
    { name: 'requestId', type: 'text' },
    { name: 'ip', type: 'text' },
    { name: 'userAgent', type: 'text' },
    { name: 'prevHash', type: 'text', required: true },
    { name: 'hash', type: 'text', required: true },
  ],
  timestamps: true,
}
