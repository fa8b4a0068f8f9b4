import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_imports_kind" AS ENUM('partners', 'conversions', 'refunds');
  CREATE TYPE "public"."enum_imports_status" AS ENUM('dry_run', 'running', 'completed', 'failed');
  CREATE TABLE "imports" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"kind" "enum_imports_kind" NOT NULL,
  	"status" "enum_imports_status" DEFAULT 'running' NOT NULL,
  	"file_name" varchar NOT NULL,
  	"file_sha256" varchar NOT NULL,
  	"override" boolean DEFAULT false,
  	"rows_in" numeric DEFAULT 0,
  	"counts" jsonb,
  	"report" jsonb,
  	"mapping" jsonb,
  	"created_by_id" integer,
  	"started_at" timestamp(3) with time zone,
  	"finished_at" timestamp(3) with time zone,
  	"organization_id" integer NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "imports" ADD CONSTRAINT "imports_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "imports" ADD CONSTRAINT "imports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "imports_kind_idx" ON "imports" USING btree ("kind");
  CREATE INDEX "imports_file_sha256_idx" ON "imports" USING btree ("file_sha256");
  CREATE INDEX "imports_created_by_idx" ON "imports" USING btree ("created_by_id");
  CREATE INDEX "imports_organization_idx" ON "imports" USING btree ("organization_id");
  CREATE INDEX "imports_updated_at_idx" ON "imports" USING btree ("updated_at");
  CREATE INDEX "imports_created_at_idx" ON "imports" USING btree ("created_at");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP TABLE "imports" CASCADE;
  DROP TYPE "public"."enum_imports_kind";
  DROP TYPE "public"."enum_imports_status";`)
}
