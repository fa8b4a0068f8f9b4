import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Two guards against the same work done twice (docs/api.md "Idempotency-Key" and "One import at a time"):
 *
 * - `idempotency_keys`: the stored answer of a mutating request sent with an Idempotency-Key
 *   (src/services/idempotency.ts). One row per (organization, user, route, key); the row is written
 *   in the same transaction as the work it answers for, so it exists exactly when the work committed.
 *   A tenant table like the others: RLS enabled and forced, organization-scoped policy, the app
 *   role may insert and delete (expired keys are purged) but never update a stored answer.
 * - `imports_one_running_per_kind`: at most one queued or running import per organization and
 *   kind, enforced by the database whatever the application checks first.
 */

const APP_ROLE = 'ledger_app'
const CURRENT_ORG = `nullif(current_setting('app.org_id', true), '')::integer`

const statements = [
  `CREATE TABLE idempotency_keys (
     id serial PRIMARY KEY,
     organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
     user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     route text NOT NULL,
     key text NOT NULL,
     request_hash text NOT NULL,
     response_status integer NOT NULL,
     response_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
     response_body text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     expires_at timestamptz NOT NULL,
     CONSTRAINT idempotency_keys_key_printable CHECK (key ~ '^[\\x20-\\x7E]{1,255}$'),
     CONSTRAINT idempotency_keys_request_hash_hex CHECK (request_hash ~ '^[0-9a-f]{64}$'),
     CONSTRAINT idempotency_keys_status_range CHECK (response_status BETWEEN 100 AND 599)
   )`,
  `ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_scope_key UNIQUE (organization_id, user_id, route, key)`,
  `CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (organization_id, expires_at)`,
  `CREATE INDEX idempotency_keys_user_idx ON idempotency_keys (user_id)`,
  `ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY idempotency_keys_tenant_isolation ON idempotency_keys USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,
  // Stored answers are never edited: inserted, replayed, and deleted once expired.
  // REVOKE ALL first: default privileges may have granted UPDATE and TRUNCATE at CREATE TABLE.
  `REVOKE ALL ON idempotency_keys FROM ${APP_ROLE}`,
  `GRANT SELECT, INSERT, DELETE ON idempotency_keys TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON SEQUENCE idempotency_keys_id_seq TO ${APP_ROLE}`,

  `CREATE UNIQUE INDEX imports_one_running_per_kind ON imports (organization_id, kind) WHERE status IN ('queued', 'running')`,
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql.raw(`DROP INDEX IF EXISTS imports_one_running_per_kind`))
  await db.execute(sql.raw(`DROP TABLE IF EXISTS idempotency_keys`))
}
