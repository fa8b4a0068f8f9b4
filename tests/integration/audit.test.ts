import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import Papa from 'papaparse'

import { baseUrl, login, type Session } from '../helpers/http'

let owner: pg.Client
let app: pg.Client
let ops: Session
let admin: Session
let demoOrg: number

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  app = new pg.Client({ connectionString: inject('appUrl') })
  await owner.connect()
  await app.connect()
  ops = await login('ops@demo.test')
  admin = await login('admin@demo.test')
  demoOrg = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
})

afterAll(async () => {
  await app?.end()
  await owner?.end()
})

/** A partner of this file's own, so renaming it never disturbs the seeded partners other files rely on. */
let auditPartner: { id: number; name: string } | undefined
async function ownPartner() {
  if (!auditPartner) {
    const res = await ops.request('POST', '/api/partners', { name: `Audit Test Partner ${randomUUID().slice(0, 6)}`, status: 'active' })
    expect(res.status).toBe(201)
    auditPartner = { id: res.body.doc.id, name: res.body.doc.name }
  }
  return auditPartner
}

async function latestEvent(org: number) {
  return (await owner.query(`select * from audit_events where organization_id = $1 order by seq desc limit 1`, [org])).rows[0]
}

describe('audit events are written with every change', () => {
  test('a partner edit records actor, action, before/after, request id, IP and user agent', async () => {
    const partner = await ownPartner()
    const requestId = randomUUID()
    const res = await ops.request(
      'PATCH',
      `/api/partners/${partner.id}`,
      { name: `${partner.name} (renamed)` },
      {
        'x-request-id': requestId,
        'user-agent': 'audit-test/1.0',
        'x-forwarded-for': '203.0.113.7',
      },
    )
    expect(res.status).toBe(200)
    const e = await latestEvent(demoOrg)
    expect(e).toMatchObject({
      action: 'partner.updated',
      entity_type: 'partner',
      entity_id: String(partner.id),
      actor_label: 'ops@demo.test',
      request_id: requestId,
      ip: '203.0.113.7',
      user_agent: 'audit-test/1.0',
    })
    expect(e.changes).toEqual({ name: { before: partner.name, after: `${partner.name} (renamed)` } })
    expect(e.prev_hash).toMatch(/^[0-9a-f]{64}$/)
  })

  test('a refused change writes nothing and changes nothing', async () => {
    const before = (await owner.query(`select count(*)::int n from audit_events`)).rows[0].n
    const res = await ops.request('POST', '/api/partners', { name: '' })
    expect(res.status).toBe(400)
    expect((await owner.query(`select count(*)::int n from audit_events`)).rows[0].n).toBe(before)
  })

  test('50 concurrent edits extend the chain without forking it', async () => {
    const partner = await ownPartner()
    const from = (await latestEvent(demoOrg)).seq
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ops.request('PATCH', `/api/partners/${partner.id}`, { name: `Concurrent ${i}` })),
    )
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200))
    const { rows } = await owner.query(`select seq from audit_events where organization_id = $1 and seq > $2 order by seq`, [demoOrg, from])
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 50 }, (_, i) => Number(from) + 1 + i))
    const verify = await admin.request('GET', '/api/audit-events/verify')
    expect(verify.body).toMatchObject({ ok: true })
  })
})

describe('the CSV export', () => {
  test('an auditor downloads the trail; every event is a row and the download is itself audited', async () => {
    const auditor = await login('auditor@demo.test')
    const count = (await owner.query(`select count(*)::int n from audit_events where organization_id = $1`, [demoOrg])).rows[0].n
    const res = await fetch(`${baseUrl()}/api/audit-events/export`, { headers: { cookie: auditor.cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const parsed = Papa.parse<string[]>(await res.text(), { skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(parsed.data[0]).toEqual([
      'seq',
      'occurred_at_utc',
      'actor',
      'action',
      'entity_type',
      'entity_id',
      'changes',
      'request_id',
      'ip',
      'user_agent',
      'prev_hash',
      'hash',
    ])
    expect(parsed.data.length - 1).toBe(count)
    expect((await latestEvent(demoOrg)).action).toBe('audit.exported')
  })

  test('a bad date filter is refused with a message naming the parameter', async () => {
    const res = await admin.request('GET', '/api/audit-events/export?from=yesterday')
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/^from:/)
  })
})

describe('the database refuses to edit the trail', () => {
  test('the app role may not update, delete or truncate audit rows', async () => {
    await app.query('begin')
    await app.query(`select set_config('app.org_id', $1, true)`, [String(demoOrg)])
    await expect(app.query(`update audit_events set action = 'forged' where organization_id = $1`, [demoOrg])).rejects.toMatchObject({
      code: '42501',
    })
    await app.query('rollback')
    await app.query('begin')
    await app.query(`select set_config('app.org_id', $1, true)`, [String(demoOrg)])
    await expect(app.query(`delete from audit_events`)).rejects.toMatchObject({ code: '42501' })
    await app.query('rollback')
    await expect(app.query(`truncate audit_events`)).rejects.toMatchObject({ code: '42501' })
  })

  test('even the owner is stopped by the trigger', async () => {
    await expect(owner.query(`update audit_events set action = 'forged' where id = (select min(id) from audit_events)`)).rejects.toThrow(
      /append-only/,
    )
    await expect(owner.query(`delete from audit_events where id = (select min(id) from audit_events)`)).rejects.toThrow(/append-only/)
    await expect(owner.query(`truncate audit_events cascade`)).rejects.toThrow(/append-only/)
  })
})

describe('the chain verifier', () => {
  test('names the first broken link after a superuser tampers with a row (endpoint and CLI)', async () => {
    // A fresh organization, so tampering leaves the demo trail intact for other tests.
    const created = await admin.request('POST', '/api/organizations', { name: 'Tamper Test', slug: `tamper-${randomUUID().slice(0, 8)}` })
    expect(created.status).toBe(201)
    const org = created.body.doc.id as number
    const inOrg = { 'x-organization-id': String(org) }
    for (let i = 0; i < 3; i++) {
      expect((await admin.request('POST', '/api/partners', { name: `P${i}`, status: 'active' }, inOrg)).status).toBe(201)
    }
    expect((await admin.request('GET', '/api/audit-events/verify', undefined, inOrg)).body).toMatchObject({ ok: true, checked: 4 })
    const cli = () =>
      spawnSync('npx', ['tsx', 'scripts/audit-verify.ts', '--org', String(org)], {
        env: { ...process.env, DATABASE_URL: inject('ownerUrl') },
        encoding: 'utf8',
      })
    expect(cli().status).toBe(0)

    await owner.query('begin')
    await owner.query('alter table audit_events disable trigger audit_events_no_update')
    await owner.query(`update audit_events set changes = '{"name":{"after":"Forged"}}' where organization_id = $1 and seq = 3`, [org])
    await owner.query('alter table audit_events enable trigger audit_events_no_update')
    await owner.query('commit')

    const verdict = await admin.request('GET', '/api/audit-events/verify', undefined, inOrg)
    expect(verdict.body).toMatchObject({ ok: false, brokenAtSeq: 3, reason: 'hash_mismatch', checked: 2 })
    const out = cli()
    expect(out.status).toBe(1)
    expect(out.stdout).toContain('BROKEN at seq 3')
  })
})
