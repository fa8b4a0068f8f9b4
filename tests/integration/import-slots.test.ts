import { createHash, randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { createBatchOrg, type BatchOrg } from '../helpers/batches'
import { upload } from '../helpers/upload'

/**
 * One import at a time per organization and kind (src/services/import-slot.ts, docs/api.md): a
 * second upload of the same kind while one is queued, running or importing in its request is
 * refused (409 import_running), naming the import when it has a record; another kind or another
 * organization is not held up; the database refuses a second queued/running record by itself;
 * an interrupted import, once the sweep marks it failed, frees the slot.
 */
let owner: pg.Client
const tag = randomUUID().slice(0, 6).toUpperCase()
let n = 0

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
})

afterAll(async () => {
  await owner?.end()
})

const OPS = 'ops@demo.test'

function conversionsCsv(rows = 3): { csv: string; prefix: string } {
  const prefix = `S${tag}-${++n}-`
  const lines = ['code,order_id,amount,date', ...Array.from({ length: rows }, (_, i) => `NOBODY${tag},${prefix}${i},2.00,2026-11-09`)]
  return { csv: lines.join('\n'), prefix }
}

const refundsCsv = () => `Order ID,Refund amount,Refunded at\nR${tag}-${++n},1.00,2026-11-10\n`
const REFUND_MAPPING = { order_id: 'Order ID', amount: 'Refund amount', refunded_at: 'Refunded at' }

async function importAs(org: BatchOrg, csv: string, opts: { kind?: string; mapping?: Record<string, string> } = {}) {
  return upload(await org.as(OPS), csv, { fileName: `slot-${++n}.csv`, headers: org.headers, ...opts })
}

async function storedConversions(prefix: string): Promise<number> {
  return Number((await owner.query(`select count(*) n from conversions where order_id like $1`, [`${prefix}%`])).rows[0].n)
}

async function insertImport(org: BatchOrg, status: 'queued' | 'running', kind = 'conversions', updatedAt = 'now()'): Promise<number> {
  const { rows } = await owner.query(
    `insert into imports (kind, status, file_name, file_sha256, progress, created_by_id, organization_id, started_at, updated_at, created_at)
     values ($1, $2, $3, $4, '{"rowsRead": 0}', (select id from users where email = $5), $6, now(), ${updatedAt}, now()) returning id`,
    [kind, status, `held-${tag}-${++n}.csv`, createHash('sha256').update(randomUUID()).digest('hex'), OPS, org.organizationId],
  )
  return Number(rows[0].id)
}

/** Polls until `check` holds; the deadline only stops a hung test. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('a queued or running import holds its kind', () => {
  test('a second import of the kind is refused (409) naming it; another kind and another organization proceed', async () => {
    const org = await createBatchOrg(owner)
    const queued = await insertImport(org, 'queued')
    const file = conversionsCsv()
    const refused = await importAs(org, file.csv)
    expect(refused.status, JSON.stringify(refused.body)).toBe(409)
    expect(refused.body.error).toMatchObject({
      code: 'import_running',
      details: { kind: 'conversions', importId: queued, status: 'queued' },
    })
    expect(refused.body.error.message).toContain(`Import #${queued}`)
    expect(await storedConversions(file.prefix)).toBe(0)

    const refunds = await importAs(org, refundsCsv(), { kind: 'refunds', mapping: REFUND_MAPPING })
    expect(refunds.status, JSON.stringify(refunds.body)).toBe(201)

    const other = await createBatchOrg(owner)
    const elsewhere = await importAs(other, file.csv)
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(201)
    expect(await storedConversions(file.prefix)).toBe(3)
  })

  test('the database itself allows one queued or running import per organization and kind', async () => {
    const org = await createBatchOrg(owner)
    await insertImport(org, 'running')
    for (const status of ['queued', 'running'] as const) {
      await expect(insertImport(org, status)).rejects.toMatchObject({ code: '23505', constraint: 'imports_one_running_per_kind' })
    }
    await expect(insertImport(org, 'queued', 'partners')).resolves.toBeGreaterThan(0)
    await expect(insertImport(await createBatchOrg(owner), 'queued')).resolves.toBeGreaterThan(0)
  })
})

describe('an import in its request holds its kind too', () => {
  test('of two concurrent uploads of the kind, one proceeds and the other is refused; another kind proceeds meanwhile', async () => {
    const org = await createBatchOrg(owner)
    const first = conversionsCsv()
    // Hold the first import inside its run, after it has claimed its slot: the test inserts one of
    // its rows in a transaction it keeps open, so the import's insert waits on that row.
    const holder = new pg.Client({ connectionString: inject('ownerUrl') })
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query(
        `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
         values ($1, $2, 200, 'USD', '2026-11-09', 'unattributed', $3)`,
        [`NOBODY${tag}`, `${first.prefix}0`, org.organizationId],
      )
      const xid = (await holder.query(`select pg_current_xact_id()::text as xid`)).rows[0].xid
      const running = importAs(org, first.csv)
      await until('the first import to wait on the held row', async () => {
        const { rows } = await owner.query(
          `select count(*)::int n from pg_locks where locktype = 'transactionid' and not granted and transactionid::text = $1`,
          [xid],
        )
        return rows[0].n > 0
      })

      const second = conversionsCsv()
      const refused = await importAs(org, second.csv)
      expect(refused.status, JSON.stringify(refused.body)).toBe(409)
      expect(refused.body.error).toMatchObject({ code: 'import_running', details: { kind: 'conversions', importId: null } })
      expect(refused.body.error.message).toMatch(/Another conversions import is running/)

      const refunds = await importAs(org, refundsCsv(), { kind: 'refunds', mapping: REFUND_MAPPING })
      expect(refunds.status, JSON.stringify(refunds.body)).toBe(201)

      await holder.query('rollback')
      const done = await running
      expect(done.status, JSON.stringify(done.body)).toBe(201)
      expect(await storedConversions(first.prefix)).toBe(3)
      expect(await storedConversions(second.prefix)).toBe(0)

      // The slot is free again once the first has finished.
      const after = await importAs(org, second.csv)
      expect(after.status, JSON.stringify(after.body)).toBe(201)
    } finally {
      await holder.end()
    }
  })
})

describe('an interrupted import', () => {
  test('holds its kind while it looks alive; once the sweep marks it failed, the kind is free again', async () => {
    const org = await createBatchOrg(owner)
    const crashed = await insertImport(org, 'running')
    const file = conversionsCsv()
    const refused = await importAs(org, file.csv)
    expect(refused.status).toBe(409)
    expect(refused.body.error.details.importId).toBe(crashed)

    // Its server is gone: no progress for an hour and its job left processing (as the sweep finds it).
    await owner.query(`update imports set updated_at = now() - interval '1 hour' where id = $1`, [crashed])
    const record = (await owner.query(`select file_sha256, file_name, created_by_id from imports where id = $1`, [crashed])).rows[0]
    await owner.query(
      `insert into payload_jobs (input, task_slug, queue, processing, created_at, updated_at)
       values ($1, 'importFile', 'imports', true, now() - interval '1 hour', now() - interval '1 hour')`,
      [
        JSON.stringify({
          importId: crashed,
          organizationId: org.organizationId,
          userId: record.created_by_id,
          role: 'ops',
          kind: 'conversions',
          fileName: record.file_name,
          path: path.join(os.tmpdir(), 'partner-ledger-imports', `gone-${tag}.csv`),
          sha256: record.file_sha256,
          bytes: 1,
          mapping: null,
          dryRun: false,
          override: false,
        }),
      ],
    )
    await until(
      'the sweep to mark it failed',
      async () => (await owner.query(`select status from imports where id = $1`, [crashed])).rows[0].status === 'failed',
    )
    const now = await importAs(org, file.csv)
    expect(now.status, JSON.stringify(now.body)).toBe(201)
    expect(await storedConversions(file.prefix)).toBe(3)
  })
})
