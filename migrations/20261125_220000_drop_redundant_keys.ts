import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Fewer indexes and foreign-key checks on the tables an import writes (conversions, commissions,
 * refunds, flags, partner_codes): every row inserted maintains every index and runs every
 * foreign-key trigger, and the import was bound by those two inserts (docs/performance.md).
 *
 * Dropped, and why nothing is lost:
 * - Payload's single-column foreign keys (`x_id -> t.id`) where our composite
 *   `(organization_id, x_id) -> t(organization_id, id)` exists: organization_id is NOT NULL, so the
 *   composite key already proves the row exists, and in the same organization.
 * - `<table>_organization_idx`: a left prefix of the unique `(organization_id, id)` / `(organization_id, code)`.
 * - Single-column indexes whose every query runs as the app role under row-level security, so it
 *   always carries `organization_id = current org` and a composite index serves it:
 *   conversions code / order_id / partner / created_at, commissions partner, refunds order_id,
 *   flags conversion, partner_codes code (see docs/performance.md, "Indexes and memory").
 * - `updated_at` indexes and commissions.refund_id: no query filters or sorts on them (Payload's
 *   list default sort is createdAt), and an indexed updated_at makes every status update non-HOT.
 *
 * Kept: every unique key, composite foreign key, check, the list-page indexes
 * (20261125_175500_list_indexes), the foreign keys to organizations and users, and the
 * single-column indexes some query uses without a composite alternative (conversions import_id and
 * occurred_at, commissions conversion_id, batch_id, eligible_at, created_at, created_by_id).
 *
 * Payload's schema still declares all of these (relationship fields are always indexed and keyed;
 * timestamps are always indexed), so the drizzle snapshot keeps them and `payload migrate:create`
 * does not re-add them; see docs/architecture.md, "Indexes the schema declares but migrations drop".
 */

/** [table, constraint, definition] of the single-column keys implied by a composite one. */
const FOREIGN_KEYS: [string, string, string][] = [
  ['conversions', 'conversions_partner_id_partners_id_fk', 'FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE SET NULL'],
  ['conversions', 'conversions_import_id_imports_id_fk', 'FOREIGN KEY (import_id) REFERENCES imports(id) ON DELETE SET NULL'],
  ['commissions', 'commissions_partner_id_partners_id_fk', 'FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE SET NULL'],
  [
    'commissions',
    'commissions_conversion_id_conversions_id_fk',
    'FOREIGN KEY (conversion_id) REFERENCES conversions(id) ON DELETE SET NULL',
  ],
  ['commissions', 'commissions_batch_id_batches_id_fk', 'FOREIGN KEY (batch_id) REFERENCES batches(id) ON DELETE SET NULL'],
  ['commissions', 'commissions_refund_id_refunds_id_fk', 'FOREIGN KEY (refund_id) REFERENCES refunds(id) ON DELETE SET NULL'],
  ['refunds', 'refunds_conversion_id_conversions_id_fk', 'FOREIGN KEY (conversion_id) REFERENCES conversions(id) ON DELETE SET NULL'],
  ['refunds', 'refunds_import_id_imports_id_fk', 'FOREIGN KEY (import_id) REFERENCES imports(id) ON DELETE SET NULL'],
  ['flags', 'flags_conversion_id_conversions_id_fk', 'FOREIGN KEY (conversion_id) REFERENCES conversions(id) ON DELETE SET NULL'],
  ['flags', 'flags_partner_id_partners_id_fk', 'FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE SET NULL'],
  ['partner_codes', 'partner_codes_partner_id_partners_id_fk', 'FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE SET NULL'],
]

/** [index, table, column] as Payload created them. */
const INDEXES: [string, string, string][] = [
  ['conversions_organization_idx', 'conversions', 'organization_id'],
  ['conversions_code_idx', 'conversions', 'code'],
  ['conversions_order_id_idx', 'conversions', 'order_id'],
  ['conversions_partner_idx', 'conversions', 'partner_id'],
  ['conversions_created_at_idx', 'conversions', 'created_at'],
  ['conversions_updated_at_idx', 'conversions', 'updated_at'],
  ['commissions_organization_idx', 'commissions', 'organization_id'],
  ['commissions_partner_idx', 'commissions', 'partner_id'],
  ['commissions_refund_idx', 'commissions', 'refund_id'],
  ['commissions_updated_at_idx', 'commissions', 'updated_at'],
  ['refunds_organization_idx', 'refunds', 'organization_id'],
  ['refunds_order_id_idx', 'refunds', 'order_id'],
  ['refunds_updated_at_idx', 'refunds', 'updated_at'],
  ['flags_organization_idx', 'flags', 'organization_id'],
  ['flags_conversion_idx', 'flags', 'conversion_id'],
  ['flags_updated_at_idx', 'flags', 'updated_at'],
  ['partner_codes_organization_idx', 'partner_codes', 'organization_id'],
  ['partner_codes_code_idx', 'partner_codes', 'code'],
  ['partner_codes_updated_at_idx', 'partner_codes', 'updated_at'],
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const [table, name] of FOREIGN_KEYS) await db.execute(sql.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`))
  for (const [name] of INDEXES) await db.execute(sql.raw(`DROP INDEX IF EXISTS ${name}`))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  for (const [name, table, column] of INDEXES)
    await db.execute(sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} USING btree (${column})`))
  for (const [table, name, definition] of FOREIGN_KEYS)
    await db.execute(sql.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} ${definition}`))
}
