import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Per-organization row counts of the two ledger tables, so an admin list's total does not count
 * a million rows on every page (docs/performance.md, "List pages, batch draft and exports").
 *
 * Conversions and commissions are insert-only (their guards refuse DELETE and any change of
 * organization_id; TRUNCATE is refused too), so a count only ever grows by the rows an
 * INSERT statement adds. Each INSERT statement appends one delta row per organization it wrote,
 * in its own transaction: the deltas become visible exactly when the rows do, to the same
 * snapshots, so `sum(rows)` under RLS equals `count(*)` of the table under RLS. Nothing is
 * updated in place, so a long import holds no lock that other writers of the organization
 * would wait for. Now and then a statement folds its organization's committed deltas into one
 * row; an advisory lock taken with try keeps two folds of one organization from waiting on each
 * other's deleted rows.
 */

const APP_ROLE = 'ledger_app'
const CURRENT_ORG = `nullif(current_setting('app.org_id', true), '')::integer`
export const COUNTED_TABLES = ['conversions', 'commissions'] as const

const statements = [
  `CREATE TABLE tenant_row_counts (
     id bigserial PRIMARY KEY,
     organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
     table_name text NOT NULL CHECK (table_name IN ('conversions', 'commissions')),
     rows bigint NOT NULL
   )`,
  `CREATE INDEX tenant_row_counts_org_table_idx ON tenant_row_counts (organization_id, table_name) INCLUDE (rows)`,
  `ALTER TABLE tenant_row_counts ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tenant_row_counts FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_row_counts_tenant_isolation ON tenant_row_counts USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,
  // The trigger runs as the inserting role: whoever may insert the rows (RLS checks their
  // organization) may add their count.
  `CREATE OR REPLACE FUNCTION count_inserted_rows() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     org integer;
   BEGIN
     FOR org IN
       WITH d AS (SELECT organization_id, count(*) AS n FROM new_rows GROUP BY organization_id)
       INSERT INTO tenant_row_counts (organization_id, table_name, rows) SELECT organization_id, TG_TABLE_NAME, n FROM d
       RETURNING organization_id
     LOOP
       IF random() < 0.05 AND pg_try_advisory_xact_lock(hashtext('tenant_row_counts:' || TG_TABLE_NAME), org) THEN
         WITH folded AS (
           DELETE FROM tenant_row_counts WHERE organization_id = org AND table_name = TG_TABLE_NAME RETURNING rows
         )
         INSERT INTO tenant_row_counts (organization_id, table_name, rows)
         SELECT org, TG_TABLE_NAME, sum(rows) FROM folded HAVING count(*) > 0;
       END IF;
     END LOOP;
     RETURN NULL;
   END $$`,
  ...COUNTED_TABLES.map(
    (t) =>
      `CREATE TRIGGER ${t}_row_count AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_rows()`,
  ),
  // Conversions are never deleted (their guard); a TRUNCATE would delete them behind the counts.
  `CREATE OR REPLACE FUNCTION refuse_counted_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `CREATE TRIGGER conversions_no_truncate BEFORE TRUNCATE ON conversions FOR EACH STATEMENT EXECUTE FUNCTION refuse_counted_truncate()`,
  // Existing rows, counted once while no insert can slip in between.
  `LOCK TABLE conversions, commissions IN SHARE MODE`,
  ...COUNTED_TABLES.map(
    (t) =>
      `INSERT INTO tenant_row_counts (organization_id, table_name, rows) SELECT organization_id, '${t}', count(*) FROM ${t} GROUP BY organization_id`,
  ),
  // No UPDATE: a count row is never changed in place (so never moved to another organization).
  // (Default privileges may have granted more at CREATE TABLE; take UPDATE back explicitly.)
  `REVOKE ALL ON tenant_row_counts FROM ${APP_ROLE}`,
  `GRANT SELECT, INSERT, DELETE ON tenant_row_counts TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON SEQUENCE tenant_row_counts_id_seq TO ${APP_ROLE}`,
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  for (const t of COUNTED_TABLES) await db.execute(sql.raw(`DROP TRIGGER IF EXISTS ${t}_row_count ON ${t}`))
  await db.execute(sql.raw(`DROP TRIGGER IF EXISTS conversions_no_truncate ON conversions`))
  await db.execute(sql.raw(`DROP FUNCTION IF EXISTS count_inserted_rows()`))
  await db.execute(sql.raw(`DROP FUNCTION IF EXISTS refuse_counted_truncate()`))
  await db.execute(sql.raw(`DROP TABLE IF EXISTS tenant_row_counts`))
}
