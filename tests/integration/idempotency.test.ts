import { createHash, randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { addEntry, createBatchOrg, createPartner, type BatchOrg } from '../helpers/batches'
import { baseUrl, type Session } from '../helpers/http'

/**
 * Idempotency-Key on the payout batch endpoints (src/services/idempotency.ts, docs/api.md): a
 * replay answers what the first request answered and changes nothing; another request under the
 * same key is refused; duplicates racing the first are refused or replayed, never run twice.
 * Each scenario in its own organization (a draft takes every eligible entry of one).
 */
let owner: pg.Client

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
})

afterAll(async () => {
  await owner?.end()
})

const OPS = 'ops@demo.test'
const MANAGER = 'manager@demo.test'
const FINANCE = 'finance@demo.test'
const key = () => `key-${randomUUID()}`
const withKey = (k: string) => ({ 'Idempotency-Key': k })

async function count(sql: string, values: unknown[]): Promise<number> {
  return Number((await owner.query(sql, values)).rows[0].n)
}

const batchesOf = (org: BatchOrg) => count(`select count(*) n from batches where organization_id = $1`, [org.organizationId])
const auditsOf = (org: BatchOrg, action: string) =>
  count(`select count(*) n from audit_events where organization_id = $1 and action = $2`, [org.organizationId, action])

/** A fresh organization with one payable partner entry. */
async function payableOrg(roles?: Record<string, string>): Promise<BatchOrg> {
  const org = await createBatchOrg(owner, roles ? { roles } : {})
  const partner = await createPartner(owner, org.organizationId)
  await addEntry(owner, org.organizationId, partner, 12_345)
  return org
}

async function submittedBatch(org: BatchOrg): Promise<number> {
  const ops = await org.as(OPS)
  const d = await ops.request('POST', '/api/batches/draft', {})
  expect(d.status, JSON.stringify(d.body)).toBe(201)
  const s = await ops.request('POST', `/api/batches/${d.body.batchId}/submit`)
  expect(s.status, JSON.stringify(s.body)).toBe(200)
  return d.body.batchId as number
}

/** The raw answer (bytes and headers), for byte-for-byte comparisons. */
async function raw(s: Session, org: BatchOrg, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(baseUrl() + path, {
    method,
    headers: { cookie: s.cookie, ...org.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) }
}

describe('drafting a batch with an Idempotency-Key', () => {
  test('a replay returns the identical answer, flagged as a replay; one batch and one audit event exist', async () => {
    const org = await payableOrg()
    const ops = await org.as(OPS)
    const k = key()
    const first = await raw(ops, org, 'POST', '/api/batches/draft', withKey(k), { asOf: '2026-06-30' })
    expect(first.status, first.bytes.toString()).toBe(201)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const again = await raw(ops, org, 'POST', '/api/batches/draft', withKey(k), { asOf: '2026-06-30' })
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.bytes.equals(first.bytes)).toBe(true)
    expect(await batchesOf(org)).toBe(1)
    expect(await auditsOf(org, 'batch.draft')).toBe(1)
  })

  test('the same key with another body is refused (422) and runs nothing', async () => {
    const org = await payableOrg()
    const ops = await org.as(OPS)
    const k = key()
    expect((await ops.request('POST', '/api/batches/draft', { asOf: '2026-06-30' }, withKey(k))).status).toBe(201)
    const other = await ops.request('POST', '/api/batches/draft', { asOf: '2026-07-31' }, withKey(k))
    expect(other.status, JSON.stringify(other.body)).toBe(422)
    expect(other.body.error.code).toBe('idempotency_key_reused')
    expect(other.body.error.message).toMatch(/Idempotency-Key/)
    expect(await batchesOf(org)).toBe(1)
    expect(await auditsOf(org, 'batch.draft')).toBe(1)
  })

  test('the key is checked: empty, over 255 characters or not printable ASCII is a 400 naming the header', async () => {
    const org = await payableOrg()
    const ops = await org.as(OPS)
    for (const bad of ['', 'x'.repeat(256), 'tab\tinside', 'caf\u00e9']) {
      const res = await ops.request('POST', '/api/batches/draft', {}, withKey(bad))
      expect(res.status, `${JSON.stringify(bad)}: ${JSON.stringify(res.body)}`).toBe(400)
      expect(res.body.error).toMatchObject({ code: 'invalid_idempotency_key' })
      expect(res.body.error.message).toMatch(/^Idempotency-Key:/)
    }
    expect(await batchesOf(org)).toBe(0)
    // 255 printable characters (spaces and punctuation included) are a valid key.
    const longest = `~ ${'k'.repeat(252)}!`
    expect(longest).toHaveLength(255)
    expect((await ops.request('POST', '/api/batches/draft', {}, withKey(longest))).status).toBe(201)
  })

  test('keys belong to one user in one organization: the same key elsewhere is a new request', async () => {
    // admin@demo.test acts as a second ops member here.
    const org = await payableOrg({ [OPS]: 'ops', 'admin@demo.test': 'ops' })
    const k = key()
    const mine = await (await org.as(OPS)).request('POST', '/api/batches/draft', {}, withKey(k))
    expect(mine.status).toBe(201)
    await addEntry(owner, org.organizationId, await createPartner(owner, org.organizationId), 500)
    const colleague = await (await org.as('admin@demo.test')).request('POST', '/api/batches/draft', {}, withKey(k))
    expect(colleague.status, JSON.stringify(colleague.body)).toBe(201)
    expect(colleague.headers.get('idempotent-replayed')).toBeNull()
    expect(colleague.body.batchId).not.toBe(mine.body.batchId)

    const elsewhere = await payableOrg()
    const there = await (await elsewhere.as(OPS)).request('POST', '/api/batches/draft', {}, withKey(k))
    expect(there.status).toBe(201)
    expect(there.headers.get('idempotent-replayed')).toBeNull()
    expect(await batchesOf(org)).toBe(2)
    expect(await batchesOf(elsewhere)).toBe(1)
  })

  test('an expired key is a new key (keys live 24 hours)', async () => {
    const org = await payableOrg()
    const ops = await org.as(OPS)
    const k = key()
    const first = await ops.request('POST', '/api/batches/draft', {}, withKey(k))
    expect(first.status).toBe(201)
    const { rows } = await owner.query(
      `select extract(epoch from expires_at - created_at)::int as ttl from idempotency_keys where organization_id = $1 and key = $2`,
      [org.organizationId, k],
    )
    expect(rows[0].ttl).toBe(24 * 3600)
    await owner.query(`update idempotency_keys set expires_at = now() - interval '1 second' where organization_id = $1 and key = $2`, [
      org.organizationId,
      k,
    ])
    await addEntry(owner, org.organizationId, await createPartner(owner, org.organizationId), 700)
    const later = await ops.request('POST', '/api/batches/draft', {}, withKey(k))
    expect(later.status, JSON.stringify(later.body)).toBe(201)
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    expect(later.body.batchId).not.toBe(first.body.batchId)
    expect(await count(`select count(*) n from idempotency_keys where organization_id = $1 and key = $2`, [org.organizationId, k])).toBe(1)
  })
})

describe('approving with an Idempotency-Key', () => {
  test('10 concurrent approvals under one key: one runs; the others are refused as in flight (409) or replayed', async () => {
    const org = await payableOrg()
    const id = await submittedBatch(org)
    const manager = await org.as(MANAGER)
    const k = key()
    const answers = await Promise.all(Array.from({ length: 10 }, () => raw(manager, org, 'POST', `/api/batches/${id}/approve`, withKey(k))))
    const ok = answers.filter((a) => a.status === 200)
    const refused = answers.filter((a) => a.status !== 200)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    // Never the state machine's own 409 (batch_not_submitted): a duplicate never reached it.
    for (const r of refused) {
      expect(r.status, r.bytes.toString()).toBe(409)
      expect(JSON.parse(r.bytes.toString()).error.code).toBe('idempotency_key_in_use')
    }
    for (const a of ok) expect(a.bytes.equals(ok[0]!.bytes)).toBe(true)
    expect(ok.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1)
    expect(JSON.parse(ok[0]!.bytes.toString())).toMatchObject({ batchId: id, status: 'approved', approvals: 1 })
    expect(await auditsOf(org, 'batch.approve')).toBe(1)
    const stored = await owner.query(`select status, approvals from batches where id = $1`, [id])
    expect(stored.rows[0].status).toBe('approved')
    expect(stored.rows[0].approvals).toHaveLength(1)
    // Finance was told once.
    expect(
      await count(`select count(*) n from outbox where organization_id = $1 and subject like '%is approved'`, [org.organizationId]),
    ).toBe(1)

    // Once the first has committed, the same key replays it.
    const later = await raw(manager, org, 'POST', `/api/batches/${id}/approve`, withKey(k))
    expect(later.status).toBe(200)
    expect(later.headers.get('idempotent-replayed')).toBe('true')
    expect(later.bytes.equals(ok[0]!.bytes)).toBe(true)
    expect(await auditsOf(org, 'batch.approve')).toBe(1)
  })

  test('a refusal is not stored: the same key runs again once the batch can be approved', async () => {
    const org = await payableOrg()
    const ops = await org.as(OPS)
    const d = await ops.request('POST', '/api/batches/draft', {})
    const id = d.body.batchId as number
    const manager = await org.as(MANAGER)
    const k = key()
    const early = await manager.request('POST', `/api/batches/${id}/approve`, undefined, withKey(k))
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('batch_not_submitted')
    expect((await ops.request('POST', `/api/batches/${id}/submit`)).status).toBe(200)
    const now = await manager.request('POST', `/api/batches/${id}/approve`, undefined, withKey(k))
    expect(now.status, JSON.stringify(now.body)).toBe(200)
    expect(now.headers.get('idempotent-replayed')).toBeNull()
    expect(await auditsOf(org, 'batch.approve')).toBe(1)
  })

  test('the key covers the path: the same key on another batch is refused (422)', async () => {
    const org = await payableOrg()
    const first = await submittedBatch(org)
    await addEntry(owner, org.organizationId, await createPartner(owner, org.organizationId), 900)
    const second = await submittedBatch(org)
    const manager = await org.as(MANAGER)
    const k = key()
    expect((await manager.request('POST', `/api/batches/${first}/approve`, undefined, withKey(k))).status).toBe(200)
    const other = await manager.request('POST', `/api/batches/${second}/approve`, undefined, withKey(k))
    expect(other.status).toBe(422)
    expect(other.body.error.code).toBe('idempotency_key_reused')
    expect((await owner.query(`select status from batches where id = $1`, [second])).rows[0].status).toBe('submitted')
  })
})

describe('exporting with an Idempotency-Key', () => {
  test('a replay streams the same file bytes and headers; one export record, one audit event, one transition', async () => {
    const org = await payableOrg()
    const id = await submittedBatch(org)
    expect((await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)).status).toBe(200)
    const finance = await org.as(FINANCE)
    const k = key()
    const path = `/api/batches/${id}/export?format=paypal-payouts`
    const first = await raw(finance, org, 'GET', path, withKey(k))
    expect(first.status, first.bytes.toString()).toBe(200)
    expect(first.headers.get('x-batch-status')).toBe('exported')
    const replay = await raw(finance, org, 'GET', path, withKey(k))
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.bytes.equals(first.bytes)).toBe(true)
    for (const h of ['content-type', 'content-disposition', 'x-export-sha256', 'x-export-files', 'x-export-skipped', 'x-batch-status']) {
      expect(replay.headers.get(h), h).toBe(first.headers.get(h))
    }
    expect(createHash('sha256').update(replay.bytes).digest('hex')).toBe(first.headers.get('x-export-sha256'))
    expect(await count(`select count(*) n from payout_exports where batch_id = $1`, [id])).toBe(1)
    expect(await auditsOf(org, 'batch.export')).toBe(1)

    // Another format under the same key is another request.
    const other = await raw(finance, org, 'GET', `/api/batches/${id}/export?format=generic-csv`, withKey(k))
    expect(other.status).toBe(422)
    expect(await count(`select count(*) n from payout_exports where batch_id = $1`, [id])).toBe(1)

    // The stored file is encrypted like payout details (it holds the payees' addresses).
    expect(first.bytes.toString()).toContain('@example.test')
    const stored = await owner.query(`select response_body from idempotency_keys where organization_id = $1 and key = $2`, [
      org.organizationId,
      k,
    ])
    expect(stored.rows[0].response_body).toMatch(/^pl1:/)
    expect(stored.rows[0].response_body).not.toContain('@example.test')
  })
})

describe('rejecting and marking paid with an Idempotency-Key', () => {
  test('a rejection replayed under its key: the same answer, one rejection and one audit event', async () => {
    const org = await payableOrg()
    const id = await submittedBatch(org)
    const manager = await org.as(MANAGER)
    const k = key()
    const body = { reason: 'Amounts need a second look' }
    const first = await raw(manager, org, 'POST', `/api/batches/${id}/reject`, withKey(k), body)
    expect(first.status, first.bytes.toString()).toBe(200)
    const replay = await raw(manager, org, 'POST', `/api/batches/${id}/reject`, withKey(k), body)
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.bytes.equals(first.bytes)).toBe(true)
    expect(await auditsOf(org, 'batch.reject')).toBe(1)
    // Another reason under the same key is another request.
    const other = await raw(manager, org, 'POST', `/api/batches/${id}/reject`, withKey(k), { reason: 'Something else' })
    expect(other.status).toBe(422)
  })

  test('marking paid replayed under its key: the same answer; the batch is paid once, audited once', async () => {
    const org = await payableOrg()
    const id = await submittedBatch(org)
    expect((await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)).status).toBe(200)
    const finance = await org.as(FINANCE)
    expect((await raw(finance, org, 'GET', `/api/batches/${id}/export?format=generic-csv`, {})).status).toBe(200)
    const k = key()
    const body = { paymentReference: 'WIRE-2026-11-26', paidOn: '2026-11-26' }
    const first = await raw(finance, org, 'POST', `/api/batches/${id}/mark-paid`, withKey(k), body)
    expect(first.status, first.bytes.toString()).toBe(200)
    const replay = await raw(finance, org, 'POST', `/api/batches/${id}/mark-paid`, withKey(k), body)
    expect(replay.status, replay.bytes.toString()).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.bytes.equals(first.bytes)).toBe(true)
    expect(await auditsOf(org, 'batch.mark_paid')).toBe(1)
    expect((await owner.query(`select status from batches where id = $1`, [id])).rows[0].status).toBe('paid')
    // Without a key the same call is a new request, refused by the state machine: nothing is paid twice.
    const again = await raw(finance, org, 'POST', `/api/batches/${id}/mark-paid`, {}, body)
    expect(again.status).toBeGreaterThanOrEqual(400)
    expect(await auditsOf(org, 'batch.mark_paid')).toBe(1)
  })
})
