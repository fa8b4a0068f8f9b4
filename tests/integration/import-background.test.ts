import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { outboxFor } from '../helpers/accounts'
import { baseUrl, login, type Session } from '../helpers/http'
import { upload, waitForImport } from '../helpers/upload'
import { sweepOrphanTempFiles } from '../../src/services/imports/temp-sweep'

/**
 * Files over IMPORT_SYNC_MAX_BYTES (1 MB in tests, tests/setup/global-setup.ts) are imported by a
 * Payload job: 202 at once, then GET /api/imports/:id follows status and progress until the report.
 * Real server, real Postgres; the job runs in the server's own worker.
 */
let owner: pg.Client
let ops: Session
let admin: Session
let demoOrg: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const oid = (n: number) => `B${tag}-${n}`
const SYNC_MAX = 1024 * 1024

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  admin = await login('admin@demo.test')
  demoOrg = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
})

afterAll(async () => {
  await owner?.end()
})

const ROWS = 26_000

/**
 * 26,000 rows (> 1 MB, so more than five 5,000-row chunks): row 20,002 repeats row 12 (an earlier
 * chunk: the database finds it), row 7 repeats row 3 (same chunk), both with the same amount and
 * date (another amount would be a duplicate_conflict), every 1,000th order has an
 * unknown code, row 15,000 a bad amount.
 */
function bigFile(): { csv: string; expected: Record<string, number> } {
  const lines = ['code,order_id,amount,date,customer_name']
  for (let i = 0; i < ROWS; i++) {
    const row = i + 2
    if (row === 7) lines.push(`JANE10,${oid(1)},2.25,2026-11-01,repeat of row 3`)
    else if (row === 20_002) lines.push(`jane10,${oid(10)},11.25,2026-11-01,repeat of row 12`)
    else if (row === 15_000) lines.push(`JANE10,${oid(i)},twelve,2026-11-01,bad amount`)
    else if (i % 1000 === 500) lines.push(`NOBODY${tag},${oid(i)},3.50,2026-11-02,unknown code`)
    else lines.push(`JANE10,${oid(i)},${(i % 90) + 1}.25,2026-11-01,Customer number ${i} with a longer name`)
  }
  const unattributed = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 1000 === 500).length
  return {
    csv: lines.join('\n') + '\n',
    expected: { rowsIn: ROWS, duplicate: 2, rejected: 1, unattributed, created: ROWS - 2 - 1 - unattributed, updated: 0 },
  }
}

async function stored(prefix: string): Promise<number> {
  return (await owner.query(`select count(*)::int n from conversions where order_id like $1`, [`${prefix}%`])).rows[0].n
}

async function auditActions(importId: number): Promise<string[]> {
  const { rows } = await owner.query(`select action from audit_events where entity_type = 'import' and entity_id = $1 order by seq`, [
    String(importId),
  ])
  return rows.map((r) => r.action)
}

describe('a file over the sync limit', () => {
  const file = bigFile()
  const fileName = `big-${tag}.csv`

  test('the file is larger than the sync limit (the premise of this suite)', () => {
    expect(Buffer.byteLength(file.csv)).toBeGreaterThan(SYNC_MAX)
  })

  test('a dry run answers 202, runs in the background and ends as dry_run with the counts; nothing is stored', async () => {
    const res = await upload(ops, file.csv, { fileName, dryRun: true })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    expect(res.body).toMatchObject({ status: 'queued', statusUrl: `/api/imports/${res.body.importId}` })
    const done = await waitForImport(ops, res.body.importId)
    expect(done.status, JSON.stringify(done.report?.error ?? null)).toBe('dry_run')
    expect(done.counts).toMatchObject(file.expected)
    expect(await stored(`B${tag}-`)).toBe(0)
  })

  let importId = 0
  test('the import answers 202 with an id, progresses, completes with the counts, and stores the rows', async () => {
    const res = await upload(ops, file.csv, { fileName })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    importId = res.body.importId
    expect(res.body.progress).toEqual({ rowsRead: 0, bytesRead: 0, bytesTotal: Buffer.byteLength(file.csv), percent: 0 })

    const seen: { status: string; rowsRead: number }[] = []
    const done = await waitForImport(ops, importId, (doc) => seen.push({ status: doc.status, rowsRead: doc.progress?.rowsRead ?? 0 }))
    expect(done.status, JSON.stringify(done.report?.error ?? null)).toBe('completed')
    expect(done.counts).toMatchObject(file.expected)
    expect(done.rowsIn).toBe(ROWS)
    expect(done.progress).toMatchObject({ rowsRead: ROWS, bytesRead: Buffer.byteLength(file.csv), percent: 100, done: true })
    // Whatever states the polling happened to see, they only move forward.
    const order = ['queued', 'running', 'completed']
    for (let i = 1; i < seen.length; i++) {
      expect(order.indexOf(seen[i]!.status)).toBeGreaterThanOrEqual(order.indexOf(seen[i - 1]!.status))
      expect(seen[i]!.rowsRead).toBeGreaterThanOrEqual(seen[i - 1]!.rowsRead)
    }
    // Progress rows are counted in steps of 5,000 while running.
    for (const s of seen.filter((x) => x.status === 'running')) expect(s.rowsRead % 5000).toBe(0)

    // The same duplicates a sync import reports: in-file, whichever chunk the first one was in.
    expect(done.report.duplicates).toEqual({ inFile: 2, existing: 0 })
    const dupRows = (done.report.samples.duplicate as { row: number; detail: { of: string } }[]).map((s) => [s.row, s.detail.of])
    expect(dupRows).toEqual([
      [7, 'row 3'],
      [20_002, 'an earlier row of this file'],
    ])
    expect(done.report.errors[0]).toMatchObject({ row: 15_000, column: 'amount' })
    expect(await stored(`B${tag}-`)).toBe(file.expected.created! + file.expected.unattributed!)
    expect(await auditActions(importId)).toEqual(['import.queued', 'import.created'])
  })

  test('the importer gets an email with the counts and a link to the import', async () => {
    const mails = await outboxFor(admin, 'ops@demo.test')
    const mail = mails.find((m) => m.subject === `Import finished: ${fileName}`)
    expect(mail, JSON.stringify(mails.map((m) => m.subject))).toBeTruthy()
    expect(mail!.bodyText).toContain(`Rows read: ${ROWS}`)
    expect(mail!.bodyText).toContain(`Created: ${file.expected.created}`)
    expect(mail!.bodyText).toContain(`/admin/collections/imports/${importId}`)
  })

  test('GET /api/imports/:id is read-only: an update is refused and the record is unchanged', async () => {
    const res = await ops.request('PATCH', `/api/imports/${importId}`, { status: 'failed' })
    expect(res.status).toBe(403)
    expect((await ops.request('GET', `/api/imports/${importId}`)).body.status).toBe('completed')
  })

  test('the same big file again is refused at once (409), naming the import, with nothing queued', async () => {
    const before = (await owner.query(`select count(*)::int n from imports where file_name = $1`, [fileName])).rows[0].n
    const res = await upload(ops, file.csv, { fileName })
    expect(res.status).toBe(409)
    expect(res.body.error.details.importId).toBe(importId)
    expect((await owner.query(`select count(*)::int n from imports where file_name = $1`, [fileName])).rows[0].n).toBe(before)
  })

  test('a mapping naming a missing column is refused at once (400), nothing queued', async () => {
    const res = await upload(ops, file.csv, {
      fileName: `map-${tag}.csv`,
      mapping: { code: 'Coupon', order_id: 'order_id', amount: 'amount' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('mapping_invalid')
    expect((await owner.query(`select count(*)::int n from imports where file_name = $1`, [`map-${tag}.csv`])).rows[0].n).toBe(0)
  })
})

describe('a background import that fails', () => {
  test('a broken quote near the end: the record is failed with the error, nothing is stored, the importer is told', async () => {
    const lines = ['code,order_id,amount,date']
    for (let i = 0; i < 30_000; i++) lines.push(`JANE10,F${tag}-${i},1.00,2026-11-01`)
    lines.push(`JANE10,F${tag}-x,"1.00,2026-11-01`)
    const csv = lines.join('\n') + '\n'
    expect(Buffer.byteLength(csv)).toBeGreaterThan(SYNC_MAX)
    const fileName = `broken-${tag}.csv`
    const res = await upload(ops, csv, { fileName })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    const done = await waitForImport(ops, res.body.importId)
    expect(done.status).toBe('failed')
    expect(done.report.error).toMatchObject({ code: 'invalid_file', details: { reason: 'unterminated_quote' } })
    expect(done.counts ?? null).toBeNull()
    expect(await stored(`F${tag}-`)).toBe(0)
    expect(await auditActions(res.body.importId)).toEqual(['import.queued', 'import.failed'])
    const mails = await outboxFor(admin, 'ops@demo.test')
    const mail = mails.find((m) => m.subject === `Import failed: ${fileName}`)
    expect(mail?.bodyText).toMatch(/Nothing from this file was stored/)
  })

  test('invalid organization settings: the job fails naming them, nothing stored', async () => {
    const { rows } = await owner.query(`select settings from organizations where id = $1`, [demoOrg])
    const saved = rows[0].settings
    const lines = ['code,order_id,amount,date']
    for (let i = 0; i < 30_000; i++) lines.push(`JANE10,S${tag}-${i},1.00,2026-11-01`)
    const csv = lines.join('\n') + '\n'
    await owner.query(`update organizations set settings = jsonb_build_object('defaultCurrency', 'NOPE') where id = $1`, [demoOrg])
    let res
    try {
      res = await upload(ops, csv, { fileName: `settings-${tag}.csv` })
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      const done = await waitForImport(ops, res.body.importId)
      expect(done.status).toBe('failed')
      expect(done.report.error).toMatchObject({ code: 'invalid_settings' })
    } finally {
      await owner.query(`update organizations set settings = $2 where id = $1`, [demoOrg, saved])
    }
    expect(await stored(`S${tag}-`)).toBe(0)
  })
})

describe('an import whose server died', () => {
  test('a running import with no progress and no live transaction is marked failed by the sweep, audited', async () => {
    const sha = randomUUID().replace(/-/g, '').padEnd(64, '0')
    const { rows } = await owner.query(
      `insert into imports (kind, status, file_name, file_sha256, progress, created_by_id, organization_id, started_at, updated_at, created_at)
       values ('conversions', 'running', $1, $2, '{"rowsRead": 5000}', (select id from users where email = 'ops@demo.test'), $3,
               now() - interval '2 hours', now() - interval '1 hour', now() - interval '2 hours')
       returning id`,
      [`crashed-${tag}.csv`, sha, demoOrg],
    )
    const importId = rows[0].id
    const userId = (await owner.query(`select id from users where email = 'ops@demo.test'`)).rows[0].id
    const job = await owner.query(
      `insert into payload_jobs (input, task_slug, queue, processing, created_at, updated_at)
       values ($1, 'importFile', 'imports', true, now() - interval '2 hours', now() - interval '2 hours') returning id`,
      [
        JSON.stringify({
          importId,
          organizationId: demoOrg,
          userId,
          role: 'ops',
          kind: 'conversions',
          fileName: `crashed-${tag}.csv`,
          path: path.join(os.tmpdir(), 'partner-ledger-imports', `gone-${tag}.csv`),
          sha256: sha,
          bytes: 123,
          mapping: null,
          dryRun: false,
          override: false,
        }),
      ],
    )
    const done = await waitForImport(ops, importId)
    expect(done.status).toBe('failed')
    expect(done.report.error).toMatchObject({ code: 'interrupted' })
    expect(await auditActions(importId)).toEqual(['import.failed'])
    const jobRow = (await owner.query(`select processing, has_error from payload_jobs where id = $1`, [job.rows[0].id])).rows[0]
    expect(jobRow).toEqual({ processing: false, has_error: true })
  })
})

describe('temp files a killed process left behind', () => {
  /**
   * The sweep itself, on a directory of its own: the servers of the test run sweep the shared temp
   * dir concurrently, so what they remove there says nothing about one sweep. That the server
   * runs the sweep is shown by the kill test, whose killed server empties its own TMPDIR.
   */
  test('the sweep removes an old file no open job names; a queued job`s file and a recent file stay', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'temp-sweep-'))
    const orphan = path.join(dir, `orphan-${tag}.csv`)
    const queued = path.join(dir, `parked-${tag}.csv`)
    const fresh = path.join(dir, `fresh-${tag}.csv`)
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    for (const f of [orphan, queued, fresh]) writeFileSync(f, 'code,order_id,amount\n', { mode: 0o600 })
    utimesSync(orphan, twoHoursAgo, twoHoursAgo)
    utimesSync(queued, twoHoursAgo, twoHoursAgo)
    // A job not yet taken (on a queue no worker polls, so it stays open) still needs its file.
    const job = await owner.query(
      `insert into payload_jobs (input, task_slug, queue, processing, created_at, updated_at)
       values ($1, 'importFile', 'parked-by-test', false, now(), now()) returning id`,
      [JSON.stringify({ path: queued })],
    )
    const pool = new pg.Pool({ connectionString: inject('ownerUrl'), max: 1 })
    try {
      const removed = await sweepOrphanTempFiles(pool, { task: 'importFile', dir, maxAgeMs: 60 * 60_000 })
      expect(removed).toEqual([orphan])
      expect([existsSync(orphan), existsSync(queued), existsSync(fresh)]).toEqual([false, true, true])
      // Once the job is closed its file is an orphan too.
      await owner.query(`update payload_jobs set completed_at = now() where id = $1`, [job.rows[0].id])
      expect(await sweepOrphanTempFiles(pool, { task: 'importFile', dir, maxAgeMs: 60 * 60_000 })).toEqual([queued])
      expect(existsSync(fresh)).toBe(true)
    } finally {
      await pool.end()
      await owner.query(`delete from payload_jobs where id = $1`, [job.rows[0].id])
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('streaming limits', () => {
  test('over IMPORT_MAX_BYTES while streaming: 413, and the temp file is gone', async () => {
    const dir = path.join(os.tmpdir(), 'partner-ledger-imports')
    const listing = () => {
      try {
        return readdirSync(dir).sort()
      } catch {
        return []
      }
    }
    const before = listing()
    const boundary = `----big${tag}`
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nconversions\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\nContent-Type: text/csv\r\n\r\ncode,order_id,amount,date\n`,
    )
    const line = Buffer.from(`JANE10,h-${tag},1.00,2026-11-01\n`.repeat(20_000))
    let sent = 0
    let sawTempFile = false
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new Uint8Array(head))
        if (sent >= 60 * 1024 * 1024) return controller.close()
        // Halfway, the server is writing the upload to a temp file (it is not held in memory).
        if (sent > 20 * 1024 * 1024 && !sawTempFile) sawTempFile = listing().some((f) => !before.includes(f))
        sent += line.length
        controller.enqueue(new Uint8Array(line))
      },
    })
    const res = await fetch(`${baseUrl()}/api/imports`, {
      method: 'POST',
      body,
      headers: { cookie: ops.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      duplex: 'half',
    } as RequestInit).catch((err: unknown) => err as Error)
    if (res instanceof Response) {
      expect(res.status).toBe(413)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('file_too_large')
    }
    expect(sawTempFile).toBe(true)
    // Removal follows the answer closely; poll briefly rather than assume an order.
    const deadline = Date.now() + 10_000
    while (listing().some((f) => !before.includes(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(listing().filter((f) => !before.includes(f))).toEqual([])
  })
})
