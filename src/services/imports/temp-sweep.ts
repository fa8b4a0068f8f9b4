import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'

import type { Pool } from 'pg'

import { importTempDir, removeTempFile } from './source'

/**
 * Temp files a killed process left behind. An upload's temp file is removed in the request's
 * `finally` and a background import's by its job (or by the stale-import sweep), but `kill -9`
 * runs neither: an upload half-streamed or a synchronous import mid-way leaves its file in
 * importTempDir() for good, holding payout details and order data on disk.
 *
 * A file is an orphan when no open import job names it and it has not been written for
 * IMPORT_TEMP_MAX_AGE_MINUTES (default 60): an upload in flight keeps writing its file, and a
 * synchronous import only takes files up to IMPORT_SYNC_MAX_BYTES, read long before an hour is up.
 * Queued jobs keep their file however old it is: the worker will still read it.
 */
export function tempMaxAgeMs(): number {
  const v = Number(process.env.IMPORT_TEMP_MAX_AGE_MINUTES)
  return (Number.isFinite(v) && v > 0 ? v : 60) * 60_000
}

export async function sweepOrphanTempFiles(
  pool: Pool,
  opts: { task: string; dir?: string; maxAgeMs?: number; now?: number },
): Promise<string[]> {
  const dir = opts.dir ?? importTempDir()
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return [] // no upload yet on this machine
  }
  if (names.length === 0) return []
  const { rows } = await pool.query<{ path: string | null }>(
    `select input->>'path' as path from payload_jobs
      where task_slug = $1 and completed_at is null and coalesce(has_error, false) = false`,
    [opts.task],
  )
  const needed = new Set(
    rows
      .map((r) => r.path)
      .filter((p): p is string => p != null)
      .map((p) => path.resolve(p)),
  )
  const cutoff = (opts.now ?? Date.now()) - (opts.maxAgeMs ?? tempMaxAgeMs())
  const removed: string[] = []
  for (const name of names) {
    const file = path.resolve(dir, name)
    if (needed.has(file)) continue
    const st = await stat(file).catch(() => null)
    if (!st || !st.isFile() || st.mtimeMs > cutoff) continue
    await removeTempFile(file)
    removed.push(file)
  }
  return removed
}
