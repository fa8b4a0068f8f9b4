import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * What the database enforces for the ledger and payout batches, whatever the application does
 * (same approach as 20261125_153900_tenant_guards):
 * - composite keys with the organization on every new reference;
 * - whole-number money with the sign each entry kind must have, and a reason on manual entries;
 * - one accrual per conversion, one flag per conversion and rule, one refund row per reported refund;
 * - history that only moves forward: ledger entries change status and batch only, conversions
 *   never change their facts, and an approved batch, its lines and its entries are frozen except
 *   for the export and payment facts;
 * - row-level security and the app role's grants (nothing here is ever deleted by the app).
 */

const APP_ROLE = 'ledger_app'
const CURRENT_ORG = `nullif(current_setting('app.org_id', true), '')::integer`
const NEW_TABLES = ['refunds', 'flags', 'batch_lines', 'payout_exports']
const LOCKED_BATCH = `('approved', 'exported', 'paid')`

const statements = [
  ...NEW_TABLES.map((t) => `ALTER TABLE ${t} ADD CONSTRAINT ${t}_org_id_key UNIQUE (organization_id, id)`),
  `ALTER TABLE commissions ADD CONSTRAINT commissions_org_id_key UNIQUE (organization_id, id)`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_conversion_same_org_fk FOREIGN KEY (organization_id, conversion_id) REFERENCES conversions (organization_id, id)`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_import_same_org_fk FOREIGN KEY (organization_id, import_id) REFERENCES imports (organization_id, id)`,
  `ALTER TABLE conversions ADD CONSTRAINT conversions_import_same_org_fk FOREIGN KEY (organization_id, import_id) REFERENCES imports (organization_id, id)`,
  `ALTER TABLE flags ADD CONSTRAINT flags_conversion_same_org_fk FOREIGN KEY (organization_id, conversion_id) REFERENCES conversions (organization_id, id)`,
  `ALTER TABLE flags ADD CONSTRAINT flags_partner_same_org_fk FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id)`,
  `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_batch_same_org_fk FOREIGN KEY (organization_id, batch_id) REFERENCES batches (organization_id, id)`,
  `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_partner_same_org_fk FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id)`,
  `ALTER TABLE payout_exports ADD CONSTRAINT payout_exports_batch_same_org_fk FOREIGN KEY (organization_id, batch_id) REFERENCES batches (organization_id, id)`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_refund_same_org_fk FOREIGN KEY (organization_id, refund_id) REFERENCES refunds (organization_id, id)`,

  // Money: whole minor units, and each kind with the sign it can have.
  `ALTER TABLE conversions ADD CONSTRAINT conversions_refunded_minor_range CHECK (refunded_minor = trunc(refunded_minor) AND refunded_minor >= 0 AND refunded_minor <= value_minor)`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_amount_minor_positive CHECK (amount_minor IS NULL OR (amount_minor = trunc(amount_minor) AND amount_minor > 0))`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_applied_minor_integer CHECK (applied_minor IS NULL OR (applied_minor = trunc(applied_minor) AND applied_minor >= 0))`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_currency_iso CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$')`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_code_canonical CHECK (code IS NULL OR (code <> '' AND code = upper(code) AND code !~ '\\s'))`,
  `ALTER TABLE refunds ADD CONSTRAINT refunds_matched_has_conversion CHECK ((status = 'matched') = (conversion_id IS NOT NULL))`,
  `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_amount_positive CHECK (amount_minor = trunc(amount_minor) AND amount_minor > 0)`,
  `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_currency_iso CHECK (currency ~ '^[A-Z]{3}$')`,
  `ALTER TABLE payout_exports ADD CONSTRAINT payout_exports_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$')`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_sign_by_kind CHECK (
     (kind = 'accrual' AND amount_minor >= 0) OR (kind IN ('reversal', 'clawback') AND amount_minor < 0)
     OR (kind IN ('adjustment', 'write_off') AND amount_minor <> 0))`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_manual_reason CHECK (kind NOT IN ('adjustment', 'write_off') OR coalesce(btrim(reason), '') <> '')`,
  `ALTER TABLE commissions ADD CONSTRAINT commissions_batch_matches_status CHECK ((status IN ('in_batch', 'paid')) = (batch_id IS NOT NULL))`,
  `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_line_no_key UNIQUE (organization_id, batch_id, line_no)`,

  // No conversion earns twice; no flag is raised twice; a refund reported twice is one refund.
  `CREATE UNIQUE INDEX commissions_one_accrual_per_conversion ON commissions (organization_id, conversion_id) WHERE kind = 'accrual'`,
  `CREATE UNIQUE INDEX flags_one_per_rule ON flags (organization_id, conversion_id, rule)`,
  `CREATE UNIQUE INDEX refunds_reported_once ON refunds (organization_id, order_id, coalesce(code, ''), refunded_at, coalesce(amount_minor, -1))`,
  // The queues and balances read these.
  `CREATE INDEX commissions_partner_status_idx ON commissions (organization_id, partner_id, status)`,
  `CREATE INDEX conversions_unattributed_idx ON conversions (organization_id, code) WHERE status = 'unattributed'`,
  `CREATE INDEX refunds_unmatched_idx ON refunds (organization_id, order_id) WHERE status <> 'matched'`,
  `CREATE INDEX flags_open_idx ON flags (organization_id, conversion_id) WHERE status = 'open'`,
  `CREATE INDEX conversions_org_order_idx ON conversions (organization_id, order_id)`,

  // Ledger entries: only status, batch and the payment facts move; everything else is history.
  `CREATE OR REPLACE FUNCTION refuse_commission_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     mutable text[] := ARRAY['status', 'batch_id', 'paid_at', 'payment_reference', 'updated_at'];
     locked boolean;
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'commission entries are never deleted; post a reversal' USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
       RAISE EXCEPTION 'commission entry % is immutable; post a new entry instead', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF OLD.batch_id IS NOT NULL THEN
       SELECT status IN ${LOCKED_BATCH} INTO locked FROM batches WHERE id = OLD.batch_id;
       IF locked AND (NEW.batch_id IS DISTINCT FROM OLD.batch_id
                      OR NOT (NEW.status = OLD.status OR (OLD.status = 'in_batch' AND NEW.status = 'paid'))) THEN
         RAISE EXCEPTION 'commission entry % is in approved batch %; only its payment can be recorded', OLD.id, OLD.batch_id
           USING ERRCODE = 'insufficient_privilege';
       END IF;
     END IF;
     IF NEW.batch_id IS NOT NULL AND NEW.batch_id IS DISTINCT FROM OLD.batch_id THEN
       SELECT status IN ${LOCKED_BATCH} INTO locked FROM batches WHERE id = NEW.batch_id;
       IF locked THEN
         RAISE EXCEPTION 'batch % is approved; no entry can be added to it', NEW.batch_id USING ERRCODE = 'insufficient_privilege';
       END IF;
     END IF;
     RETURN NEW;
   END $$`,

  // A conversion's facts never change; only an unattributed one may gain its partner.
  `CREATE OR REPLACE FUNCTION refuse_conversion_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     mutable text[] := ARRAY['partner_id', 'status', 'refunded_minor', 'customer_name', 'updated_at'];
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'conversions are never deleted' USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
       RAISE EXCEPTION 'conversion % is history; its code, order, value, currency and date never change', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF OLD.partner_id IS NOT NULL AND NEW.partner_id IS DISTINCT FROM OLD.partner_id THEN
       RAISE EXCEPTION 'conversion % is already attributed to partner %', OLD.id, OLD.partner_id USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF NEW.refunded_minor < OLD.refunded_minor THEN
       RAISE EXCEPTION 'conversion %: refunds only add up', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER conversions_history BEFORE UPDATE OR DELETE ON conversions FOR EACH ROW EXECUTE FUNCTION refuse_conversion_edit()`,

  // An approved batch is frozen: only export and payment facts move, forward.
  `CREATE OR REPLACE FUNCTION refuse_locked_batch_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     mutable text[] := ARRAY['status', 'exported_at', 'paid_at', 'payment_reference', 'updated_at'];
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'batches are never deleted; discard or reject them' USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF OLD.status IN ${LOCKED_BATCH} THEN
       IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)
          OR NOT (NEW.status = OLD.status OR (OLD.status = 'approved' AND NEW.status IN ('exported', 'paid'))
                  OR (OLD.status = 'exported' AND NEW.status = 'paid')) THEN
         RAISE EXCEPTION 'batch % is %; it can no longer change', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
       END IF;
     END IF;
     IF OLD.status IN ('rejected', 'discarded') THEN
       RAISE EXCEPTION 'batch % is %; it can no longer change', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER batches_locked BEFORE UPDATE OR DELETE ON batches FOR EACH ROW EXECUTE FUNCTION refuse_locked_batch_edit()`,

  `CREATE OR REPLACE FUNCTION refuse_locked_batch_line_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     mutable text[] := ARRAY['status', 'paid_at', 'payment_reference', 'updated_at'];
     batch_status text;
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'batch lines are never deleted' USING ERRCODE = 'insufficient_privilege';
     END IF;
     SELECT status INTO batch_status FROM batches WHERE id = NEW.batch_id;
     IF TG_OP = 'INSERT' THEN
       IF batch_status <> 'draft' THEN
         RAISE EXCEPTION 'batch % is %; lines are only added to a draft', NEW.batch_id, batch_status USING ERRCODE = 'insufficient_privilege';
       END IF;
       RETURN NEW;
     END IF;
     IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)
        OR NOT (NEW.status = OLD.status OR (OLD.status = 'open' AND NEW.status = 'paid')) THEN
       RAISE EXCEPTION 'batch line % can no longer change; only its payment can be recorded', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER batch_lines_locked BEFORE INSERT OR UPDATE OR DELETE ON batch_lines FOR EACH ROW EXECUTE FUNCTION refuse_locked_batch_line_edit()`,

  // Export records and flags' decisions are history too.
  `CREATE TRIGGER payout_exports_append_only BEFORE UPDATE OR DELETE ON payout_exports FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`,
  `CREATE OR REPLACE FUNCTION refuse_decided_flag_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' OR OLD.status <> 'open' THEN
       RAISE EXCEPTION 'flag % was decided; decisions are never changed', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF NEW.conversion_id IS DISTINCT FROM OLD.conversion_id OR NEW.rule IS DISTINCT FROM OLD.rule
        OR NEW.evidence IS DISTINCT FROM OLD.evidence OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
       RAISE EXCEPTION 'flag % evidence is history', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF NEW.status <> 'open' AND (NEW.decided_by_id IS NULL OR coalesce(btrim(NEW.reason), '') = '') THEN
       RAISE EXCEPTION 'a flag decision needs who and why' USING ERRCODE = 'check_violation';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER flags_decided_once BEFORE UPDATE OR DELETE ON flags FOR EACH ROW EXECUTE FUNCTION refuse_decided_flag_edit()`,
  `CREATE OR REPLACE FUNCTION refuse_refund_edit() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     mutable text[] := ARRAY['status', 'conversion_id', 'applied_minor', 'note', 'explanation', 'updated_at'];
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'refunds are never deleted' USING ERRCODE = 'insufficient_privilege';
     END IF;
     IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) OR OLD.status = 'matched' THEN
       RAISE EXCEPTION 'refund % is history; only an unmatched refund may be matched', OLD.id USING ERRCODE = 'insufficient_privilege';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER refunds_history BEFORE UPDATE OR DELETE ON refunds FOR EACH ROW EXECUTE FUNCTION refuse_refund_edit()`,

  ...NEW_TABLES.flatMap((t) => [
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY ${t}_tenant_isolation ON ${t} USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,
  ]),
  `GRANT SELECT, INSERT, UPDATE ON refunds, flags, batch_lines TO ${APP_ROLE}`,
  `GRANT SELECT, INSERT ON payout_exports TO ${APP_ROLE}`,
  `REVOKE DELETE, TRUNCATE ON refunds, flags, batch_lines, payout_exports, conversions, batches FROM ${APP_ROLE}`,
  `REVOKE UPDATE ON payout_exports FROM ${APP_ROLE}`,
  ...NEW_TABLES.map((t) => `GRANT USAGE, SELECT ON SEQUENCE ${t}_id_seq TO ${APP_ROLE}`),
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  for (const statement of statements) await db.execute(sql.raw(statement))
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  const drops = [
    ...NEW_TABLES.flatMap((t) => [`DROP POLICY IF EXISTS ${t}_tenant_isolation ON ${t}`, `ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`]),
    `DROP TRIGGER IF EXISTS refunds_history ON refunds`,
    `DROP TRIGGER IF EXISTS flags_decided_once ON flags`,
    `DROP TRIGGER IF EXISTS payout_exports_append_only ON payout_exports`,
    `DROP TRIGGER IF EXISTS batch_lines_locked ON batch_lines`,
    `DROP TRIGGER IF EXISTS batches_locked ON batches`,
    `DROP TRIGGER IF EXISTS conversions_history ON conversions`,
    `DROP FUNCTION IF EXISTS refuse_refund_edit()`,
    `DROP FUNCTION IF EXISTS refuse_decided_flag_edit()`,
    `DROP FUNCTION IF EXISTS refuse_locked_batch_line_edit()`,
    `DROP FUNCTION IF EXISTS refuse_locked_batch_edit()`,
    `DROP FUNCTION IF EXISTS refuse_conversion_edit()`,
    `DROP INDEX IF EXISTS conversions_org_order_idx`,
    `DROP INDEX IF EXISTS flags_open_idx`,
    `DROP INDEX IF EXISTS refunds_unmatched_idx`,
    `DROP INDEX IF EXISTS conversions_unattributed_idx`,
    `DROP INDEX IF EXISTS commissions_partner_status_idx`,
    `DROP INDEX IF EXISTS refunds_reported_once`,
    `DROP INDEX IF EXISTS flags_one_per_rule`,
    `DROP INDEX IF EXISTS commissions_one_accrual_per_conversion`,
    `ALTER TABLE commissions DROP CONSTRAINT IF EXISTS commissions_batch_matches_status`,
    `ALTER TABLE commissions DROP CONSTRAINT IF EXISTS commissions_manual_reason`,
    `ALTER TABLE commissions DROP CONSTRAINT IF EXISTS commissions_sign_by_kind`,
    `ALTER TABLE commissions DROP CONSTRAINT IF EXISTS commissions_refund_same_org_fk`,
    `ALTER TABLE conversions DROP CONSTRAINT IF EXISTS conversions_import_same_org_fk`,
    `ALTER TABLE conversions DROP CONSTRAINT IF EXISTS conversions_refunded_minor_range`,
    `ALTER TABLE commissions DROP CONSTRAINT IF EXISTS commissions_org_id_key`,
  ]
  for (const statement of drops) await db.execute(sql.raw(statement))
}
