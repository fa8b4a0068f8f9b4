/**
 * `npm run bench [-- --sizes 100000,1000000 --db server,embedded --partners 10000 --seed 7 --duration 10]`
 * (`--no-import`, `--no-core`, `--no-list` leave a part out; `--keep-db` / `--reuse-db <name>` keep a
 * server database between runs, for iterating on list pages.)
 *
 * Per target database: a fresh database, migrated and seeded like the tests, 10,000 partners
 * bulk-loaded, the production server (`next start`), and then over real HTTP as ops@demo.test:
 * conversions imports (wall time, rows/s, peak RSS of the server's process tree), the same file
 * again (refused by SHA-256), the same file with override=true, an overlapping second file; the
 * floor (`psql \copy` of the same rows, pre-canonicalised, into a table with the same unique
 * index, in the same database); then list-page latency at 1,000,000 conversions with autocannon.
 * Pure-core figures (batch draft, exports) run once in this process. Prints one markdown table
 * and writes it with the raw figures to bench/out/. Never part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, openAsBlob, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import autocannon from 'autocannon'

import { ensureBuild } from '../scripts/lib/build'
import { enableAppLogin, migrate, run } from '../scripts/lib/database'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../scripts/lib/embedded-postgres'
import { serverNodeOptions } from '../scripts/lib/server-memory'
import { freePort, SEED_PASSWORD, TEST_PAYOUT_KEY, TEST_SECRET, waitForHttp } from '../tests/setup/global-setup'
import { APP_PASSWORD, withClient } from '../tests/setup/test-database'
import { measureBatchDraft, measureExports, measureParse, type BatchFigure, type ExportFigure } from './core'
import { FLOOR_COLUMNS, generateDataset, partnerAt, type DatasetManifest } from './generate'

type DbKind = 'server' | 'embedded'

const ALL_SIZES = [100_000, 1_000_000]
const LIST_ROWS = 1_000_000
const EMBEDDED_PORT = 54349

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? undefined : process.argv[at + 1]
}
const sizes = (arg('sizes')?.split(',') ?? ALL_SIZES.map(String)).map((s) => Number(s.replace(/_/g, '')))
const dbs = (arg('db')?.split(',') ?? ['server', 'embedded']) as DbKind[]
const partnerCount = Number(arg('partners') ?? 10_000)
const seed = Number(arg('seed') ?? 7)
const durationS = Number(arg('duration') ?? 10)
const skipList = process.argv.includes('--no-list')
/** List pages only: no import sizes (the list step tops the organization up to 1,000,000 rows itself). */
const skipImport = process.argv.includes('--no-import')
const skipCore = process.argv.includes('--no-core')
/** Iterating on list pages: keep the bench database after the run, or reuse one kept before (skips migrate, seed, partners). */
const keepDb = process.argv.includes('--keep-db')
const reuseDb = arg('reuse-db')
for (const s of sizes) if (!Number.isSafeInteger(s) || s < 1) throw new Error(`--sizes: ${s} is not a row count`)
for (const d of dbs) if (d !== 'server' && d !== 'embedded') throw new Error(`--db: ${d} is not server or embedded`)

// ---------------------------------------------------------------- results

interface Row {
  db: string
  measure: string
  rows: number | null
  ms: number | null
  /** e.g. "refused (413)", "409 in 40 ms" */
  note?: string
  peakRssMb?: number | null
  floorMs?: number | null
  target?: string
  met?: boolean | null
}
const results: Row[] = []
const raw: Record<string, unknown> = { seed, partnerCount, sizes, dbs, startedAt: new Date().toISOString(), host: hostInfo() }

function hostInfo() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }
}

const fmtMs = (ms: number | null | undefined) => (ms == null ? '' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)
const fmtInt = (n: number | null | undefined) => (n == null ? '' : n.toLocaleString('en-US'))

function table(rows: readonly Row[]): string {
  const head = ['Database', 'Measure', 'Rows', 'Time', 'Rows/s', 'Peak RSS (server)', 'Floor', 'Ratio to floor', 'Target', 'Met']
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`]
  for (const r of rows) {
    const rate = r.rows != null && r.ms ? fmtInt(Math.round((r.rows * 1000) / r.ms)) : ''
    const ratio = r.ms != null && r.floorMs ? `${(r.ms / r.floorMs).toFixed(1)}x` : ''
    const time = r.note ?? fmtMs(r.ms)
    const met = r.met == null ? '' : r.met ? 'yes' : '**no**'
    lines.push(
      `| ${[r.db, r.measure, fmtInt(r.rows), time, r.note ? '' : rate, r.peakRssMb == null ? '' : `${r.peakRssMb} MB`, fmtMs(r.floorMs), ratio, r.target ?? '', met].join(' | ')} |`,
    )
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------- memory of the server's process tree

function childrenOf(pid: number): number[] {
  const kids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // comm may contain spaces and parentheses: the ppid is the second field after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) kids.push(Number(entry))
    } catch {
      // exited meanwhile
    }
  }
  return kids
}

function tree(pid: number): number[] {
  const all = [pid]
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i] as number))
  return all
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** Samples VmRSS (summed over the tree) every 100 ms; stop() gives the peak and the largest VmHWM seen. */
function sampleRss(rootPid: number) {
  let pids = tree(rootPid)
  let peakKb = 0
  let ticks = 0
  const tick = () => {
    if (ticks++ % 20 === 0) pids = tree(rootPid)
    peakKb = Math.max(
      peakKb,
      pids.reduce((s, p) => s + statusKb(p, 'VmRSS'), 0),
    )
  }
  tick()
  const timer = setInterval(tick, 100)
  return {
    stop() {
      clearInterval(timer)
      tick()
      return { peakMb: Math.round(peakKb / 1024), hwmMb: Math.round(Math.max(...tree(rootPid).map((p) => statusKb(p, 'VmHWM'))) / 1024) }
    },
  }
}

// ---------------------------------------------------------------- the stack

interface Target {
  kind: DbKind
  adminUrl: string
  ownerUrl: string
  appUrl: string
  dbName: string
  embedded: EmbeddedDatabase | null
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function createTarget(kind: DbKind): Promise<Target> {
  let embedded: EmbeddedDatabase | null = null
  let adminUrl: string
  if (kind === 'server') adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  else {
    embedded = await startEmbeddedPostgres(path.resolve('data/bench-pg'), 'postgres', EMBEDDED_PORT)
    adminUrl = embedded.ownerUrl
  }
  const dbName = reuseDb ?? `ledger_bench_${process.pid}`
  if (!reuseDb) {
    await withClient(adminUrl, async (c) => {
      await c.query(`drop database if exists ${dbName} with (force)`)
      await c.query(`create database ${dbName}`)
    })
  }
  const ownerUrl = withDatabase(adminUrl, dbName)
  console.log(`[${kind}] migrating ${dbName}…`)
  await migrate(ownerUrl)
  // The app role is cluster-wide: use the tests' password so a test run on the same server is undisturbed.
  await enableAppLogin(ownerUrl, APP_PASSWORD)
  const app = new URL(ownerUrl)
  app.username = 'ledger_app'
  app.password = APP_PASSWORD
  return { kind, adminUrl, ownerUrl, appUrl: app.toString(), dbName, embedded }
}

async function dropTarget(t: Target) {
  if (keepDb || reuseDb) {
    console.log(`[${t.kind}] kept ${t.dbName} (--reuse-db ${t.dbName}; drop it when done)`)
    if (t.embedded) await t.embedded.stop()
    return
  }
  await withClient(t.adminUrl, (c) => c.query(`drop database if exists ${t.dbName} with (force)`)).catch(() => undefined)
  if (t.embedded) await t.embedded.stop()
}

/** The bench's partners, bulk-loaded as the owner (ids partnerIdBase + i, so the floor file can name them). */
async function loadPartners(t: Target, organizationId: number, base: number) {
  const ps = Array.from({ length: partnerCount }, (_v, i) => partnerAt(seed, i))
  await withClient(t.ownerUrl, async (c) => {
    await c.query('begin')
    await c.query(
      `insert into partners (id, name, email, status, payout_method, payout_email, organization_id)
       select * from unnest($1::int[], $2::text[], $3::text[], $4::enum_partners_status[], $5::enum_partners_payout_method[], $6::text[], $7::int[])`,
      [
        ps.map((p) => base + p.index),
        ps.map((p) => p.name),
        ps.map((p) => p.email),
        ps.map(() => 'active'),
        ps.map((p) => p.payoutMethod),
        ps.map((p) => p.payoutEmail),
        ps.map(() => organizationId),
      ],
    )
    await c.query(`insert into partner_codes (code, partner_id, organization_id) select * from unnest($1::text[], $2::int[], $3::int[])`, [
      ps.map((p) => p.code),
      ps.map((p) => base + p.index),
      ps.map(() => organizationId),
    ])
    await c.query('commit')
    await c.query('analyze partners; analyze partner_codes')
  })
}

interface Server {
  baseUrl: string
  pid: number
  child: ChildProcess
  log: string[]
  stop: () => Promise<void>
}

async function startServer(t: Target): Promise<Server> {
  const port = await freePort()
  const child = spawn(path.resolve('node_modules/.bin/next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: t.appUrl,
      PAYLOAD_SECRET: TEST_SECRET,
      PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
      PAYOUT_ENCRYPTION_KEY_ID: 'test1',
      NODE_ENV: 'production',
      PORT: String(port),
      INSECURE_COOKIES: 'true',
      SMTP_HOST: '',
      // The 1,000,000-row file (~95 MB) must be accepted; files over 5 MB import as a background job.
      IMPORT_MAX_BYTES: String(512 * 1024 * 1024),
      IMPORT_WORKER_INTERVAL_MS: '1000',
      // The production server's V8 limits (scripts/lib/server-memory.ts, as `npm start` sets them);
      // SERVER_HEAP_MB / SERVER_SEMI_SPACE_MB, or flags in NODE_OPTIONS, measure others.
      NODE_OPTIONS: serverNodeOptions(process.env.NODE_OPTIONS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const log: string[] = []
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()))
  const baseUrl = `http://127.0.0.1:${port}`
  await waitForHttp(`${baseUrl}/api/users/me`, child, log)
  const pid = child.pid as number
  return {
    baseUrl,
    pid,
    child,
    log,
    stop: async () => {
      process.kill(-pid, 'SIGTERM')
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))])
    },
  }
}

async function login(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: SEED_PASSWORD }),
  })
  const cookie = /payload-token=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0]
  if (res.status !== 200 || !cookie) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
  return cookie
}

interface UploadOutcome {
  status: number | 'connection closed'
  ms: number
  body: Record<string, unknown> | null
  peakMb: number
  hwmMb: number
  /** A 202: the import ran as a background job; `ms` runs until GET /api/imports/:id showed it finished. */
  background?: { acceptedMs: number; polls: number; maxRowsSeen: number }
}

/**
 * Follows a background import (202) on GET /api/imports/:id until it has finished, and answers as
 * the synchronous endpoint would have (201 completed, 200 dry run, the record's error otherwise).
 */
async function followImport(server: Server, cookie: string, importId: number) {
  let polls = 0
  let maxRowsSeen = 0
  for (;;) {
    await new Promise((r) => setTimeout(r, 500))
    polls++
    const res = await fetch(`${server.baseUrl}/api/imports/${importId}?depth=0`, { headers: { cookie } })
    const doc = (await res.json()) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    if (res.status !== 200) return { status: res.status, body: doc, polls, maxRowsSeen }
    maxRowsSeen = Math.max(maxRowsSeen, Number(doc.progress?.rowsRead ?? 0))
    if (doc.status === 'queued' || doc.status === 'running') continue
    const report = (doc.report ?? {}) as Record<string, unknown>
    if (doc.status === 'failed') return { status: 500, body: { error: report.error }, polls, maxRowsSeen }
    const body = {
      importId,
      status: doc.status,
      counts: doc.counts,
      duplicates: report.duplicates,
      durationMs: report.durationMs,
      insertMs: report.insertMs,
      stepMs: report.stepMs,
    }
    return { status: doc.status === 'completed' ? 201 : 200, body, polls, maxRowsSeen }
  }
}

async function upload(server: Server, cookie: string, file: string, override: boolean): Promise<UploadOutcome> {
  const form = new FormData()
  form.set('kind', 'conversions')
  form.set('override', String(override))
  form.set('file', await openAsBlob(file, { type: 'text/csv' }), path.basename(file))
  const rss = sampleRss(server.pid)
  const t0 = performance.now()
  let status: UploadOutcome['status']
  let body: Record<string, unknown> | null = null
  let background: UploadOutcome['background']
  try {
    const res = await fetch(`${server.baseUrl}/api/imports`, { method: 'POST', headers: { cookie }, body: form })
    status = res.status
    const text = await res.text()
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      body = { text: text.slice(0, 500) }
    }
    if (status === 202 && body && typeof body.importId === 'number') {
      const acceptedMs = performance.now() - t0
      const done = await followImport(server, cookie, body.importId)
      status = done.status
      body = done.body
      background = { acceptedMs, polls: done.polls, maxRowsSeen: done.maxRowsSeen }
    }
  } catch (err) {
    // The server may answer 413 and close before the client has sent the whole body.
    status = 'connection closed'
    body = { error: String((err as Error).cause ?? err) }
  }
  const ms = performance.now() - t0
  const mem = rss.stop()
  return { status, ms, body, peakMb: mem.peakMb, hwmMb: mem.hwmMb, background }
}

function psql(url: string, command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`psql exited with ${code}: ${command}`))))
  })
}

/** The floor: the same rows, already canonical, `\copy`'d into a table with the same unique index. */
async function floorCopy(t: Target, organizationId: number, manifest: DatasetManifest): Promise<number> {
  await withClient(t.ownerUrl, (c) =>
    c.query(`drop table if exists bench_floor;
      create table bench_floor (
        id serial primary key, code varchar not null, order_id varchar not null, partner_id integer,
        value_minor numeric not null, currency varchar not null, occurred_at timestamp(3) with time zone not null,
        customer_email varchar, customer_name varchar, status enum_conversions_status not null default 'attributed',
        organization_id integer not null default ${organizationId},
        updated_at timestamp(3) with time zone default now() not null, created_at timestamp(3) with time zone default now() not null);
      create unique index bench_floor_org_code_order on bench_floor (organization_id, code, order_id);`),
  )
  const file = manifest.files.floor1.replace(/'/g, "''")
  const ms = await psql(t.ownerUrl, `\\copy bench_floor (${FLOOR_COLUMNS.join(', ')}) from '${file}' with (format csv)`)
  await withClient(t.ownerUrl, (c) => c.query('drop table bench_floor'))
  return ms
}

/**
 * The same \copy into the conversions table itself (its nine indexes, foreign keys and checks; the
 * owner bypasses RLS), rolled back: how much of an import's cost is the table's own shape.
 */
async function tableFloorCopy(t: Target, organizationId: number, manifest: DatasetManifest): Promise<number> {
  const file = manifest.files.floor1.replace(/'/g, "''")
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const args = [t.ownerUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', 'begin']
    args.push('-c', `alter table conversions alter column organization_id set default ${organizationId}`)
    args.push('-c', `\\copy conversions (${FLOOR_COLUMNS.join(', ')}) from '${file}' with (format csv)`, '-c', 'rollback')
    const child = spawn('psql', args, { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`psql (table floor) exited with ${code}`))))
  })
}

function importNote(o: UploadOutcome): string | undefined {
  if (o.status === 201 || o.status === 200) return undefined
  if (o.status === 413 || o.status === 'connection closed') return `refused (413) after ${fmtMs(o.ms)}`
  return `HTTP ${o.status} after ${fmtMs(o.ms)}`
}

async function benchImports(t: Target, server: Server, cookie: string, organizationId: number, partnerIdBase: number, dataRoot: string) {
  for (const [k, m] of sizes.entries()) {
    const dir = path.join(dataRoot, String(m))
    const manifest = existsSync(path.join(dir, 'manifest.json'))
      ? ({ ...JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')), files: filesIn(dir) } as DatasetManifest)
      : await generateDataset(dir, { seed, partners: partnerCount, conversions: m, partnerIdBase, tag: String.fromCharCode(65 + k) })
    const mb = (f: string) => Math.round(statSync(f).size / 2 ** 20)
    console.log(`[${t.kind}] M=${fmtInt(m)}: file 1 ${mb(manifest.files.conversions1)} MB; floor…`)
    const floorMs = await floorCopy(t, organizationId, manifest)
    results.push({ db: t.kind, measure: `floor: psql \\copy, same unique index`, rows: m, ms: floorMs })
    const tableMs = await tableFloorCopy(t, organizationId, manifest)
    // The rolled-back rows are dead tuples still in every index; without this the imports after would pay for them.
    await withClient(t.ownerUrl, (c) => c.query('vacuum analyze conversions'))
    results.push({
      db: t.kind,
      measure: 'for reference: psql \\copy into conversions itself (all its indexes, FKs, checks), rolled back',
      rows: m,
      ms: tableMs,
      floorMs,
    })

    console.log(`[${t.kind}] M=${fmtInt(m)}: import…`)
    const first = await upload(server, cookie, manifest.files.conversions1, false)
    raw[`${t.kind}.${m}.import`] = summary(first)
    const ok = first.status === 201
    results.push({
      db: t.kind,
      measure: `import conversions (${mb(manifest.files.conversions1)} MB file${first.background ? ', background job: 202 in ' + fmtMs(first.background.acceptedMs) + ', polled until completed' : ''})`,
      rows: m,
      ms: ok ? first.ms : null,
      note: importNote(first),
      peakRssMb: first.peakMb,
      floorMs: ok ? floorMs : null,
      target: `<= 2x floor; RSS <= 300 MB${t.kind === 'embedded' && m === 100_000 ? '; <= 30 s' : ''}`,
      met: ok ? first.ms <= 2 * floorMs && first.peakMb <= 300 && (t.kind !== 'embedded' || m !== 100_000 || first.ms <= 30_000) : false,
    })

    const again = await upload(server, cookie, manifest.files.conversions1, false)
    raw[`${t.kind}.${m}.same-file`] = summary(again)
    results.push({
      db: t.kind,
      measure: 're-import same file (refused by SHA-256)',
      rows: m,
      ms: null,
      note:
        again.status === 409
          ? `409 in ${fmtMs(again.ms)}`
          : (importNote(again) ?? `HTTP ${again.status} in ${fmtMs(again.ms)} (expected 409)`),
      peakRssMb: again.peakMb,
      floorMs,
      target: '<= 1x floor',
      met: again.status === 409 ? again.ms <= floorMs : null,
    })

    if (ok) {
      const override = await upload(server, cookie, manifest.files.conversions1, true)
      raw[`${t.kind}.${m}.override`] = summary(override)
      results.push({
        db: t.kind,
        measure: 're-import same file, override=true (all rows already stored)',
        rows: m,
        ms: override.status === 201 ? override.ms : null,
        note: importNote(override),
        peakRssMb: override.peakMb,
        floorMs,
        target: '<= 1x floor',
        met: override.status === 201 ? override.ms <= floorMs : false,
      })
    } else {
      results.push({ db: t.kind, measure: 're-import same file, override=true', rows: m, ms: null, note: 'not run (first import refused)' })
    }

    const second = await upload(server, cookie, manifest.files.conversions2, false)
    raw[`${t.kind}.${m}.overlap`] = summary(second)
    results.push({
      db: t.kind,
      measure: `overlapping 2nd file (${fmtInt(manifest.conversions2.duplicatesOfFile1)} of its rows already in file 1)`,
      rows: manifest.conversions2.rows,
      ms: second.status === 201 ? second.ms : null,
      note: importNote(second),
      peakRssMb: second.peakMb,
    })
  }
}

function filesIn(dir: string): DatasetManifest['files'] {
  const f = (n: string) => path.join(dir, n)
  return {
    partners: f('partners.csv'),
    conversions1: f('conversions-1.csv'),
    conversions2: f('conversions-2.csv'),
    refunds: f('refunds.csv'),
    floor1: f('floor-1.csv'),
  }
}

function summary(o: UploadOutcome) {
  const b = o.body ?? {}
  return {
    status: o.status,
    ms: Math.round(o.ms),
    peakMb: o.peakMb,
    hwmMb: o.hwmMb,
    background: o.background,
    counts: b.counts,
    duplicates: b.duplicates,
    durationMs: b.durationMs,
    insertMs: b.insertMs,
    stepMs: b.stepMs,
    error: b.error,
  }
}

// ---------------------------------------------------------------- list pages at 1,000,000 rows

/** Tops the organization up to LIST_ROWS conversions (and one accrual each) with generate_series, as the owner. */
async function bulkLoad(
  t: Target,
  organizationId: number,
  partnerIdBase: number,
): Promise<{ busiestPartner: number; itsCommissions: number }> {
  return withClient(t.ownerUrl, async (c) => {
    const { rows } = await c.query('select count(*)::int as n from conversions where organization_id = $1', [organizationId])
    const missing = LIST_ROWS - Number(rows[0].n)
    const t0 = performance.now()
    if (missing > 0) {
      await c.query(
        `insert into conversions (code, order_id, partner_id, value_minor, currency, occurred_at, customer_email, status, organization_id)
         select 'BULK' || (g % ${partnerCount}), 'BULK-' || g, ${partnerIdBase} + (g % ${partnerCount}), 500 + (g::bigint * 7919) % 49500, 'USD',
                timestamptz '2026-01-01' + (g % 300) * interval '1 day', 'bulk' || g || '@mail.example', 'attributed', $1
           from generate_series(1, $2::int) g`,
        [organizationId, missing],
      )
    }
    await c.query(
      `insert into commissions (partner_id, conversion_id, kind, amount_minor, currency, eligible_at, status, organization_id)
       select partner_id, id, 'accrual', trunc(value_minor / 10), currency, occurred_at + interval '30 days', 'eligible', organization_id
         from conversions c where organization_id = $1 and partner_id is not null
          and not exists (select 1 from commissions m where m.conversion_id = c.id)`,
      [organizationId],
    )
    await c.query('analyze conversions; analyze commissions')
    console.log(`[${t.kind}] bulk load to ${fmtInt(LIST_ROWS)} conversions: ${fmtMs(performance.now() - t0)}`)
    const busiest = await c.query(
      `select partner_id, count(*)::int as n from commissions where organization_id = $1 group by partner_id order by n desc limit 1`,
      [organizationId],
    )
    return { busiestPartner: Number(busiest.rows[0].partner_id), itsCommissions: Number(busiest.rows[0].n) }
  })
}

interface Latency {
  p50: number
  p95: number
  p99: number
  requests: number
  non2xx: number
  errors: number
}

/**
 * 10 connections for `durationS`: back to back (each sends its next request the moment the last
 * answer arrives: the server's ceiling, every request queued behind nine others), or paced at
 * `perUserRate` requests per second each, for twice as long. autocannon starts the paced
 * connections together, so all ten ask in the same instant each second: a burst of ten, not ten
 * people spread over the second; the first burst also meets a server whose list code is cold.
 */
async function load(url: string, cookie: string, perUserRate?: number): Promise<Latency> {
  const times: number[] = []
  const instance = autocannon({
    url,
    connections: 10,
    duration: perUserRate ? durationS * 2 : durationS,
    headers: { cookie },
    ...(perUserRate ? { connectionRate: perUserRate } : {}),
  })
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime))
  const result = await instance
  times.sort((a, b) => a - b)
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), requests: times.length, non2xx: result.non2xx, errors: result.errors }
}

async function explainList(t: Target, organizationId: number, partnerId: number) {
  // What the list queries amount to under RLS (the app role, the organization set): the page and its count.
  const queries = {
    'conversions page': `select * from conversions where organization_id = ${organizationId} order by created_at desc limit 10`,
    'conversions count': `select count(*) from conversions where organization_id = ${organizationId}`,
    // What the list's total costs since the adapter reads the trigger-kept counts (src/db/tenant-adapter.ts).
    'conversions total from tenant_row_counts': `select coalesce(sum(rows), 0) from tenant_row_counts where table_name = 'conversions' and organization_id = ${organizationId}`,
    'commissions page': `select * from commissions where organization_id = ${organizationId} and partner_id = ${partnerId} order by created_at desc limit 10`,
    'commissions count': `select count(*) from commissions where organization_id = ${organizationId} and partner_id = ${partnerId}`,
  }
  const out: Record<string, string> = {}
  await withClient(t.appUrl, async (c) => {
    await c.query('begin')
    await c.query(`select set_config('app.org_id', $1, true)`, [String(organizationId)])
    for (const [name, q] of Object.entries(queries)) {
      const { rows } = await c.query(`explain (analyze, buffers) ${q}`)
      out[name] = rows.map((r) => r['QUERY PLAN']).join('\n')
    }
    await c.query('rollback')
  })
  return out
}

const LOAD_MODES = [
  { key: 'paced', label: '10 users clicking together once a second', perUserRate: 1 },
  { key: 'saturated', label: '10 connections back to back (ceiling)', perUserRate: undefined },
] as const

async function benchLists(t: Target, server: Server, cookie: string, organizationId: number, partnerIdBase: number) {
  const { busiestPartner, itsCommissions } = await bulkLoad(t, organizationId, partnerIdBase)
  const pages: [string, string][] = [
    ['GET /api/conversions?limit=10', '/api/conversions?limit=10'],
    [
      `GET /api/commissions?where[partner][equals]=ID&limit=10 (${fmtInt(itsCommissions)} rows for that partner)`,
      `/api/commissions?where[partner][equals]=${busiestPartner}&limit=10`,
    ],
    ['GET /admin/collections/conversions (HTML)', '/admin/collections/conversions'],
  ]
  for (const [label, p] of pages) {
    const check = await fetch(server.baseUrl + p, { headers: { cookie }, redirect: 'manual' })
    await check.text()
    if (check.status !== 200) console.warn(`[${t.kind}] ${p}: HTTP ${check.status} before the load run`)
    for (const mode of LOAD_MODES) {
      console.log(`[${t.kind}] autocannon ${p}, ${mode.label}…`)
      const l = await load(server.baseUrl + p, cookie, mode.perUserRate)
      raw[`${t.kind}.list.${mode.key}.${p}`] = l
      results.push({
        db: t.kind,
        measure: `${label}, ${mode.label}`,
        rows: LIST_ROWS,
        ms: null,
        note: `p50 ${Math.round(l.p50)} ms / p95 ${Math.round(l.p95)} ms (${fmtInt(l.requests)} req${l.non2xx || l.errors ? `, ${l.non2xx} non-2xx, ${l.errors} errors` : ''})`,
        target: 'p95 <= 150 ms',
        met: l.non2xx === 0 && l.errors === 0 && l.p95 <= 150,
      })
    }
  }
  raw[`${t.kind}.explain`] = await explainList(t, organizationId, busiestPartner)
}

// ---------------------------------------------------------------- main

/** Loads the import route's code once (a 10-row dry run), so the first measured import is not a cold start. */
async function warmUp(server: Server, cookie: string, dataRoot: string) {
  const file = path.join(dataRoot, 'warm-up.csv')
  const rows = Array.from({ length: 10 }, (_v, i) => `WARM-${process.pid}-${i},WARMUP,1.00,USD,2026-01-01T00:00:00Z,,`)
  await writeFile(file, ['Order ID,Referral Code,Order Total,Currency,Order Date,Customer Email,Customer Name', ...rows].join('\n') + '\n')
  const form = new FormData()
  form.set('kind', 'conversions')
  form.set('dryRun', 'true')
  form.set('file', await openAsBlob(file, { type: 'text/csv' }), 'warm-up.csv')
  const res = await fetch(`${server.baseUrl}/api/imports`, { method: 'POST', headers: { cookie }, body: form })
  if (res.status !== 200) throw new Error(`warm-up dry run: HTTP ${res.status} ${await res.text()}`)
}

async function benchTarget(kind: DbKind, dataRoot: string) {
  const t = await createTarget(kind)
  let server: Server | null = null
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.appUrl,
      PAYLOAD_SECRET: TEST_SECRET,
      PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
      PAYOUT_ENCRYPTION_KEY_ID: 'test1',
      SEED_PASSWORD,
      NODE_ENV: 'production',
    }
    delete env.SMTP_HOST
    if (!reuseDb) await run('npx', ['tsx', 'scripts/seed.ts'], env)
    const organizationId = await withClient(t.ownerUrl, async (c) =>
      Number((await c.query(`select id from organizations where slug = 'demo'`)).rows[0].id),
    )
    const partnerIdBase = 1_000_000
    if (!reuseDb) await loadPartners(t, organizationId, partnerIdBase)
    server = await startServer(t)
    const cookie = await login(server.baseUrl, 'ops@demo.test')
    await warmUp(server, cookie, dataRoot)
    const idleMb = Math.round(tree(server.pid).reduce((s, p) => s + statusKb(p, 'VmRSS'), 0) / 1024)
    raw[`${kind}.serverIdleRssMb`] = idleMb
    results.push({
      db: kind,
      measure: 'server RSS after start, login and a 10-row dry run (baseline)',
      rows: null,
      ms: null,
      peakRssMb: idleMb,
    })
    if (!skipImport) await benchImports(t, server, cookie, organizationId, partnerIdBase, dataRoot)
    if (!skipList) await benchLists(t, server, cookie, organizationId, partnerIdBase)
  } catch (err) {
    if (server && process.env.BENCH_SERVER_LOG) console.log(server.log.join(''))
    throw err
  } finally {
    await server?.stop()
    await dropTarget(t)
  }
}

async function main() {
  await ensureBuild({ ...process.env, PAYLOAD_SECRET: TEST_SECRET })
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'ledger-bench-'))
  try {
    console.log('pure core: batch draft and exports…')
    for (const m of skipImport ? [] : sizes) {
      const dir = path.join(dataRoot, String(m))
      await generateDataset(dir, {
        seed,
        partners: partnerCount,
        conversions: m,
        partnerIdBase: 1_000_000,
        tag: String.fromCharCode(65 + sizes.indexOf(m)),
      })
      const p = await measureParse(path.join(dir, 'conversions-1.csv'))
      results.push({
        db: 'pure core',
        measure: 'parse file 1 (parseCsvRows + suggested mapping + row parser), no database',
        rows: p.rows,
        ms: p.ms,
      })
    }
    const batches: BatchFigure[] = skipCore ? [] : sizes.map((m) => measureBatchDraft(seed, partnerCount, m))
    const exportsFig: ExportFigure[] = skipCore ? [] : measureExports(seed, 10_000)
    raw.batch = batches
    raw.exports = exportsFig
    for (const b of batches) {
      results.push({
        db: 'pure core',
        measure: `batch draft (draftBatch; ${fmtInt(b.partners)} partners, ${fmtInt(b.lines)} lines, ${fmtInt(b.blocked)} blocked)`,
        rows: b.entries,
        ms: b.ms,
        target: '<= 3 s',
        met: b.ms <= 3_000,
      })
    }
    for (const e of exportsFig) {
      results.push({
        db: 'pure core',
        measure: `export ${e.format} (${e.files} file${e.files === 1 ? '' : 's'}, ${Math.round(e.bytes / 1024)} KB)`,
        rows: e.lines,
        ms: e.ms,
        target: '<= 1 s',
        met: e.ms <= 1_000,
      })
    }
    for (const kind of dbs) {
      try {
        await benchTarget(kind, dataRoot)
      } catch (err) {
        console.error(`[${kind}] failed:`, err)
        results.push({ db: kind, measure: 'run failed', rows: null, ms: null, note: String((err as Error).message).slice(0, 200) })
      }
    }
  } finally {
    await rm(dataRoot, { recursive: true, force: true })
  }
  const md = table(results)
  console.log(`\n${md}\n`)
  await mkdir('bench/out', { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  await writeFile(`bench/out/bench-${stamp}.md`, md + '\n')
  await writeFile(`bench/out/bench-${stamp}.json`, JSON.stringify({ ...raw, results }, null, 2) + '\n')
  console.log(`written: bench/out/bench-${stamp}.{md,json}`)
  process.exit(0)
}

await main()
