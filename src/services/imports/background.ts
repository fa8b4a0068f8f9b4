import { sql } from '@payloadcms/db-postgres'
import type { Payload, PayloadRequest } from 'payload'
import { createLocalReq } from 'payload'

import type { Role } from '../../access/roles'
import { systemContext, type TenantContext } from '../../access/tenant'
import { withTenantClient } from '../../db/scoped-query'
import { databasePool, transactionDb } from '../../db/session'
import { inTenantTransaction } from '../../db/transaction'
import type { FieldMapping, ImportCounts, ImportKind } from '../../ledger'
import { writeAudit } from '../audit'
import { importConversions } from './conversions'
import { importPartners } from './partners'
import { ImportRefusal } from './refusal'
import { importRefunds } from './refunds'
import type { ImportInput, ImportProgress, ImportResult } from './run-import'
import { importLockKey } from './records'
import { fileSource, removeTempFile, type ImportSource } from './source'
import { sweepOrphanTempFiles } from './temp-sweep'

/**
 * Large files are imported by a Payload job (task `importFile`, queue `imports`), not in the request:
 *
 * 1. POST /api/imports stores the upload as a temp file, inserts the import record as `queued`
 *    with its audit event `import.queued` and the job, in one short transaction, answers 202.
 * 2. The worker of this server process (startImportWorker, started from the config's onInit under
 *    `next start`) runs queued jobs one at a time. The job acts as the uploading user in the
 *    organization (a Local API request carrying that tenant context), marks the record `running`
 *    and runs the same runner as a synchronous import: one transaction for all rows. Progress
 *    (rows and bytes read) is written to the record every PROGRESS_EVERY_ROWS rows from separate
 *    short transactions; the import's own transaction touches the record only at its end, when
 *    it completes it with the report. On any failure the transaction rolls back (nothing of the
 *    file is stored) and the record is marked `failed` with the error, audited as `import.failed`.
 * 3. The importer gets an email with the counts and a link to the record, either way.
 *
 * A server killed mid-import: Postgres rolls the transaction back. The record would stay
 * `running`, so the worker sweeps (at start and every interval): a `running` record with no
 * progress for IMPORT_STALE_MINUTES whose import lock is free (no transaction holds it, so no
 * process is importing it) is marked `failed` ("interrupted"), audited, and its job closed. It is
 * not re-run: the temp file may be gone with the server, and the person re-uploads (the file's
 * SHA-256 is not "completed", so it is accepted). A job queued but never started is simply run by
 * the next worker.
 */

export const IMPORT_TASK = 'importFile'
export const IMPORT_QUEUE = 'imports'
/** Files larger than this (bytes) import in the background; IMPORT_SYNC_MAX_BYTES overrides. */
export const DEFAULT_SYNC_MAX_BYTES = 5 * 1024 * 1024

export function syncMaxBytes(): number {
  const v = Number(process.env.IMPORT_SYNC_MAX_BYTES)
  return Number.isSafeInteger(v) && v >= 0 && process.env.IMPORT_SYNC_MAX_BYTES !== '' ? v : DEFAULT_SYNC_MAX_BYTES
}

function staleMinutes(): number {
  const v = Number(process.env.IMPORT_STALE_MINUTES)
  return Number.isFinite(v) && v > 0 ? v : 10
}

export const IMPORTERS: Record<ImportKind, (req: PayloadRequest, input: ImportInput) => Promise<ImportResult>> = {
  conversions: importConversions,
  partners: importPartners,
  refunds: importRefunds,
}

/** The job's input, stored on the payload_jobs row (JSON). */
export interface ImportJobInput {
  importId: number
  organizationId: number
  userId: number
  role: Role
  kind: ImportKind
  fileName: string
  path: string
  sha256: string
  bytes: number
  mapping: FieldMapping | null
  dryRun: boolean
  override: boolean
}

export interface ImportProgressRecord {
  rowsRead: number
  bytesRead: number
  bytesTotal: number
  percent: number
  done?: boolean
}

export function progressOf(p: ImportProgress, bytesTotal: number): ImportProgressRecord {
  const percent = bytesTotal > 0 ? Math.min(99, Math.floor((p.bytesRead * 100) / bytesTotal)) : 0
  return { rowsRead: p.rowsRead, bytesRead: p.bytesRead, bytesTotal, percent }
}

const json = (v: unknown) => JSON.stringify(v)

/**
 * Inserts the `queued` record, its audit event and the job in one transaction on the request.
 * The temp file now belongs to the job.
 */
export async function queueImport(
  req: PayloadRequest,
  tenant: { organizationId: number; userId: number; role: Role },
  kind: ImportKind,
  input: Omit<ImportInput, 'source'> & { source: ImportSource },
): Promise<{ importId: number; createdAt: string }> {
  const { source } = input
  if (!source.path) throw new Error('queueImport: a background import reads a temp file')
  return inTenantTransaction(req, async () => {
    const db = await transactionDb(req)
    const progress: ImportProgressRecord = { rowsRead: 0, bytesRead: 0, bytesTotal: source.bytes, percent: 0 }
    const { rows } = await db.execute(sql`
      insert into imports (kind, status, file_name, file_sha256, override, rows_in, mapping, progress, created_by_id, organization_id, updated_at, created_at)
      values (${kind}::enum_imports_kind, 'queued', ${input.fileName}, ${source.sha256}, ${input.override}, 0, ${json(input.mapping)}::jsonb,
              ${json(progress)}::jsonb, ${tenant.userId}, ${tenant.organizationId}, now(), now())
      returning id, created_at`)
    const row = rows[0] as { id: number; created_at: string | Date }
    const importId = Number(row.id)
    const jobInput: ImportJobInput = {
      importId,
      organizationId: tenant.organizationId,
      userId: tenant.userId,
      role: tenant.role,
      kind,
      fileName: input.fileName,
      path: source.path as string,
      sha256: source.sha256,
      bytes: source.bytes,
      mapping: input.mapping,
      dryRun: input.dryRun,
      override: input.override,
    }
    await writeAudit(req, {
      action: 'import.queued',
      entityType: 'import',
      entityId: importId,
      changes: {
        kind,
        fileName: input.fileName,
        sha256: source.sha256,
        bytes: source.bytes,
        dryRun: input.dryRun,
        override: input.override,
      },
    })
    await req.payload.jobs.queue({ task: IMPORT_TASK, queue: IMPORT_QUEUE, input: jobInput, req } as never)
    return { importId, createdAt: new Date(row.created_at).toISOString() }
  })
}

/** A Local API request acting as the uploading user in the organization (a job has no HTTP request). */
async function requestAs(payload: Payload, job: ImportJobInput): Promise<PayloadRequest> {
  const user = await payload.findByID({ collection: 'users', id: job.userId, depth: 0, overrideAccess: true, disableErrors: true })
  if (!user) throw new ImportRefusal('invalid_settings', `The user who uploaded the file (#${job.userId}) no longer exists.`)
  const tenant: TenantContext = {
    userId: job.userId,
    organizationId: job.organizationId,
    role: job.role,
    memberships: [{ organizationId: job.organizationId, role: job.role }],
  }
  return createLocalReq({ user: { ...user, collection: 'users' } as never, context: { tenant } }, payload)
}

/** The job's body: never throws (a failure is the record's `failed` status, not a job retry). */
export async function runImportJob(payload: Payload, job: ImportJobInput): Promise<{ status: string }> {
  const pool = databasePool(payload)
  const scope = { orgId: job.organizationId, userId: job.userId }
  // Payload claims a job with a read, then an update: two workers (two servers) can both take it.
  // Only the one that marks the record running owns the temp file; the other must leave it be,
  // or the owner finds it gone before it opens it.
  let skipped = false
  try {
    const started = await withTenantClient(pool, scope, (c) =>
      c.query(
        `update imports set status = 'running', started_at = now(), updated_at = now() where id = $1 and status = 'queued' returning id`,
        [job.importId],
      ),
    )
    // Marked failed (or run) meanwhile: nothing to do.
    if (started.rowCount === 0) {
      skipped = true
      return { status: 'skipped' }
    }

    const req = await requestAs(payload, job)
    const result = await IMPORTERS[job.kind](req, {
      fileName: job.fileName,
      source: fileSource(job.path, job.sha256, job.bytes),
      mapping: job.mapping,
      dryRun: job.dryRun,
      override: job.override,
      importId: job.importId,
      onProgress: async (p) => {
        await withTenantClient(pool, scope, (c) =>
          c.query(`update imports set progress = $2::jsonb, updated_at = now() where id = $1 and status = 'running'`, [
            job.importId,
            json(progressOf(p, job.bytes)),
          ]),
        )
      },
    })
    await sendImportEmail(payload, job, { status: result.status, counts: result.counts, errorsTotal: result.errorsTotal })
    return { status: result.status }
  } catch (err) {
    const error =
      err instanceof ImportRefusal
        ? { code: err.code, message: err.message, details: err.details ?? null }
        : { code: 'import_failed', message: err instanceof Error ? err.message : String(err) }
    if (!(err instanceof ImportRefusal)) payload.logger.error({ err, msg: `background import #${job.importId} failed` })
    const marked = await markFailed(payload, job, error, `import-job`)
    if (marked) await sendImportEmail(payload, job, { status: 'failed', error: error.message })
    return { status: 'failed' }
  } finally {
    if (!skipped) await removeTempFile(job.path)
  }
}

/**
 * Marks a queued or running record failed with the error, audited (`import.failed`), in its own
 * transaction as the uploading user's organization. False when it was no longer queued or running.
 */
async function markFailed(
  payload: Payload,
  job: ImportJobInput,
  error: { code: string; message: string; details?: unknown },
  reason: string,
): Promise<boolean> {
  const req = await createLocalReq({ context: systemContext(job.organizationId, reason) }, payload)
  try {
    return await inTenantTransaction(req, async () => {
      const db = await transactionDb(req)
      const { rows } = await db.execute(sql`
        update imports set status = 'failed', report = ${json({ error })}::jsonb, finished_at = now(), updated_at = now()
         where id = ${job.importId} and status in ('queued', 'running')
        returning id`)
      if (rows.length === 0) return false
      await writeAudit(req, {
        action: 'import.failed',
        entityType: 'import',
        entityId: job.importId,
        changes: { kind: job.kind, fileName: job.fileName, sha256: job.sha256, error: { code: error.code, message: error.message } },
      })
      return true
    })
  } catch (err) {
    payload.logger.error({ err, msg: `could not mark import #${job.importId} failed` })
    return false
  }
}

export async function sendImportEmail(
  payload: Payload,
  job: Pick<ImportJobInput, 'importId' | 'organizationId' | 'userId' | 'fileName' | 'kind'>,
  outcome: { status: string; counts?: ImportCounts; errorsTotal?: number; error?: string },
): Promise<void> {
  try {
    const user = await payload.findByID({ collection: 'users', id: job.userId, depth: 0, overrideAccess: true, disableErrors: true })
    const to = (user as { email?: string } | null)?.email
    if (!to) return
    const base = process.env.PUBLIC_URL || payload.config.serverURL || ''
    const link = `${base}/admin/collections/imports/${job.importId}`
    const c = outcome.counts
    const what = outcome.status === 'dry_run' ? 'Dry run finished' : outcome.status === 'failed' ? 'Import failed' : 'Import finished'
    const lines = [
      `${what}: ${job.kind} from "${job.fileName}" (import #${job.importId}).`,
      '',
      ...(c
        ? [
            `Rows read: ${c.rowsIn}`,
            `Created: ${c.created}`,
            `Updated: ${c.updated}`,
            `Duplicates: ${c.duplicate}`,
            `Unattributed: ${c.unattributed}`,
            `Flagged: ${c.flagged}`,
            `Rejected: ${c.rejected}${outcome.errorsTotal ? ` (${outcome.errorsTotal} row errors)` : ''}`,
          ]
        : []),
      ...(outcome.error ? [`Error: ${outcome.error}`, '', 'Nothing from this file was stored.'] : []),
      '',
      `The report: ${link}`,
    ]
    await payload.sendEmail({
      to,
      subject: `${what}: ${job.fileName}`,
      text: lines.join('\n'),
      organizationId: job.organizationId,
    } as Parameters<typeof payload.sendEmail>[0])
  } catch (err) {
    payload.logger.error({ err, msg: `import #${job.importId}: the email could not be sent` })
  }
}

/**
 * Running imports whose process is gone (see above): no progress for IMPORT_STALE_MINUTES and
 * their import lock free. Marked failed, audited, their job closed, their temp file removed.
 */
export async function sweepStaleImports(payload: Payload): Promise<number> {
  const pool = databasePool(payload)
  const { rows: jobs } = await pool.query<{ id: number; input: ImportJobInput; updated_at: Date }>(
    `select id, input, updated_at from payload_jobs where task_slug = $1 and completed_at is null and coalesce(has_error, false) = false and processing = true`,
    [IMPORT_TASK],
  )
  let swept = 0
  for (const { id: jobId, input: job, updated_at: jobUpdatedAt } of jobs) {
    const dead = await withTenantClient(pool, { orgId: job.organizationId }, async (c) => {
      // Stale counts from the later of the record's last progress and the job's claim (Payload
      // stamps updated_at when a worker takes the job): a process killed between taking the job
      // and marking the record running leaves it `queued` under a processing job, which no
      // worker runs again. Seconds, so a fractional IMPORT_STALE_MINUTES works.
      const { rows } = await c.query<{ open: boolean; stale: boolean; free: boolean }>(
        `select i.status in ('queued', 'running') as open,
                greatest(i.updated_at, $4::timestamptz) < now() - make_interval(secs => $2::float8 * 60) as stale,
                pg_try_advisory_xact_lock(hashtextextended($3, 0)) as free
           from imports i where i.id = $1`,
        [job.importId, staleMinutes(), importLockKey(job.organizationId, job.kind, job.sha256), jobUpdatedAt],
      )
      const r = rows[0]
      // No record visible (deleted org?) or finished long ago (killed before Payload closed the
      // job): the job is dead either way.
      return !r || (r.stale && (!r.open || r.free))
    })
    if (!dead) continue
    const marked = await markFailed(
      payload,
      job,
      {
        code: 'interrupted',
        message: 'The import was interrupted (the server stopped while it ran). Nothing was stored; upload the file again.',
      },
      'import-sweeper',
    )
    await pool.query(`update payload_jobs set processing = false, has_error = true, error = $2::jsonb, updated_at = now() where id = $1`, [
      jobId,
      json({ message: 'interrupted: closed by the import sweeper' }),
    ])
    await removeTempFile(job.path)
    if (marked) {
      swept++
      await sendImportEmail(payload, job, { status: 'failed', error: 'The import was interrupted (the server stopped while it ran).' })
    }
  }
  return swept
}

interface WorkerState {
  running: boolean
  again: boolean
  timer: NodeJS.Timeout | null
}

const WORKER_KEY = Symbol.for('partner-ledger.import-worker')

function workerState(): WorkerState {
  const g = globalThis as unknown as Record<symbol, WorkerState | undefined>
  return (g[WORKER_KEY] ??= { running: false, again: false, timer: null })
}

/**
 * Runs queued import jobs one at a time in this process until none is left. One at a time: each
 * holds a pooled connection for its whole transaction, and many at once would starve the pool.
 */
export function kickImportWorker(payload: Payload): void {
  const st = workerState()
  if (st.running) {
    st.again = true
    return
  }
  st.running = true
  void (async () => {
    try {
      do {
        st.again = false
        // Claimed here in one statement (SKIP LOCKED), then run by id: Payload's own claim is a read
        // and then an update, so two servers could both take a job, and the one that lost the
        // record to the other closed the job under it (a record left running that no sweep finds).
        const { rows } = await databasePool(payload).query<{ id: number }>(
          `update payload_jobs set processing = true, updated_at = now()
            where id = (select id from payload_jobs
                         where queue = $1 and completed_at is null and coalesce(has_error, false) = false and processing = false
                           and (wait_until is null or wait_until < now())
                         order by created_at limit 1 for update skip locked)
           returning id`,
          [IMPORT_QUEUE],
        )
        if (rows[0]) {
          await payload.jobs.runByID({ id: rows[0].id, silent: { info: true } })
          st.again = true
        }
      } while (st.again)
    } catch (err) {
      payload.logger.error({ err, msg: 'import worker' })
    } finally {
      st.running = false
    }
  })()
}

/**
 * Started once per server process (payload.config.ts onInit, only under the Next server, never
 * in scripts or the build): a sweep now, then sweep and run every IMPORT_WORKER_INTERVAL_MS.
 */
export function startImportWorker(payload: Payload): void {
  if (process.env.IMPORT_WORKER === 'off') return
  if (process.env.NEXT_PHASE === 'phase-production-build' || process.env.NEXT_RUNTIME !== 'nodejs') return
  const st = workerState()
  if (st.timer) return
  const interval = Number(process.env.IMPORT_WORKER_INTERVAL_MS) > 0 ? Number(process.env.IMPORT_WORKER_INTERVAL_MS) : 10_000
  const tick = async () => {
    try {
      await sweepStaleImports(payload)
      const removed = await sweepOrphanTempFiles(databasePool(payload), { task: IMPORT_TASK })
      if (removed.length > 0) payload.logger.info({ msg: `import sweeper: removed ${removed.length} orphaned temp file(s)` })
    } catch (err) {
      payload.logger.error({ err, msg: 'import sweeper' })
    }
    kickImportWorker(payload)
  }
  st.timer = setInterval(() => void tick(), interval)
  st.timer.unref()
  void tick()
}
