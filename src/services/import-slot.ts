import type { Pool, PoolClient } from 'pg'

import type { ImportKind } from '../ledger'

/**
 * One import at a time per organization and kind (docs/api.md "One import at a time"): two
 * conversion files importing side by side would contend for the same rows and make each other's
 * duplicate counts meaningless, and a second upload of a file is usually a double click.
 *
 * What holds the slot:
 * - an import in its request (files up to IMPORT_SYNC_MAX_BYTES, and the short queueing step of a
 *   bigger one): a session advisory lock on (organization, kind), taken on a connection of its own
 *   for as long as the request works. A crashed server's connections close, which frees it.
 * - a queued or running background import: its record. The partial unique index
 *   imports_one_running_per_kind makes that the database's rule too; a record the sweep marks
 *   failed (an interrupted import) frees the slot.
 *
 * The same bytes uploaded twice at once are not refused as "running": the second waits for the
 * first (a lock on the file's SHA-256, taken before the slot) and then gets the answer a second
 * upload gets, "already imported as #n", naming it.
 */

export interface RunningImport {
  /** null: a file importing in its request, which has no record until it commits. */
  importId: number | null
  status: 'queued' | 'running'
  fileName: string | null
  startedAt: string | null
}

export type SlotOutcome<T> = { ok: true; value: T } | { ok: false; running: RunningImport }

/** How long an upload of the same bytes waits for the first one before it is answered "running". */
const SAME_FILE_WAIT = '120s'

export async function withImportSlot<T>(
  pool: Pool,
  scope: { organizationId: number; userId: number; kind: ImportKind; sha256: string },
  fn: () => Promise<T>,
): Promise<SlotOutcome<T>> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    const fileKey = `import-file:${scope.organizationId}:${scope.kind}:${scope.sha256}`
    if (!(await tryLock(client, fileKey))) {
      const waited = await waitLock(client, fileKey)
      if (!waited) return { ok: false, running: (await recordedRunning(client, scope)) ?? inRequest() }
    }
    if (!(await tryLock(client, `import-slot:${scope.organizationId}:${scope.kind}`))) {
      return { ok: false, running: (await recordedRunning(client, scope)) ?? inRequest() }
    }
    const recorded = await recordedRunning(client, scope)
    if (recorded) return { ok: false, running: recorded }
    return { ok: true, value: await fn() }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err))
    throw err
  } finally {
    try {
      await client.query('select pg_advisory_unlock_all()')
      client.release()
    } catch (err) {
      // A connection that cannot unlock is dropped; closing it frees its locks.
      client.release(err instanceof Error ? err : (broken ?? new Error('import slot unlock failed')))
    }
  }
}

async function tryLock(client: PoolClient, key: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtextextended($1, 0)) as ok`, [key])
  return rows[0]?.ok === true
}

/** Waits (bounded) for a session lock; false when the wait timed out. */
async function waitLock(client: PoolClient, key: string): Promise<boolean> {
  await client.query('begin')
  try {
    await client.query(`set local lock_timeout = '${SAME_FILE_WAIT}'`)
    await client.query(`select pg_advisory_lock(hashtextextended($1, 0))`, [key])
    await client.query('commit')
    return true
  } catch (err) {
    await client.query('rollback')
    if ((err as { code?: string }).code === '55P03') return false
    throw err
  }
}

async function recordedRunning(client: PoolClient, scope: { organizationId: number; userId: number; kind: ImportKind }) {
  await client.query('begin read only')
  try {
    await client.query(`select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`, [
      String(scope.organizationId),
      String(scope.userId),
    ])
    const { rows } = await client.query<{ id: number; status: 'queued' | 'running'; file_name: string; created_at: Date }>(
      `select id, status, file_name, created_at from imports where kind = $1 and status in ('queued', 'running') order by id limit 1`,
      [scope.kind],
    )
    await client.query('commit')
    const r = rows[0]
    return r ? { importId: Number(r.id), status: r.status, fileName: r.file_name, startedAt: new Date(r.created_at).toISOString() } : null
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

function inRequest(): RunningImport {
  return { importId: null, status: 'running', fileName: null, startedAt: null }
}

/** The refusal's sentence, naming the running import when it has a record. */
export function runningMessage(kind: ImportKind, r: RunningImport): string {
  const which =
    r.importId === null
      ? `Another ${kind} import is running in this organization right now`
      : `Import #${r.importId} ("${r.fileName}", ${kind}) is still ${r.status} in this organization`
  return `${which}; only one ${kind} import runs at a time. Wait until it has finished, then send this file again.`
}
