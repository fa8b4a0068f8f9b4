import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * What the database itself must enforce, whatever the application does:
 * the app role, row-level security per organization, composite keys that include the
 * organization, whole-number money, and append-only audit and ledger rows.
 * See docs/architecture.md ("Tenant isolation") for how the app sets `app.org_id`.
 */

export const APP_ROLE = 'ledger_app'

const CURRENT_ORG = `nullif(current_setting('app.org_id', true), '')::integer`
const CURRENT_USER = `nullif(current_setting('app.user_id', true), '')::integer`

/** Tables whose rows belong to one organization through `organization_id`. */
const TENANT_TABLES = ['partners', 'partner_codes', 'conversions', 'commissions', 'batches', 'audit_events', 'outbox']

const statements = [
  // The role the application logs in as: no superuser, no BYPASSRLS, owns nothing.
  `DO $$ BEGIN
     IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
       CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
     END IF;
   END $$`,
  // A transaction the app forgot can never hold row locks and a connection for long.
  `ALTER ROLE ${APP_ROLE} SET idle_in_transaction_session_timeout = '60s'`,

  // Composite keys: a foreign key or unique key that includes the organization can never
  // point across organizations, and a duplicate-key error never reveals another tenant's row.
  `ALTER TABLE partners ADD CONSTRAINT partners_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE conversions ADD CONSTRAINT conversions_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE batches ADD CONSTRAINT batches_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE partner_codes ADD CONSTRAINT partner_codes_partner_same_org_fk FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id)`,
  `ALTER TABLE conversions ADD CONSTRAINT conversions_partner_same_org_fk FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id)`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_partner_same_org_fk FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id)`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_conversion_same_org_fk FOREIGN KEY (organization_id, conversion_id) REFERENCES conversions (organization_id, id)`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_batch_same_org_fk FOREIGN KEY (organization_id, batch_id) REFERENCES batches (organization_id, id)`,
  `ALTER TABLE memberships ADD CONSTRAINT memberships_org_user_key UNIQUE (organization_id, user_id)`,
  `ALTER TABLE partner_codes ADD CONSTRAINT partner_codes_org_code_key UNIQUE (organization_id, code)`,
  // The duplicate guard: one (organization, canonical code, order id) can be stored once.
  `ALTER TABLE conversions ADD CONSTRAINT conversions_org_code_order_key UNIQUE (organization_id, code, order_id)`,
  `ALTER TABLE audit_events ADD CONSTRAINT audit_events_org_seq_key UNIQUE (organization_id, seq)`,

  // Money is whole minor units; codes are canonical; currencies are ISO codes.
  `ALTER TABLE conversions ADD CONSTRAINT conversions_value_minor_integer CHECK (value_minor = trunc(value_minor))`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_amount_minor_integer CHECK (amount_minor = trunc(amount_minor))`,
  `ALTER TABLE batches ADD CONSTRAINT batches_total_minor_integer CHECK (total_minor = trunc(total_minor))`,
  `ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_integer CHECK (seq = trunc(seq) AND seq > 0)`,
  `ALTER TABLE conversions ADD CONSTRAINT conversions_currency_iso CHECK (currency ~ '^[A-Z]{3}$')`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_currency_iso CHECK (currency ~ '^[A-Z]{3}$')`,
  `ALTER TABLE partner_codes ADD CONSTRAINT partner_codes_code_canonical CHECK (code <> '' AND code = upper(code) AND code !~ '\\s')`,
  `ALTER TABLE conversions ADD CONSTRAINT conversions_code_canonical CHECK (code <> '' AND code = upper(code) AND code !~ '\\s')`,

  // Audit rows are append-only for everyone, owner included (the trigger), and the app role
  // is not even granted the statements (below).
  `CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`,
  `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`,

  // Ledger entries: status may move, the money facts never change and rows are never deleted.
  `CREATE OR REPLACE FUNCTION refuse_commission_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'commission entries are never deleted; post a reversal' USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF NEW.amount_minor IS DISTINCT FROM OLD.amount_minor OR NEW.partner_id IS DISTINCT FROM OLD.partner_id
        OR NEW.conversion_id IS DISTINCT FROM OLD.conversion_id OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
       RAISE EXCEPTION 'commission entry % is immutable; post a new entry instead', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER commissions_immutable BEFORE UPDATE OR DELETE ON commissions FOR EACH ROW EXECUTE FUNCTION refuse_commission_edit()`,
  `CREATE TRIGGER commissions_no_truncate BEFORE TRUNCATE ON commissions FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()`,

  // Row-level security: every tenant table sees only the organization set for the transaction.
  ...TENANT_TABLES.flatMap((t) => [
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY ${t}_tenant_isolation ON ${t} USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,
  ]),
  // A user reads their own memberships in every organization (to switch between them);
  // writes stay inside the active organization.
  `ALTER TABLE memberships ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE memberships FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY memberships_tenant_isolation ON memberships
     USING (organization_id = ${CURRENT_ORG} OR user_id = ${CURRENT_USER})
     WITH CHECK (organization_id = ${CURRENT_ORG})`,
  `ALTER TABLE organizations ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE organizations FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY organizations_member_read ON organizations FOR SELECT
     USING (id = ${CURRENT_ORG} OR created_by_id = ${CURRENT_USER}
            OR id IN (SELECT organization_id FROM memberships WHERE user_id = ${CURRENT_USER}))`,
  `CREATE POLICY organizations_create ON organizations FOR INSERT WITH CHECK (created_by_id = ${CURRENT_USER})`,
  `CREATE POLICY organizations_update ON organizations FOR UPDATE USING (id = ${CURRENT_ORG}) WITH CHECK (id = ${CURRENT_ORG})`,

  // Grants for the app role: ordinary DML, minus what history forbids.
  `GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`,
  `REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${APP_ROLE}`,
  `REVOKE DELETE, TRUNCATE ON commissions FROM ${APP_ROLE}`,
  `REVOKE DELETE ON organizations FROM ${APP_ROLE}`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`,
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  const drops = [
    ...[...TENANT_TABLES, 'memberships', 'organizations'].map((t) => `ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`),
    ...TENANT_TABLES.map((t) => `DROP POLICY IF EXISTS ${t}_tenant_isolation ON ${t}`),
    `DROP POLICY IF EXISTS memberships_tenant_isolation ON memberships`,
    `DROP POLICY IF EXISTS organizations_member_read ON organizations`,
    `DROP POLICY IF EXISTS organizations_create ON organizations`,
    `DROP POLICY IF EXISTS organizations_update ON organizations`,
    `DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events`,
    `DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events`,
    `DROP TRIGGER IF EXISTS commissions_immutable ON commissions`,
    `DROP TRIGGER IF EXISTS commissions_no_truncate ON commissions`,
    `DROP FUNCTION IF EXISTS refuse_commission_edit()`,
    `DROP FUNCTION IF EXISTS refuse_audit_change()`,
  ]
  for (const statement of drops) await db.execute(sql.raw(statement))
}
