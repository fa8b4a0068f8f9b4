import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Indexes for the admin lists at a million rows (docs/performance.md): the lists sort by
 * creation time within the organization, and the commissions list is usually filtered by partner.
 */
const statements = [
  `CREATE INDEX IF NOT EXISTS commissions_org_partner_created_idx ON commissions (organization_id, partner_id, created_at)`,
  `CREATE INDEX IF NOT EXISTS conversions_org_created_idx ON conversions (organization_id, created_at)`,
  // The velocity rule counts a partner's conversions per day and over the trailing window.
  `CREATE INDEX IF NOT EXISTS conversions_org_partner_occurred_idx ON conversions (organization_id, partner_id, occurred_at)`,
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql.raw(`DROP INDEX IF EXISTS conversions_org_partner_occurred_idx`))
  await db.execute(sql.raw(`DROP INDEX IF EXISTS conversions_org_created_idx`))
  await db.execute(sql.raw(`DROP INDEX IF EXISTS commissions_org_partner_created_idx`))
}
