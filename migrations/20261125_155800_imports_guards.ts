import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * The same guards as 20261125_153900_tenant_guards for the `imports` table: row-level security
 * per organization (ENABLE + FORCE), a composite key target, the app role's grants (an import is
 * history: never deleted), and the duplicate-file guard the import service relies on.
 */

const APP_ROLE = 'ledger_app'
const CURRENT_ORG = `nullif(current_setting('app.org_id', true), '')::integer`

const statements = [
  `ALTER TABLE imports ADD CONSTRAINT imports_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE imports ADD CONSTRAINT imports_file_sha256_hex CHECK (file_sha256 ~ '^[0-9a-f]{64}$')`,
  // Two completed imports of the same bytes (same kind, same organization) are refused by the
  // database itself, so two uploads racing each other cannot both complete. An explicit,
  // audited override is the one exception.
  `CREATE UNIQUE INDEX imports_completed_file_key ON imports (organization_id, kind, file_sha256)
     WHERE status = 'completed' AND override IS NOT TRUE`,

  `ALTER TABLE imports ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE imports FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY imports_tenant_isolation ON imports USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,

  `GRANT SELECT, INSERT, UPDATE ON imports TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON SEQUENCE imports_id_seq TO ${APP_ROLE}`,
  `REVOKE DELETE, TRUNCATE ON imports FROM ${APP_ROLE}`,
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  const drops = [
    `DROP POLICY IF EXISTS imports_tenant_isolation ON imports`,
    `ALTER TABLE imports NO FORCE ROW LEVEL SECURITY`,
    `ALTER TABLE imports DISABLE ROW LEVEL SECURITY`,
    `DROP INDEX IF EXISTS imports_completed_file_key`,
    `ALTER TABLE imports DROP CONSTRAINT IF EXISTS imports_file_sha256_hex`,
    `ALTER TABLE imports DROP CONSTRAINT IF EXISTS imports_org_id_key`,
  ]
  for (const statement of drops) await db.execute(sql.raw(statement))
}
