import type { CollectionConfig, Field } from 'payload'

import { tenantAccess } from '../access/collection-access'
import type { TenantCollection } from '../access/roles'
import { closeTenantTransaction, openTenantTransaction } from '../db/rls-transaction'
import { auditChanges, auditRefusedRoute } from '../hooks/audit-changes'
import { organizationField } from '../hooks/organization-field'

/**
 * Everything that makes a collection tenant-owned, in one place: the server-set organization,
 * access from the role table, the RLS transaction around every operation, and an audit event
 * for every ordinary edit and every refused one.
 */
export function tenantCollection(
  config: Omit<CollectionConfig, 'slug' | 'access'> & { slug: TenantCollection; auditEntity: string },
): CollectionConfig {
  const { auditEntity, hooks = {}, fields, ...rest } = config
  const audit = auditChanges(auditEntity)
  return {
    ...rest,
    // Payload's edit-lock check queries outside the request's transaction; under load that
    // takes a second pooled connection while holding one and can starve the pool. Ledger rows
    // are guarded by the database and the state machine instead.
    lockDocuments: false,
    access: tenantAccess(config.slug),
    fields: [...fields.map(jsonAsText), organizationField],
    hooks: {
      ...hooks,
      beforeOperation: [openTenantTransaction, ...(hooks.beforeOperation ?? [])],
      afterOperation: [...(hooks.afterOperation ?? []), closeTenantTransaction],
      afterChange: [...(hooks.afterChange ?? []), audit.afterChange],
      afterDelete: [...(hooks.afterDelete ?? []), audit.afterDelete],
      afterError: [...(hooks.afterError ?? []), auditRefusedRoute],
    },
  }
}

/** Integer minor units. Postgres stores Payload numbers as numeric; a check constraint keeps them whole. */
export function moneyField(name: string, extra: Partial<Field> = {}): Field {
  return {
    name,
    type: 'number',
    required: true,
    validate: (value: unknown) =>
      value == null || (typeof value === 'number' && Number.isSafeInteger(value))
        ? true
        : 'Amounts are whole minor units (cents), within the safe integer range.',
    ...extra,
    admin: {
      step: 1,
      description: 'Whole minor units of the currency (cents for USD).',
      ...(extra as { admin?: object }).admin,
      components: { Cell: '/src/components/MoneyCell#MoneyCell', Description: '/src/components/MoneyCell#MoneyDescription' },
    },
  } as Field
}

/** JSON fields render as text (JsonTextField in src/components/ledger/ReadableJsonFields.tsx) unless they bring their own component. */
export function jsonAsText(field: Field): Field {
  if (field.type !== 'json' || field.admin?.components?.Field) return field
  return {
    ...field,
    admin: { ...field.admin, components: { ...field.admin?.components, Field: '/src/components/ledger/ReadableJsonFields#JsonTextField' } },
  }
}
