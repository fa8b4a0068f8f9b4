import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { mulberry32 } from '../../bench/generate'
import { createBatchOrg } from '../helpers/batches'
import type { Session } from '../helpers/http'
import { startAppServer, type AppServer } from '../helpers/server'

/**
 * Checklist row 19: `kill -9` of the server at seeded random points during a large import, then
 * a restart. Whatever the moment, the import is wholly there or wholly absent (conversions,
 * accruals, flags, audit events), its record ends `completed` or `failed` (never `queued` or
 * `running`, its job never left holding a slot), and a run of the same file after the kills
 * gives the same counts and totals as a clean import of it. Then the database side: the
 * import's own Postgres backend is terminated mid-import a few times; the import fails cleanly
 * and leaves nothing.
 *
 * The test runs its own `next start` (tests/helpers/server.ts) on the test database, so it can
 * kill it; the shared server of the global setup runs on meanwhile (its worker polls the same job
 * queue, as a second server would). Most kills hit the background job (files over
 * IMPORT_SYNC_MAX_BYTES); every fourth restarts the server with a limit above the file, so the
 * import runs inside the request instead.
 *
 * Size: IMPORT_KILL_ROWS rows. CI (.ci/run) runs the issue's 200,000 against the server Postgres:
 * a clean import there took 81 s and the 20 kills about 20 minutes (each waits up to 1.1x the
 * import time, then a restart of 1-2 s). Without the variable, as in the embedded run and a plain
 * `npm test`, DEFAULT_ROWS = 6,000: a full 5,000-row chunk and a second one in the same
 * transaction, over the 256 KB background limit this test's server uses, which is all that what
 * is checked depends on. IMPORT_KILL_COUNT (20) and IMPORT_KILL_SEED are tunable too; the seed is
 * printed and replays the same file and kill points (relative to the measured import time).
 */

const DEFAULT_ROWS = 6_000
const ROWS = Number(process.env.IMPORT_KILL_ROWS) > 0 ? Number(process.env.IMPORT_KILL_ROWS) : DEFAULT_ROWS
const KILLS = Number(process.env.IMPORT_KILL_COUNT) > 0 ? Number(process.env.IMPORT_KILL_COUNT) : 20
const DB_KILLS = 3
const SEED = Number(process.env.IMPORT_KILL_SEED) > 0 ? Number(process.env.IMPORT_KILL_SEED) : 20_261_125
const PARTNERS = 40
const JOB_MODE = { IMPORT_SYNC_MAX_BYTES: String(256 * 1024) }
const SYNC_MODE = { IMPORT_SYNC_MAX_BYTES: String(1024 * 1024 * 1024) }
// The killed server's own temp dir (os.tmpdir() reads TMPDIR), so the test can see what a kill
// leaves there and that the sweep takes it away, without touching the shared server's files.
const KILL_TMP = mkdtempSync(path.join(os.tmpdir(), 'import-kill-'))
const SERVER_ENV = {
  TMPDIR: KILL_TMP,
  // Temp files nobody has written for 6 s and no open job names are orphans (production: 60 minutes).
  IMPORT_TEMP_MAX_AGE_MINUTES: '0.1',
  // A dead import is swept 3 s after its last sign of life (production: 10 minutes).
  IMPORT_STALE_MINUTES: '0.05',
  IMPORT_WORKER_INTERVAL_MS: '500',
  // node-postgres names its connections after this, so the test sees whose backend holds an import.
  PGAPPNAME: 'import-kill-server',
}

type Mode = 'job' | 'sync'

interface Generated {
  csv: string
  expected: { rowsIn: number; created: number; unattributed: number; duplicate: number; rejected: number; valueMinor: bigint }
}

/**
 * The seeded file: orders spread over PARTNERS codes and three months; 1.5% carry a code no
 * partner has (unattributed), 0.3% repeat a recent order (duplicate, in the same chunk or an
 * earlier one), 0.2% have an unreadable amount (rejected).
 */
function generate(rows: number, seed: number): Generated {
  const rnd = mulberry32(seed)
  const lines = ['code,order_id,amount,date,customer_name']
  const stored: string[] = []
  const e = { rowsIn: rows, created: 0, unattributed: 0, duplicate: 0, rejected: 0, valueMinor: 0n }
  for (let i = 0; i < rows; i++) {
    const r = rnd()
    const day = 1 + Math.floor(rnd() * 80)
    const date = new Date(Date.UTC(2026, 8, day)).toISOString().slice(0, 10)
    const minor = 100 + Math.floor(rnd() * 50_000)
    const amount = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`
    if (r < 0.003 && stored.length > 0) {
      lines.push(stored[stored.length - 1 - Math.floor(rnd() * Math.min(stored.length, 8000))]!)
      e.duplicate++
    } else if (r < 0.005) {
      lines.push(`K${seed % 1000}P${i % PARTNERS},KO-${i},n/a,${date},Customer ${i}`)
      e.rejected++
    } else {
      const known = r >= 0.02
      const code = known ? `K${seed % 1000}P${Math.floor(rnd() * PARTNERS)}` : `NOBODY${i % 7}`
      const line = `${code},KO-${i},${amount},${date},Customer ${i}`
      lines.push(line)
      stored.push(line)
      e.valueMinor += BigInt(minor)
      if (known) e.created++
      else e.unattributed++
    }
  }
  return { csv: lines.join('\n') + '\n', expected: e }
}

let owner: pg.Client
let ops: Session
let server: AppServer | null = null
const file = generate(ROWS, SEED)
const fileName = `kill-${SEED}-${ROWS}.csv`

async function newOrg(): Promise<number> {
  const org = await createBatchOrg(owner, { roles: { 'ops@demo.test': 'ops' } })
  for (let p = 0; p < PARTNERS; p++) {
    const { rows } = await owner.query<{ id: number }>(
      `insert into partners (name, status, organization_id) values ($1, 'active', $2) returning id`,
      [`Kill partner ${p}`, org.organizationId],
    )
    await owner.query(`insert into partner_codes (code, partner_id, organization_id) values ($1, $2, $3)`, [
      `K${SEED % 1000}P${p}`,
      rows[0]!.id,
      org.organizationId,
    ])
  }
  ops ??= await org.as('ops@demo.test')
  return org.organizationId
}

async function startServer(mode: Mode): Promise<AppServer> {
  return startAppServer(inject('appUrl'), { ...SERVER_ENV, ...(mode === 'job' ? JOB_MODE : SYNC_MODE) })
}

async function post(orgId: number, override = false): Promise<{ status: number; body: Record<string, unknown> } | { error: string }> {
  const form = new FormData()
  form.append('kind', 'conversions')
  form.append('file', new Blob([file.csv], { type: 'text/csv' }), fileName)
  if (override) form.append('override', 'true')
  try {
    const res = await fetch(`${server!.url}/api/imports`, {
      method: 'POST',
      body: form,
      headers: { cookie: ops.cookie, 'x-organization-id': String(orgId) },
    })
    const text = await res.text()
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

interface OrgState {
  conversions: number
  unattributed: number
  valueMinor: string
  accruals: number
  accruedMinor: string
  commissions: number
  commissionMinor: string
  flags: number
  audit: number
}

/** Everything an import of the file writes in an organization, read as the owner (no RLS). */
async function orgState(orgId: number): Promise<OrgState> {
  const { rows } = await owner.query<OrgState>(
    `select
       (select count(*)::int from conversions where organization_id = $1) as conversions,
       (select count(*)::int from conversions where organization_id = $1 and partner_id is null) as unattributed,
       (select coalesce(sum(value_minor), 0)::text from conversions where organization_id = $1) as "valueMinor",
       (select count(*)::int from commissions where organization_id = $1 and kind = 'accrual') as accruals,
       (select coalesce(sum(amount_minor), 0)::text from commissions where organization_id = $1 and kind = 'accrual') as "accruedMinor",
       (select count(*)::int from commissions where organization_id = $1) as commissions,
       (select coalesce(sum(amount_minor), 0)::text from commissions where organization_id = $1) as "commissionMinor",
       (select count(*)::int from flags where organization_id = $1) as flags,
       (select count(*)::int from audit_events where organization_id = $1 and action not in ('import.queued', 'import.failed')) as audit`,
    [orgId],
  )
  return rows[0]!
}

interface ImportRow {
  id: number
  status: string
  error: string | null
  counts: Record<string, number> | null
  rowsRead: number | null
}

async function imports(orgId: number): Promise<ImportRow[]> {
  const { rows } = await owner.query<ImportRow>(
    `select id, status, report->'error'->>'code' as error, counts, (progress->>'rowsRead')::int as "rowsRead"
       from imports where organization_id = $1 order by id`,
    [orgId],
  )
  return rows
}

/** Import jobs of the organization that will still run or are held by a worker. */
async function openJobs(orgId: number): Promise<{ id: number; processing: boolean }[]> {
  const { rows } = await owner.query<{ id: number; processing: boolean }>(
    `select id, processing from payload_jobs
      where task_slug = 'importFile' and (input->>'organizationId')::int = $1
        and completed_at is null and coalesce(has_error, false) = false`,
    [orgId],
  )
  return rows
}

/** Waits until no import of the organization is queued or running and no job of it is open. */
async function settle(orgId: number, timeoutMs: number): Promise<{ ms: number; imports: ImportRow[] }> {
  const t0 = Date.now()
  for (;;) {
    const list = await imports(orgId)
    const open = list.some((i) => i.status === 'queued' || i.status === 'running') || (await openJobs(orgId)).length > 0
    if (!open) return { ms: Date.now() - t0, imports: list }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`org ${orgId}: still open after ${timeoutMs} ms: ${JSON.stringify(list)} ${JSON.stringify(await openJobs(orgId))}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

const fileSha = createHash('sha256').update(file.csv).digest('hex')

/** The application name of the backend holding the organization's import lock of the file, if any. */
async function lockHolder(orgId: number): Promise<string | null> {
  const { rows } = await owner.query<{ app: string }>(
    `select a.application_name as app from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
        and (l.classid::bigint << 32 | l.objid::bigint) = hashtextextended($1, 0)`,
    [`import:${orgId}:conversions:${fileSha}`],
  )
  return rows[0] ? rows[0].app || 'another server' : null
}

const EMPTY: OrgState = {
  conversions: 0,
  unattributed: 0,
  valueMinor: '0',
  accruals: 0,
  accruedMinor: '0',
  commissions: 0,
  commissionMinor: '0',
  flags: 0,
  audit: 0,
}

let reference: { state: OrgState; counts: Record<string, number>; importMs: number } | null = null
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  server = await startServer('job')
}, 180_000)

afterAll(async () => {
  await server?.stop()
  await owner?.end()
  rmSync(KILL_TMP, { recursive: true, force: true })
})

describe(`kill -9 of the server during a ${ROWS}-row import (seed ${SEED})`, () => {
  test('the premise: the file is over the background limit, and a clean import gives the generator`s counts', async () => {
    expect(Buffer.byteLength(file.csv)).toBeGreaterThan(Number(JOB_MODE.IMPORT_SYNC_MAX_BYTES))
    const orgId = await newOrg()
    const t0 = Date.now()
    const res = await post(orgId)
    expect('status' in res && res.status, JSON.stringify(res)).toBe(202)
    const { imports: list } = await settle(orgId, 600_000)
    const importMs = Date.now() - t0
    expect(list.map((i) => i.status)).toEqual(['completed'])
    const counts = list[0]!.counts!
    const e = file.expected
    expect(counts).toMatchObject({
      rowsIn: e.rowsIn,
      created: e.created,
      unattributed: e.unattributed,
      duplicate: e.duplicate,
      rejected: e.rejected,
      updated: 0,
    })
    const state = await orgState(orgId)
    expect(state).toMatchObject({ conversions: e.created + e.unattributed, unattributed: e.unattributed, valueMinor: String(e.valueMinor) })
    // Every attributed conversion accrued (the program default rate), and the import was audited once.
    expect(state.accruals).toBe(e.created)
    expect(BigInt(state.accruedMinor)).toBeGreaterThan(0n)
    expect(state.audit).toBeGreaterThanOrEqual(1)
    reference = { state, counts, importMs }
    console.log(
      `[import-kill] ${inject('dbKind')}: ${ROWS} rows, ${Buffer.byteLength(file.csv)} bytes; clean import ${importMs} ms ` +
        `(${Math.round((ROWS * 1000) / importMs)} rows/s); reference ${JSON.stringify({ counts, state })}`,
    )
  }, 900_000)

  test(`${KILLS} kills at seeded random points: each leaves all or nothing, nothing open; a run after them matches the reference`, async () => {
    expect(reference, 'the reference import ran').not.toBeNull()
    const ref = reference!
    const rnd = mulberry32(SEED ^ 0x5eed)
    const modeOf = (i: number): Mode => (i % 4 === 3 ? 'sync' : 'job')
    const log: string[] = []
    let orgId = await newOrg()
    let killsInOrg = 0
    let mode: Mode = 'job'
    const found: Record<string, number> = {}
    const startedAt = Date.now()
    for (let i = 0; i < KILLS; i++) {
      // The server runs in this kill's mode (the restart after the previous kill chose it).
      if (mode !== modeOf(i)) {
        await server!.stop()
        mode = modeOf(i)
        server = await startServer(mode)
      }
      const killAt = Math.floor(rnd() * ref.importMs * 1.1)
      const before = (await imports(orgId)).length
      const t0 = Date.now()
      const posted = post(orgId)
      // Wait for the kill point; no use waiting on once the import is over.
      let settledEarly = false
      void posted.then(() => (settledEarly = mode === 'sync'))
      while (Date.now() - t0 < killAt && !settledEarly) {
        await sleep(Math.min(100, Math.max(0, killAt - (Date.now() - t0))))
        const latest = (await imports(orgId)).slice(before)
        if (latest.some((r) => r.status === 'completed' || r.status === 'failed')) break
      }
      const atKill = (await imports(orgId)).slice(before)
      // The shared server's worker polls the same queue and may have taken the job (as a second
      // server would): then this kill does not touch the import, which completes there.
      const holder = await lockHolder(orgId)
      const killedAfter = Date.now() - t0
      await server!.kill()
      const answer = await posted
      killsInOrg++
      mode = modeOf(i + 1)
      const r0 = Date.now()
      server = await startServer(mode)
      const restartMs = Date.now() - r0
      const { ms: settleMs, imports: after } = await settle(orgId, 120_000 + ref.importMs * 2)

      const mine = after.slice(before)
      const state = await orgState(orgId)
      const complete = mine.some((r) => r.status === 'completed')
      const what = `kill ${i + 1} (${modeOf(i)}) at ${killedAfter} ms [${atKill.map((r) => `${r.status}${r.rowsRead ? `@${r.rowsRead}` : ''}`).join(',') || 'no record'}${holder ? ` held by ${holder}` : ''}; answer ${'status' in answer ? answer.status : 'none'}]`
      // All or nothing: the organization holds the whole file (this import completed) or
      // nothing of any attempt so far.
      expect(state, what).toEqual(complete ? ref.state : EMPTY)
      expect(
        mine.every((r) => r.status === 'completed' || r.status === 'failed'),
        `${what}: ${JSON.stringify(mine)}`,
      ).toBe(true)
      expect(mine.filter((r) => r.status === 'completed').length, what).toBeLessThanOrEqual(1)
      // A failed record says why: interrupted (swept after the restart).
      for (const r of mine.filter((x) => x.status === 'failed')) expect(r.error, `${what}: ${JSON.stringify(r)}`).toBe('interrupted')
      // A sync import in the request leaves no record unless it finished.
      if (modeOf(i) === 'sync' && !complete) expect(mine, what).toEqual([])
      const label = complete
        ? 'complete'
        : mine.length
          ? `absent (${mine.map((r) => `${r.status}:${r.error}`).join(',')})`
          : 'absent (no record)'
      found[label] = (found[label] ?? 0) + 1
      log.push(`${what} -> ${label}; restart ${restartMs} ms, settled ${settleMs} ms`)
      console.log(`[import-kill] ${log[log.length - 1]}`)
      if (complete) {
        // The kill came too late: the completed import is the run after this organization's
        // kills. It matches the reference; the next kills start in a fresh organization.
        expect(mine.find((r) => r.status === 'completed')!.counts, what).toMatchObject(ref.counts)
        log.push(`  org ${orgId}: complete after ${killsInOrg} kill(s), counts and totals equal the reference`)
        orgId = await newOrg()
        killsInOrg = 0
      }
    }

    if (killsInOrg > 0) {
      if (mode !== 'job') {
        await server!.stop()
        mode = 'job'
        server = await startServer(mode)
      }
      const before = (await imports(orgId)).length
      const res = await post(orgId)
      expect('status' in res && res.status, JSON.stringify(res)).toBe(202)
      const { imports: after } = await settle(orgId, 600_000)
      const mine = after.slice(before)
      expect(mine.map((r) => r.status)).toEqual(['completed'])
      expect(mine[0]!.counts).toMatchObject(ref.counts)
      expect(await orgState(orgId)).toEqual(ref.state)
      log.push(`final run in org ${orgId} after ${killsInOrg} kill(s): completed, counts and totals equal the reference`)
    }
    // What the kills left on disk (half-streamed uploads, files of requests killed mid-import)
    // is swept: the temp dir empties once nothing names its files.
    const tempDir = path.join(KILL_TMP, 'partner-ledger-imports')
    const leftover = () => (existsSync(tempDir) ? readdirSync(tempDir, { withFileTypes: true }).filter((d) => d.isFile()).length : 0)
    const atFirstLook = leftover()
    const deadline = Date.now() + 60_000
    while (leftover() > 0 && Date.now() < deadline) await sleep(500)
    expect(leftover(), `temp files left in ${tempDir}`).toBe(0)
    log.push(`temp files: ${atFirstLook} when the kills were over, 0 after the sweep`)
    console.log(
      `[import-kill] ${inject('dbKind')}: ${KILLS} server kills in ${Math.round((Date.now() - startedAt) / 1000)} s; states ${JSON.stringify(found)}\n  ` +
        log.join('\n  '),
    )
  }, 3_600_000)
})

describe('the import`s Postgres backend terminated mid-import', () => {
  test(`${DB_KILLS} times: the import fails, nothing is stored, no job is left open; then a clean run matches the reference`, async () => {
    expect(reference, 'the reference import ran').not.toBeNull()
    const ref = reference!
    if (server == null) server = await startServer('job')
    // The last restart may have been in sync mode.
    await server.stop()
    server = await startServer('job')
    const rnd = mulberry32(SEED ^ 0xdb)
    const orgId = await newOrg()
    const log: string[] = []
    const { rows: db } = await owner.query<{ name: string }>(`select current_database() as name`)
    for (let k = 0; k < DB_KILLS; k++) {
      const before = (await imports(orgId)).length
      const res = await post(orgId)
      expect('status' in res && res.status, JSON.stringify(res)).toBe(202)
      const importId = Number('body' in res ? res.body.importId : NaN)
      const target = Math.floor((0.1 + rnd() * 0.7) * ROWS)
      // Wait until the import has read `target` rows (progress is written every 5,000).
      let pid: number | null = null
      let rowsAtKill = 0
      const deadline = Date.now() + ref.importMs * 3 + 60_000
      while (Date.now() < deadline) {
        const [row] = (await imports(orgId)).filter((r) => r.id === importId)
        if (row && row.status !== 'queued' && row.status !== 'running') break
        if (row && (row.rowsRead ?? 0) >= Math.min(target, ROWS - 5000)) {
          // The import's connection is the one holding its advisory lock (records.ts importLockKey).
          const { rows } = await owner.query<{ pid: number }>(
            `select l.pid from pg_locks l join pg_database d on d.oid = l.database
              where l.locktype = 'advisory' and l.granted and d.datname = $1
                and (l.classid::bigint << 32 | l.objid::bigint) =
                    hashtextextended('import:' || $2 || ':conversions:' || (select file_sha256 from imports where id = $3), 0)`,
            [db[0]!.name, orgId, importId],
          )
          if (rows[0]) {
            pid = rows[0].pid
            rowsAtKill = row.rowsRead ?? 0
            await owner.query(`select pg_terminate_backend($1)`, [pid])
            break
          }
        }
        await sleep(50)
      }
      const { imports: after } = await settle(orgId, 120_000)
      const mine = after.slice(before)
      const what = `backend kill ${k + 1} (pid ${pid}, at ${rowsAtKill} rows read, target ${target})`
      expect(pid, `${what}: the import's backend was found`).not.toBeNull()
      expect(
        mine.map((r) => r.status),
        what,
      ).toEqual(['failed'])
      expect(mine[0]!.error, what).toBe('import_failed')
      expect(await orgState(orgId), what).toEqual(EMPTY)
      log.push(`${what} -> failed (${mine[0]!.error}), nothing stored`)
    }
    // The server survived the lost connections, and the same file now imports whole.
    const before = (await imports(orgId)).length
    const res = await post(orgId)
    expect('status' in res && res.status, JSON.stringify(res)).toBe(202)
    const { imports: after } = await settle(orgId, 600_000)
    const mine = after.slice(before)
    expect(mine.map((r) => r.status)).toEqual(['completed'])
    expect(mine[0]!.counts).toMatchObject(ref.counts)
    expect(await orgState(orgId)).toEqual(ref.state)
    log.push(`final run: completed, counts and totals equal the reference`)
    console.log(`[import-kill] ${inject('dbKind')}: database side\n  ${log.join('\n  ')}`)
  }, 1_800_000)
})

describe('the sweeper at the edges of a kill', () => {
  /** A job as a killed worker leaves it: taken (processing) two hours ago, never closed. */
  async function orphan(orgId: number, status: 'queued' | 'completed'): Promise<{ importId: number; jobId: number }> {
    const sha = randomBytes(32).toString('hex')
    const userId = (await owner.query<{ id: number }>(`select id from users where email = 'ops@demo.test'`)).rows[0]!.id
    const { rows } = await owner.query<{ id: number }>(
      `insert into imports (kind, status, file_name, file_sha256, rows_in, created_by_id, organization_id, updated_at, created_at)
       values ('conversions', $1, 'orphan.csv', $2, 0, $3, $4, now() - interval '2 hours', now() - interval '2 hours') returning id`,
      [status, sha, userId, orgId],
    )
    const importId = rows[0]!.id
    const input = {
      importId,
      organizationId: orgId,
      userId,
      role: 'ops',
      kind: 'conversions',
      fileName: 'orphan.csv',
      path: path.join(os.tmpdir(), 'partner-ledger-imports', `gone-${sha.slice(0, 8)}.csv`),
      sha256: sha,
      bytes: 1,
      mapping: null,
      dryRun: false,
      override: false,
    }
    const job = await owner.query<{ id: number }>(
      `insert into payload_jobs (input, task_slug, queue, processing, created_at, updated_at)
       values ($1, 'importFile', 'imports', true, now() - interval '2 hours', now() - interval '2 hours') returning id`,
      [JSON.stringify(input)],
    )
    return { importId, jobId: job.rows[0]!.id }
  }

  async function untilJobClosed(jobId: number) {
    const deadline = Date.now() + 60_000
    for (;;) {
      const { rows } = await owner.query<{ processing: boolean; has_error: boolean }>(
        `select processing, coalesce(has_error, false) as has_error from payload_jobs where id = $1`,
        [jobId],
      )
      if (!rows[0]!.processing) return rows[0]!
      if (Date.now() > deadline) throw new Error(`job ${jobId} still processing`)
      await sleep(200)
    }
  }

  test('killed after the worker took the job but before the record was marked running: the queued record is failed, the job closed', async () => {
    const orgId = await newOrg()
    const { importId, jobId } = await orphan(orgId, 'queued')
    expect(await untilJobClosed(jobId)).toEqual({ processing: false, has_error: true })
    const [row] = (await imports(orgId)).filter((r) => r.id === importId)
    expect(row).toMatchObject({ status: 'failed', error: 'interrupted' })
  })

  test('killed after the import committed but before Payload closed the job: the job is closed, the record stays completed', async () => {
    const orgId = await newOrg()
    const { importId, jobId } = await orphan(orgId, 'completed')
    expect(await untilJobClosed(jobId)).toEqual({ processing: false, has_error: true })
    const [row] = (await imports(orgId)).filter((r) => r.id === importId)
    expect(row).toMatchObject({ status: 'completed', error: null })
    const { rows } = await owner.query(`select action from audit_events where entity_type = 'import' and entity_id = $1`, [
      String(importId),
    ])
    expect(rows).toEqual([])
  })
})
