import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_partners_payout_details_account_type" AS ENUM('checking', 'savings');
  CREATE TYPE "public"."enum_partners_payout_details_receiver_type" AS ENUM('PERSON', 'BUSINESS');
  CREATE TYPE "public"."enum_refunds_status" AS ENUM('matched', 'unmatched', 'ambiguous', 'rejected');
  CREATE TYPE "public"."enum_flags_rule" AS ENUM('self_referral_email', 'employee_partner', 'employee_domain', 'order_on_multiple_codes', 'velocity');
  CREATE TYPE "public"."enum_flags_status" AS ENUM('open', 'cleared', 'rejected');
  CREATE TYPE "public"."enum_batch_lines_status" AS ENUM('open', 'paid');
  CREATE TABLE "refunds" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order_id" varchar NOT NULL,
  	"code" varchar,
  	"amount_minor" numeric,
  	"currency" varchar,
  	"refunded_at" timestamp(3) with time zone NOT NULL,
  	"status" "enum_refunds_status" DEFAULT 'unmatched' NOT NULL,
  	"conversion_id" integer,
  	"applied_minor" numeric,
  	"note" varchar,
  	"import_id" integer,
  	"explanation" jsonb,
  	"organization_id" integer NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "flags" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"conversion_id" integer NOT NULL,
  	"partner_id" integer,
  	"rule" "enum_flags_rule" NOT NULL,
  	"evidence" jsonb,
  	"status" "enum_flags_status" DEFAULT 'open' NOT NULL,
  	"decided_by_id" integer,
  	"decided_at" timestamp(3) with time zone,
  	"reason" varchar,
  	"organization_id" integer NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "batch_lines" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"batch_id" integer NOT NULL,
  	"line_no" numeric NOT NULL,
  	"partner_id" integer NOT NULL,
  	"partner_name" varchar NOT NULL,
  	"amount_minor" numeric NOT NULL,
  	"currency" varchar NOT NULL,
  	"entry_count" numeric NOT NULL,
  	"payee" jsonb,
  	"status" "enum_batch_lines_status" DEFAULT 'open' NOT NULL,
  	"paid_at" timestamp(3) with time zone,
  	"payment_reference" varchar,
  	"organization_id" integer NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "payout_exports" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"batch_id" integer NOT NULL,
  	"format" varchar NOT NULL,
  	"file_name" varchar NOT NULL,
  	"sha256" varchar NOT NULL,
  	"totals" jsonb,
  	"files" jsonb,
  	"created_by_id" integer,
  	"organization_id" integer NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "partners" ADD COLUMN "payout_details_holder_name" varchar;
  ALTER TABLE "partners" ADD COLUMN "payout_details_iban" varchar;
  ALTER TABLE "partners" ADD COLUMN "payout_details_bic" varchar;
  ALTER TABLE "partners" ADD COLUMN "payout_details_routing_number" varchar;
  ALTER TABLE "partners" ADD COLUMN "payout_details_account_number" varchar;
  ALTER TABLE "partners" ADD COLUMN "payout_details_account_type" "enum_partners_payout_details_account_type";
  ALTER TABLE "partners" ADD COLUMN "payout_details_receiver_type" "enum_partners_payout_details_receiver_type";
  ALTER TABLE "partners" ADD COLUMN "rate_history" jsonb;
  ALTER TABLE "conversions" ADD COLUMN "refunded_minor" numeric DEFAULT 0 NOT NULL;
  ALTER TABLE "conversions" ADD COLUMN "import_id" integer;
  ALTER TABLE "commissions" ADD COLUMN "refund_id" integer;
  ALTER TABLE "commissions" ADD COLUMN "reason" varchar;
  ALTER TABLE "commissions" ADD COLUMN "created_by_id" integer;
  ALTER TABLE "commissions" ADD COLUMN "paid_at" timestamp(3) with time zone;
  ALTER TABLE "commissions" ADD COLUMN "payment_reference" varchar;
  ALTER TABLE "batches" ADD COLUMN "totals" jsonb;
  ALTER TABLE "batches" ADD COLUMN "line_count" numeric DEFAULT 0;
  ALTER TABLE "batches" ADD COLUMN "carried" jsonb;
  ALTER TABLE "batches" ADD COLUMN "blocked" jsonb;
  ALTER TABLE "batches" ADD COLUMN "submitted_by_id" integer;
  ALTER TABLE "batches" ADD COLUMN "submitted_at" timestamp(3) with time zone;
  ALTER TABLE "batches" ADD COLUMN "approvals" jsonb;
  ALTER TABLE "batches" ADD COLUMN "approved_at" timestamp(3) with time zone;
  ALTER TABLE "batches" ADD COLUMN "rejected_by_id" integer;
  ALTER TABLE "batches" ADD COLUMN "rejection_reason" varchar;
  ALTER TABLE "batches" ADD COLUMN "exported_at" timestamp(3) with time zone;
  ALTER TABLE "batches" ADD COLUMN "paid_at" timestamp(3) with time zone;
  ALTER TABLE "batches" ADD COLUMN "payment_reference" varchar;
  ALTER TABLE "refunds" ADD CONSTRAINT "refunds_conversion_id_conversions_id_fk" FOREIGN KEY ("conversion_id") REFERENCES "public"."conversions"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "refunds" ADD CONSTRAINT "refunds_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "refunds" ADD CONSTRAINT "refunds_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "flags" ADD CONSTRAINT "flags_conversion_id_conversions_id_fk" FOREIGN KEY ("conversion_id") REFERENCES "public"."conversions"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "flags" ADD CONSTRAINT "flags_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "flags" ADD CONSTRAINT "flags_decided_by_id_users_id_fk" FOREIGN KEY ("decided_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "flags" ADD CONSTRAINT "flags_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "batch_lines" ADD CONSTRAINT "batch_lines_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "batch_lines" ADD CONSTRAINT "batch_lines_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "batch_lines" ADD CONSTRAINT "batch_lines_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payout_exports" ADD CONSTRAINT "payout_exports_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payout_exports" ADD CONSTRAINT "payout_exports_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payout_exports" ADD CONSTRAINT "payout_exports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "refunds_order_id_idx" ON "refunds" USING btree ("order_id");
  CREATE INDEX "refunds_refunded_at_idx" ON "refunds" USING btree ("refunded_at");
  CREATE INDEX "refunds_conversion_idx" ON "refunds" USING btree ("conversion_id");
  CREATE INDEX "refunds_import_idx" ON "refunds" USING btree ("import_id");
  CREATE INDEX "refunds_organization_idx" ON "refunds" USING btree ("organization_id");
  CREATE INDEX "refunds_updated_at_idx" ON "refunds" USING btree ("updated_at");
  CREATE INDEX "refunds_created_at_idx" ON "refunds" USING btree ("created_at");
  CREATE INDEX "flags_conversion_idx" ON "flags" USING btree ("conversion_id");
  CREATE INDEX "flags_partner_idx" ON "flags" USING btree ("partner_id");
  CREATE INDEX "flags_status_idx" ON "flags" USING btree ("status");
  CREATE INDEX "flags_decided_by_idx" ON "flags" USING btree ("decided_by_id");
  CREATE INDEX "flags_organization_idx" ON "flags" USING btree ("organization_id");
  CREATE INDEX "flags_updated_at_idx" ON "flags" USING btree ("updated_at");
  CREATE INDEX "flags_created_at_idx" ON "flags" USING btree ("created_at");
  CREATE INDEX "batch_lines_batch_idx" ON "batch_lines" USING btree ("batch_id");
  CREATE INDEX "batch_lines_partner_idx" ON "batch_lines" USING btree ("partner_id");
  CREATE INDEX "batch_lines_organization_idx" ON "batch_lines" USING btree ("organization_id");
  CREATE INDEX "batch_lines_updated_at_idx" ON "batch_lines" USING btree ("updated_at");
  CREATE INDEX "batch_lines_created_at_idx" ON "batch_lines" USING btree ("created_at");
  CREATE INDEX "payout_exports_batch_idx" ON "payout_exports" USING btree ("batch_id");
  CREATE INDEX "payout_exports_created_by_idx" ON "payout_exports" USING btree ("created_by_id");
  CREATE INDEX "payout_exports_organization_idx" ON "payout_exports" USING btree ("organization_id");
  CREATE INDEX "payout_exports_updated_at_idx" ON "payout_exports" USING btree ("updated_at");
  CREATE INDEX "payout_exports_created_at_idx" ON "payout_exports" USING btree ("created_at");
  ALTER TABLE "conversions" ADD CONSTRAINT "conversions_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "commissions" ADD CONSTRAINT "commissions_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "commissions" ADD CONSTRAINT "commissions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "batches" ADD CONSTRAINT "batches_submitted_by_id_users_id_fk" FOREIGN KEY ("submitted_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "batches" ADD CONSTRAINT "batches_rejected_by_id_users_id_fk" FOREIGN KEY ("rejected_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "conversions_import_idx" ON "conversions" USING btree ("import_id");
  CREATE INDEX "commissions_refund_idx" ON "commissions" USING btree ("refund_id");
  CREATE INDEX "commissions_created_by_idx" ON "commissions" USING btree ("created_by_id");
  CREATE INDEX "batches_submitted_by_idx" ON "batches" USING btree ("submitted_by_id");
  CREATE INDEX "batches_rejected_by_idx" ON "batches" USING btree ("rejected_by_id");
  ALTER TABLE "batches" DROP COLUMN "total_minor";
  ALTER TABLE "batches" DROP COLUMN "currency";`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "refunds" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "flags" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "batch_lines" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "payout_exports" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "refunds" CASCADE;
  DROP TABLE "flags" CASCADE;
  DROP TABLE "batch_lines" CASCADE;
  DROP TABLE "payout_exports" CASCADE;
  ALTER TABLE "conversions" DROP CONSTRAINT "conversions_import_id_imports_id_fk";
  
  ALTER TABLE "commissions" DROP CONSTRAINT "commissions_refund_id_refunds_id_fk";
  
  ALTER TABLE "commissions" DROP CONSTRAINT "commissions_created_by_id_users_id_fk";
  
  ALTER TABLE "batches" DROP CONSTRAINT "batches_submitted_by_id_users_id_fk";
  
  ALTER TABLE "batches" DROP CONSTRAINT "batches_rejected_by_id_users_id_fk";
  
  DROP INDEX "conversions_import_idx";
  DROP INDEX "commissions_refund_idx";
  DROP INDEX "commissions_created_by_idx";
  DROP INDEX "batches_submitted_by_idx";
  DROP INDEX "batches_rejected_by_idx";
  ALTER TABLE "batches" ADD COLUMN "total_minor" numeric DEFAULT 0 NOT NULL;
  ALTER TABLE "batches" ADD COLUMN "currency" varchar;
  ALTER TABLE "partners" DROP COLUMN "payout_details_holder_name";
  ALTER TABLE "partners" DROP COLUMN "payout_details_iban";
  ALTER TABLE "partners" DROP COLUMN "payout_details_bic";
  ALTER TABLE "partners" DROP COLUMN "payout_details_routing_number";
  ALTER TABLE "partners" DROP COLUMN "payout_details_account_number";
  ALTER TABLE "partners" DROP COLUMN "payout_details_account_type";
  ALTER TABLE "partners" DROP COLUMN "payout_details_receiver_type";
  ALTER TABLE "partners" DROP COLUMN "rate_history";
  ALTER TABLE "conversions" DROP COLUMN "refunded_minor";
  ALTER TABLE "conversions" DROP COLUMN "import_id";
  ALTER TABLE "commissions" DROP COLUMN "refund_id";
  ALTER TABLE "commissions" DROP COLUMN "reason";
  ALTER TABLE "commissions" DROP COLUMN "created_by_id";
  ALTER TABLE "commissions" DROP COLUMN "paid_at";
  ALTER TABLE "commissions" DROP COLUMN "payment_reference";
  ALTER TABLE "batches" DROP COLUMN "totals";
  ALTER TABLE "batches" DROP COLUMN "line_count";
  ALTER TABLE "batches" DROP COLUMN "carried";
  ALTER TABLE "batches" DROP COLUMN "blocked";
  ALTER TABLE "batches" DROP COLUMN "submitted_by_id";
  ALTER TABLE "batches" DROP COLUMN "submitted_at";
  ALTER TABLE "batches" DROP COLUMN "approvals";
  ALTER TABLE "batches" DROP COLUMN "approved_at";
  ALTER TABLE "batches" DROP COLUMN "rejected_by_id";
  ALTER TABLE "batches" DROP COLUMN "rejection_reason";
  ALTER TABLE "batches" DROP COLUMN "exported_at";
  ALTER TABLE "batches" DROP COLUMN "paid_at";
  ALTER TABLE "batches" DROP COLUMN "payment_reference";
  DROP TYPE "public"."enum_partners_payout_details_account_type";
  DROP TYPE "public"."enum_partners_payout_details_receiver_type";
  DROP TYPE "public"."enum_refunds_status";
  DROP TYPE "public"."enum_flags_rule";
  DROP TYPE "public"."enum_flags_status";
  DROP TYPE "public"."enum_batch_lines_status";`)
}
