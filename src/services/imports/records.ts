import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../../access/tenant'
import { transactionDb, type SqlExecutor } from '../../db/session'
import { inTenantTransaction } from '../../db/transaction'
import type { ImportKind } from '../../ledger'
import { writeAudit } from '../audit'
import { ImportRefusal } from './refusal'

/** The import record: the file's identity (SHA-256), what became of it, and who did it. */

/** The advisory lock an import holds for its whole transaction (the stale-import sweep probes it). */
export function importLockKey(organizationId: number, kind: ImportKind, sha: string): string {
  return `import:${organizationId}:${kind}:${sha}`
}

export interface EarlierImport {
  readonly importId: number
  readonly importedAt: string
  readonly fileName: string
}

export async function findEarlierImport(db: SqlExecutor, kind: ImportKind, sha: string): Promise<EarlierImport | null> {
  const { rows } = await db.execute(
    sql`select id, created_at, file_name from imports where kind = ${kind} and file_sha256 = ${sha} and status = 'completed' order by id limit 1`,
  )
  const r = rows[0]
  return r ? { importId: Number(r.id), importedAt: new Date(r.created_at as string).toISOString(), fileName: String(r.file_name) } : null
}

export function alreadyImported(e: EarlierImport): ImportRefusal {
  return new ImportRefusal(
    'already_imported',
    `This file was already imported as import #${e.importId} ("${e.fileName}") on ${e.importedAt}. Nothing was stored; send override=true to import it again anyway.`,
    e,
  )
}

export interface ImportRecordInput {
  organizationId: number
  kind: ImportKind
  status: 'completed' | 'dry_run' | 'failed' | 'queued'
  fileName: string
  sha: string
  override: boolean
  rowsIn: number
  counts: unknown
  report: unknown
  mapping: unknown
  userId: number | null
  started: Date
  finished: Date
  /** The file's size (background imports show it in their final progress). */
  bytes?: number
}

const json = (v: unknown) => (v == null ? null : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)))

/**
 * A background import ends by completing the record it was queued with. Only a record still
 * queued or running: if it was marked failed meanwhile (taken for dead), the import's whole
 * transaction rolls back rather than revive it.
 */
export async function completeImportRecord(db: SqlExecutor, id: number, r: ImportRecordInput): Promise<{ id: number; createdAt: string }> {
  const { rows } = await db.execute(sql`
    update imports set status = ${r.status}::enum_imports_status, override = ${r.override}, rows_in = ${r.rowsIn},
           counts = ${json(r.counts)}::jsonb, report = ${json(r.report)}::jsonb, mapping = ${json(r.mapping)}::jsonb,
           progress = ${json({ rowsRead: r.rowsIn, bytesRead: r.bytes ?? null, bytesTotal: r.bytes ?? null, percent: 100, done: true })}::jsonb,
           finished_at = ${r.finished.toISOString()}, updated_at = now()
     where id = ${id} and status in ('queued', 'running')
    returning id, created_at`)
  const row = rows[0] as { id: number; created_at: string | Date } | undefined
  if (!row) throw new Error(`import #${id} is no longer queued or running (marked failed meanwhile?); nothing was stored`)
  return { id: Number(row.id), createdAt: new Date(row.created_at).toISOString() }
}

/**
 * Written with SQL rather than the Local API so the database's own refusal (the partial unique
 * index on completed files) reaches us as itself; access was checked by the caller, RLS still applies.
 */
export async function insertImportRecord(db: SqlExecutor, r: ImportRecordInput): Promise<{ id: number; createdAt: string }> {
  const { rows } = await db.execute(sql`
    insert into imports (kind, status, file_name, file_sha256, override, rows_in, counts, report, mapping, created_by_id, started_at, finished_at, organization_id, updated_at, created_at)
    values (${r.kind}::enum_imports_kind, ${r.status}::enum_imports_status, ${r.fileName}, ${r.sha}, ${r.override}, ${r.rowsIn},
            ${json(r.counts)}::jsonb, ${json(r.report)}::jsonb, ${json(r.mapping)}::jsonb, ${r.userId}, ${r.started.toISOString()}, ${r.finished.toISOString()},
            ${r.organizationId}, now(), now())
    returning id, created_at`)
  const row = rows[0] as { id: number; created_at: string | Date }
  return { id: Number(row.id), createdAt: new Date(row.created_at).toISOString() }
}

/** A refused file leaves a `failed` record (and event) behind, in its own transaction: nothing else. */
export async function recordFailedImport(
  req: PayloadRequest,
  input: { kind: ImportKind; fileName: string; mapping: unknown; sha: string; started: Date },
  error: { code: string; message: string; rowNumber: number | null },
) {
  try {
    await inTenantTransaction(req, async () => {
      const tenant = await resolveTenant(req)
      if (tenant.organizationId == null) return
      const db = await transactionDb(req)
      const row = await insertImportRecord(db, {
        organizationId: tenant.organizationId,
        kind: input.kind,
        status: 'failed',
        fileName: input.fileName,
        sha: input.sha,
        override: false,
        rowsIn: 0,
        counts: null,
        report: { error },
        mapping: input.mapping,
        userId: tenant.userId,
        started: input.started,
        finished: new Date(),
      })
      await writeAudit(req, {
        action: 'import.failed',
        entityType: 'import',
        entityId: row.id,
        changes: { kind: input.kind, fileName: input.fileName, sha256: input.sha, error },
      })
    })
  } catch (err) {
    req.payload.logger.error({ err, msg: 'could not record the failed import' })
  }
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const pgErr = e as { code?: unknown; constraint?: unknown }
    if (pgErr.code === '23505' && pgErr.constraint === constraint) return true
  }
  return false
}
