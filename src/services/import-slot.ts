import { sql } from '@payloadcms/db-postgres'

import type { SqlExecutor } from '../db/session'
import type { ImportKind } from '../ledger'

/**
 * One import at a time per organization and kind (docs/api.md "One import at a time"): two
 * conversion files importing side by side would contend for the same rows and make each other's
 * duplicate counts meaningless, and a second upload of a file is usually a double click.
 *
 * What holds the slot:
 * - an import running in a transaction (a file up to IMPORT_SYNC_MAX_BYTES in its request, a
 *   background job, and the queueing step of a big file): a transaction-level advisory lock on
 *   (organization, kind), *tried* in that transaction, so it goes with the commit, the rollback or
 *   the crashed server's connection. No second connection is taken for it (that would starve the
 *   pool under load, see src/db/scoped-query.ts).
 * - a queued or running background import: its record. The partial unique index
 *   imports_one_running_per_kind makes that the database's rule too; a record the sweep marks
 *   failed (an interrupted import) frees the slot.
 *
 * The import runner claims the slot after the lock on the file's bytes (run-import.ts), so the
 * same file uploaded twice at once still gets "already imported as #n" for the second one.
 */

export interface RunningImport {
  /** null: a file importing in its request, which has no record until it commits. */
  importId: number | null
  status: 'queued' | 'running'
  fileName: string | null
  createdAt: string | null
}

export class ImportRunningError extends Error {
  constructor(
    readonly kind: ImportKind,
    readonly running: RunningImport,
  ) {
    super(runningMessage(kind, running))
    this.name = 'ImportRunningError'
  }
}

/**
 * Claims the organization's slot for `kind` in the open transaction `db` (tenant settings applied),
 * or throws ImportRunningError naming what holds it. `ownImportId`: the record a background run
 * completes, which is itself running.
 */
export async function claimImportSlot(
  db: SqlExecutor,
  organizationId: number,
  kind: ImportKind,
  ownImportId: number | null,
): Promise<void> {
  const { rows: locked } = await db.execute(
    sql`select pg_try_advisory_xact_lock(hashtextextended(${`import-slot:${organizationId}:${kind}`}, 0)) as ok`,
  )
  const { rows } = await db.execute(sql`
    select id, status, file_name, created_at from imports
     where kind = ${kind}::enum_imports_kind and status in ('queued', 'running') and id <> ${ownImportId ?? 0}
     order by id limit 1`)
  const r = rows[0]
  if (r) {
    throw new ImportRunningError(kind, {
      importId: Number(r.id),
      status: r.status as RunningImport['status'],
      fileName: String(r.file_name),
      createdAt: new Date(r.created_at as string).toISOString(),
    })
  }
  if (locked[0]?.ok !== true) throw new ImportRunningError(kind, { importId: null, status: 'running', fileName: null, createdAt: null })
}

/** The refusal's sentence, naming the running import when it has a record. */
export function runningMessage(kind: ImportKind, r: RunningImport): string {
  const which =
    r.importId === null
      ? `Another ${kind} import is running in this organization right now`
      : `Import #${r.importId} ("${r.fileName}", ${kind}) is still ${r.status} in this organization`
  return `${which}; only one ${kind} import runs at a time. Wait until it has finished, then send this file again.`
}
