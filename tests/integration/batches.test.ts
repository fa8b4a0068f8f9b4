import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import Papa from 'papaparse'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { parseDecimalMinor } from '../../src/ledger/export/sample-batch.fixture'
import { keyringFromEnv, openPayee } from '../../src/security/payout-crypto'
import { verifyNachaStructure } from '../../src/ledger/export/nacha-verify.fixture'
import { outboxFor, inviteAndActivate } from '../helpers/accounts'
import { addEntry, auditCount, BANK, createBatchOrg, createPartner, EXPORT_PRESETS, type BatchOrg } from '../helpers/batches'
import { baseUrl, type Session } from '../helpers/http'
import { TEST_PAYOUT_KEY } from '../setup/global-setup'

/**
 * Payout batches over HTTP against real Postgres: drafting, every transition and its audit
 * event, the approval gate, races, the database's freeze of approved batches, and exports.
 * Each scenario runs in its own organization, because a draft takes every eligible entry of one.
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

async function draft(org: BatchOrg, asOf?: string) {
  const ops = await org.as(OPS)
  return ops.request('POST', '/api/batches/draft', asOf ? { asOf } : {})
}

/** Drafts, submits and approves; returns the batch id. */
async function approvedBatch(org: BatchOrg): Promise<number> {
  const d = await draft(org)
  expect(d.status, JSON.stringify(d.body)).toBe(201)
  const id = d.body.batchId as number
  expect((await (await org.as(OPS)).request('POST', `/api/batches/${id}/submit`)).status).toBe(200)
  const a = await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)
  expect(a.status, JSON.stringify(a.body)).toBe(200)
  expect(a.body.status).toBe('approved')
  return id
}

async function download(s: Session, org: BatchOrg, path: string) {
  const res = await fetch(baseUrl() + path, { headers: { cookie: s.cookie, ...org.headers } })
  const content = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers: res.headers, content, json: () => JSON.parse(content.toString('utf8')) }
}

function csvRows(content: Buffer | string): string[][] {
  let text = typeof content === 'string' ? content : content.toString('utf8')
  if (text.startsWith('\uFEFF')) text = text.slice(1)
  return Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' }).data
}

function unzipAll(content: Buffer): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'batch-zip-'))
  try {
    const file = join(dir, 'x.zip')
    writeFileSync(file, content)
    const names = execFileSync('unzip', ['-Z1', file]).toString().trim().split('\n')
    return new Map(names.map((n) => [n, execFileSync('unzip', ['-p', file, n])]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const minor = (text: string, currency = 'USD') => parseDecimalMinor(text, currency === 'JPY' ? 0 : 2, '.')

describe('drafting', () => {
  let org: BatchOrg
  const ids: Record<string, number> = {}
  const entries: Record<string, number[]> = {}

  beforeAll(async () => {
    org = await createBatchOrg(owner, { settings: { minPayoutMinor: '1000' } })
    const o = org.organizationId
    ids.netted = await createPartner(owner, o, { name: 'Anna Netted' })
    entries.netted = [
      await addEntry(owner, o, ids.netted, 5000),
      await addEntry(owner, o, ids.netted, 3000),
      await addEntry(owner, o, ids.netted, -1000),
    ]
    entries.nettedHeld = [await addEntry(owner, o, ids.netted, 7777, { status: 'held' })]
    entries.nettedFuture = [await addEntry(owner, o, ids.netted, 4444, { status: 'pending', eligibleAt: '2099-01-01T00:00:00Z' })]
    ids.small = await createPartner(owner, o, { name: 'Bea Small' })
    entries.small = [await addEntry(owner, o, ids.small, 500)]
    ids.negative = await createPartner(owner, o, { name: 'Cal Negative' })
    entries.negative = [await addEntry(owner, o, ids.negative, 2000), await addEntry(owner, o, ids.negative, -2500)]
    ids.noMethod = await createPartner(owner, o, { name: 'Dee NoMethod', payoutMethod: null })
    entries.noMethod = [await addEntry(owner, o, ids.noMethod, 4000)]
    ids.inactive = await createPartner(owner, o, { name: 'Eve Inactive', status: 'inactive' })
    entries.inactive = [await addEntry(owner, o, ids.inactive, 9000)]
    ids.ach = await createPartner(owner, o, {
      name: 'Fay Ach',
      payoutMethod: 'bank',
      routingNumber: BANK.routing,
      accountNumber: '000123456789',
      accountType: 'checking',
    })
    entries.achUsd = [await addEntry(owner, o, ids.ach, 12345)]
    entries.achEur = [await addEntry(owner, o, ids.ach, 1500, { currency: 'EUR' })]
    // Pending but past its hold: drafting promotes it first, so it is paid now.
    entries.achDue = [await addEntry(owner, o, ids.ach, 55, { status: 'pending', eligibleAt: '2026-01-02T00:00:00Z' })]
  })

  test('nets per partner and currency, carries, blocks with reasons, skips held, pending, inactive', async () => {
    const res = await draft(org)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const b = res.body
    expect(b.reference).toMatch(/^B-\d{6}$/)
    expect(b.lineCount).toBe(2)
    expect(b.totals).toEqual([{ currency: 'USD', totalMinor: String(7000 + 12345 + 55), lineCount: 2 }])
    const carried = Object.fromEntries(b.carried.map((c: { partnerId: number; reason: string }) => [c.partnerId, c]))
    expect(carried[ids.small!]).toMatchObject({ reason: 'below_min_payout', netMinor: '500', currency: 'USD' })
    expect(carried[ids.negative!]).toMatchObject({ reason: 'net_not_positive', netMinor: '-500' })
    expect(b.blocked).toHaveLength(2)
    const blocked = b.blocked.map((x: { partnerId: number; currency: string; reason: string; message: string }) => [
      x.partnerId,
      x.currency,
      x.reason,
    ])
    expect(blocked).toContainEqual([ids.noMethod, 'USD', 'no_payout_method'])
    expect(blocked).toContainEqual([ids.ach, 'EUR', 'method_currency_mismatch'])
    expect(b.blocked[0].message).toMatch(/Payout details unusable/)
    expect(JSON.stringify(b)).not.toContain(String(ids.inactive) + ',')

    const { rows } = await owner.query(`select id, status, batch_id from commissions where organization_id = $1`, [org.organizationId])
    const byId = new Map(rows.map((r) => [Number(r.id), r]))
    for (const id of [...entries.netted!, ...entries.achUsd!, ...entries.achDue!]) {
      expect(byId.get(id)).toMatchObject({ status: 'in_batch', batch_id: b.batchId })
    }
    for (const id of [...entries.small!, ...entries.negative!, ...entries.noMethod!, ...entries.inactive!, ...entries.achEur!]) {
      expect(byId.get(id)).toMatchObject({ status: 'eligible', batch_id: null })
    }
    expect(byId.get(entries.nettedHeld![0]!)).toMatchObject({ status: 'held', batch_id: null })
    expect(byId.get(entries.nettedFuture![0]!)).toMatchObject({ status: 'pending', batch_id: null })

    const lines = await owner.query(
      `select partner_id, amount_minor, entry_count, payee from batch_lines where batch_id = $1 order by line_no`,
      [b.batchId],
    )
    expect(lines.rows.map((l) => [Number(l.partner_id), Number(l.amount_minor), Number(l.entry_count)])).toEqual([
      [ids.netted, 7000, 3],
      [ids.ach, 12400, 2],
    ])
    // The approved payee snapshot is stored sealed (payout details never sit in the clear).
    expect(JSON.stringify(lines.rows[1].payee)).not.toContain('000123456789')
    const ring = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY, PAYOUT_ENCRYPTION_KEY_ID: 'test1' })
    expect(openPayee(lines.rows[1].payee, ring)).toMatchObject({
      method: 'ach',
      routingNumber: BANK.routing,
      accountNumber: '000123456789',
    })
    expect(await auditCount(owner, org.organizationId, 'batch.draft', b.batchId)).toBe(1)
  })

  test('a second draft finds nothing to pay and says what it left out', async () => {
    const res = await draft(org)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('nothing_to_pay')
    expect(res.body.error.details.blocked.length).toBe(2)
  })

  test('only ops drafts; an invalid as-of date is a 400', async () => {
    expect((await (await org.as(MANAGER)).request('POST', '/api/batches/draft', {})).status).toBe(403)
    expect((await (await org.as(FINANCE)).request('POST', '/api/batches/draft', {})).status).toBe(403)
    const bad = await draft(org, 'yesterday')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_as_of')
  })

  test('the as-of date limits the entries taken', async () => {
    const o = await createBatchOrg(owner)
    const p = await createPartner(owner, o.organizationId)
    const early = await addEntry(owner, o.organizationId, p, 1000, { eligibleAt: '2026-01-10T12:00:00Z' })
    const late = await addEntry(owner, o.organizationId, p, 2000, { eligibleAt: '2026-02-10T12:00:00Z' })
    const res = await draft(o, '2026-01-31')
    expect(res.status).toBe(201)
    expect(res.body.totals[0].totalMinor).toBe('1000')
    const { rows } = await owner.query(`select id, batch_id from commissions where id = any($1)`, [[early, late]])
    expect(rows.find((r) => Number(r.id) === late)!.batch_id).toBeNull()
  })
})

describe('transitions, audit events and mail', () => {
  let org: BatchOrg
  beforeAll(async () => {
    org = await createBatchOrg(owner)
    const p = await createPartner(owner, org.organizationId, { name: 'Gus Paypal' })
    await addEntry(owner, org.organizationId, p, 2500)
  })

  test('draft -> submit -> approve -> export -> paid, each audited once, managers and finance mailed', async () => {
    const ops = await org.as(OPS)
    const manager = await org.as(MANAGER)
    const finance = await org.as(FINANCE)
    const admin = await org.as('admin@demo.test')
    const d = await draft(org)
    const id = d.body.batchId as number

    expect((await manager.request('POST', `/api/batches/${id}/submit`)).status).toBe(403)
    const early = await manager.request('POST', `/api/batches/${id}/approve`)
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('batch_not_submitted')
    expect((await (await org.as(FINANCE)).request('GET', `/api/batches/${id}/export?format=generic-csv`)).status).toBe(409)

    const s = await ops.request('POST', `/api/batches/${id}/submit`)
    expect(s.status, JSON.stringify(s.body)).toBe(200)
    expect(s.body.contentHash).toMatch(/^[0-9a-f]{64}$/)
    const toManager = await outboxFor(admin, MANAGER, org.headers)
    expect(toManager.some((m) => m.subject.includes(s.body.reference) && /approval/.test(m.subject))).toBe(true)
    expect((await ops.request('POST', `/api/batches/${id}/submit`)).status).toBe(409)

    // The ops user who prepared it is refused by role; the state machine would refuse them too.
    const self = await ops.request('POST', `/api/batches/${id}/approve`)
    expect(self.status).toBe(403)
    const a = await manager.request('POST', `/api/batches/${id}/approve`)
    expect(a.status, JSON.stringify(a.body)).toBe(200)
    expect(a.body).toMatchObject({ status: 'approved', approvals: 1, contentHash: s.body.contentHash })
    const toFinance = await outboxFor(admin, FINANCE, org.headers)
    expect(toFinance.some((m) => m.subject.includes(s.body.reference) && /approved/.test(m.subject))).toBe(true)
    const { rows } = await owner.query(`select approvals, approved_by_id, approved_at from batches where id = $1`, [id])
    expect(rows[0].approvals).toHaveLength(1)
    expect(rows[0].approvals[0].contentHash).toBe(s.body.contentHash)
    expect(rows[0].approved_at).not.toBeNull()

    expect((await manager.request('POST', `/api/batches/${id}/reject`, { reason: 'late' })).status).toBe(409)
    expect((await ops.request('POST', `/api/batches/${id}/mark-paid`, { paymentReference: 'x', paidOn: '2026-03-01' })).status).toBe(403)
    const notYet = await finance.request('POST', `/api/batches/${id}/mark-paid`, { paymentReference: 'x', paidOn: '2026-03-01' })
    expect(notYet.body.error.code).toBe('batch_not_exported')

    const file = await download(finance, org, `/api/batches/${id}/export?format=paypal-payouts`)
    expect(file.status, file.content.toString()).toBe(200)
    expect(file.headers.get('x-batch-status')).toBe('exported')
    const bad = await finance.request('POST', `/api/batches/${id}/mark-paid`, { paymentReference: ' ', paidOn: '2026-03-01' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('payment_reference_required')
    const paid = await finance.request('POST', `/api/batches/${id}/mark-paid`, { paymentReference: 'PP-7781', paidOn: '2026-03-02' })
    expect(paid.status, JSON.stringify(paid.body)).toBe(200)
    expect(paid.body).toMatchObject({ status: 'paid', paidLines: 1, openLines: 0, paidEntries: 1 })
    const again = await finance.request('POST', `/api/batches/${id}/mark-paid`, { paymentReference: 'PP-7781', paidOn: '2026-03-02' })
    expect(again.status).toBe(409)

    for (const action of ['batch.draft', 'batch.submit', 'batch.approve', 'batch.export', 'batch.mark_paid']) {
      expect(await auditCount(owner, org.organizationId, action, id), action).toBe(1)
    }
    const entries = await owner.query(`select status, payment_reference from commissions where batch_id = $1`, [id])
    expect(entries.rows).toEqual([{ status: 'paid', payment_reference: 'PP-7781' }])
    const chain = await (await org.as('admin@demo.test')).request('GET', '/api/audit-events/verify')
    expect(chain.body.ok, JSON.stringify(chain.body)).toBe(true)
  })

  test('reject needs a reason and releases the entries; discard releases a draft', async () => {
    const o = await createBatchOrg(owner)
    const p = await createPartner(owner, o.organizationId)
    const e = await addEntry(owner, o.organizationId, p, 3000)
    const d1 = await draft(o)
    const id = d1.body.batchId as number
    await (await o.as(OPS)).request('POST', `/api/batches/${id}/submit`)
    const noReason = await (await o.as(MANAGER)).request('POST', `/api/batches/${id}/reject`, { reason: '  ' })
    expect(noReason.status).toBe(400)
    expect(noReason.body.error.code).toBe('reason_required')
    const r = await (await o.as(MANAGER)).request('POST', `/api/batches/${id}/reject`, { reason: 'Partner disputes March' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status).toBe('rejected')
    let entry = (await owner.query(`select status, batch_id from commissions where id = $1`, [e])).rows[0]
    expect(entry).toEqual({ status: 'eligible', batch_id: null })
    const stored = (await owner.query(`select status, rejection_reason, rejected_by_id from batches where id = $1`, [id])).rows[0]
    expect(stored).toMatchObject({ status: 'rejected', rejection_reason: 'Partner disputes March' })
    expect(await auditCount(owner, o.organizationId, 'batch.reject', id)).toBe(1)
    expect((await (await o.as(OPS)).request('POST', `/api/batches/${id}/submit`)).status).toBe(409)

    const d2 = await draft(o)
    expect(d2.status).toBe(201)
    const id2 = d2.body.batchId as number
    expect((await (await o.as(MANAGER)).request('POST', `/api/batches/${id2}/discard`)).status).toBe(403)
    const disc = await (await o.as(OPS)).request('POST', `/api/batches/${id2}/discard`)
    expect(disc.status).toBe(200)
    entry = (await owner.query(`select status, batch_id from commissions where id = $1`, [e])).rows[0]
    expect(entry).toEqual({ status: 'eligible', batch_id: null })
    expect(await auditCount(owner, o.organizationId, 'batch.discard', id2)).toBe(1)
  })

  test('a foreign or missing batch is 404 for every endpoint', async () => {
    const other = await createBatchOrg(owner)
    const p = await createPartner(owner, other.organizationId)
    await addEntry(owner, other.organizationId, p, 3000)
    const foreignId = (await draft(other)).body.batchId as number
    const ops = await org.as(OPS)
    expect((await ops.request('POST', `/api/batches/${foreignId}/submit`)).status).toBe(404)
    expect((await ops.request('GET', `/api/batches/${foreignId}/review`)).status).toBe(404)
    expect((await (await org.as(MANAGER)).request('POST', `/api/batches/${foreignId}/approve`)).status).toBe(404)
    expect((await ops.request('POST', `/api/batches/99999999/discard`)).status).toBe(404)
    const still = (await owner.query(`select status from batches where id = $1`, [foreignId])).rows[0]
    expect(still.status).toBe('draft')
  })
})

describe('the approval gate', () => {
  test('whoever prepared or submitted the batch cannot approve it, even as a manager', async () => {
    const org = await createBatchOrg(owner)
    const p = await createPartner(owner, org.organizationId)
    await addEntry(owner, org.organizationId, p, 4000)
    const id = (await draft(org)).body.batchId as number
    await (await org.as(OPS)).request('POST', `/api/batches/${id}/submit`)
    // The same person is promoted to manager afterwards: the state machine still refuses.
    await owner.query(
      `update memberships set role = 'manager' where organization_id = $1 and user_id = (select id from users where email = $2)`,
      [org.organizationId, OPS],
    )
    const self = await (await org.as(OPS)).request('POST', `/api/batches/${id}/approve`)
    expect(self.status).toBe(403)
    expect(self.body.error.code).toBe('approver_is_preparer')
    expect(self.body.error.message).toMatch(/You prepared or submitted this batch/)
    const selfReject = await (await org.as(OPS)).request('POST', `/api/batches/${id}/reject`, { reason: 'x' })
    expect(selfReject.body.error.code).toBe('approver_is_preparer')
    expect((await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)).status).toBe(200)
  })

  test('above the threshold a second, different manager must approve', async () => {
    const org = await createBatchOrg(owner, { settings: { secondApproverThresholdMinor: '1000' } })
    const admin = await org.as('admin@demo.test')
    const second = await inviteAndActivate(admin, 'manager', { headers: org.headers })
    const p = await createPartner(owner, org.organizationId)
    await addEntry(owner, org.organizationId, p, 5000)
    const id = (await draft(org)).body.batchId as number
    await (await org.as(OPS)).request('POST', `/api/batches/${id}/submit`)
    const review = await (await org.as(MANAGER)).request('GET', `/api/batches/${id}/review`)
    expect(review.body.batch.approvalsRequired).toBe(2)
    const first = await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ status: 'submitted', approvals: 1, awaitingSecondApproval: true })
    expect(await auditCount(owner, org.organizationId, 'batch.approve_first', id)).toBe(1)
    const twice = await (await org.as(MANAGER)).request('POST', `/api/batches/${id}/approve`)
    expect(twice.status).toBe(409)
    expect(twice.body.error.code).toBe('approver_already_approved')
    const secondSession = {
      ...second.session,
      request: (m: string, path: string, b?: unknown) => second.session.request(m, path, b, org.headers),
    }
    const done = await secondSession.request('POST', `/api/batches/${id}/approve`)
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(done.body).toMatchObject({ status: 'approved', approvals: 2 })
    const { rows } = await owner.query(`select approvals from batches where id = $1`, [id])
    expect(rows[0].approvals.map((a: { actorId: string }) => a.actorId)).toEqual([
      String((await owner.query(`select id from users where email = $1`, [MANAGER])).rows[0].id),
      String(second.userId),
    ])
  })

  test('50 concurrent approvals: exactly one 200, 49 409, one audit event', async () => {
    const org = await createBatchOrg(owner)
    const p = await createPartner(owner, org.organizationId)
    await addEntry(owner, org.organizationId, p, 6000)
    const id = (await draft(org)).body.batchId as number
    await (await org.as(OPS)).request('POST', `/api/batches/${id}/submit`)
    const manager = await org.as(MANAGER)
    const results = await Promise.all(Array.from({ length: 50 }, () => manager.request('POST', `/api/batches/${id}/approve`)))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(49)
    expect(await auditCount(owner, org.organizationId, 'batch.approve', id)).toBe(1)
    const { rows } = await owner.query(`select status, approvals from batches where id = $1`, [id])
    expect(rows[0].status).toBe('approved')
    expect(rows[0].approvals).toHaveLength(1)
  })
})

describe('races on entries', () => {
  test('concurrent drafts never put one entry in two batches', async () => {
    const org = await createBatchOrg(owner)
    for (let i = 0; i < 5; i++) {
      const p = await createPartner(owner, org.organizationId)
      for (let j = 0; j < 4; j++) await addEntry(owner, org.organizationId, p, 1000 + j)
    }
    const results = await Promise.all(Array.from({ length: 6 }, () => draft(org)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'nothing_to_pay')).toBe(true)
    const { rows } = await owner.query(
      `select count(*) as n, count(distinct batch_id) as batches from commissions where organization_id = $1 and status = 'in_batch'`,
      [org.organizationId],
    )
    expect(rows[0]).toEqual({ n: '20', batches: '1' })
    const lines = await owner.query(`select sum(amount_minor) as s from batch_lines where organization_id = $1`, [org.organizationId])
    expect(lines.rows[0].s).toBe(String(5 * (1000 + 1001 + 1002 + 1003)))
  })

  // The refunds collection's hook does not apply refunds yet (coordinator's wiring), so the
  // refund's ledger entry (a clawback) is written directly as the ledger service would post it.
  test.each([1, 2, 3])('a refund racing a draft lands in the batch or after it, never both (run %i)', async () => {
    const org = await createBatchOrg(owner)
    const p = await createPartner(owner, org.organizationId)
    for (let j = 0; j < 3; j++) await addEntry(owner, org.organizationId, p, 4000)
    const [res, refundEntry] = await Promise.all([draft(org), addEntry(owner, org.organizationId, p, -2500)])
    expect(res.status).toBe(201)
    const entry = (await owner.query(`select status, batch_id from commissions where id = $1`, [refundEntry])).rows[0]
    const line = (await owner.query(`select amount_minor from batch_lines where batch_id = $1`, [res.body.batchId])).rows[0]
    if (entry.batch_id === null) {
      expect(entry.status).toBe('eligible')
      expect(line.amount_minor).toBe('12000')
    } else {
      expect(entry).toEqual({ status: 'in_batch', batch_id: res.body.batchId })
      expect(line.amount_minor).toBe('9500')
    }
    // Whichever way: what the batch pays plus what waits equals what was earned, once.
    const waiting = await owner.query(
      `select coalesce(sum(amount_minor), 0) as s from commissions where organization_id = $1 and batch_id is null`,
      [org.organizationId],
    )
    expect(BigInt(line.amount_minor) + BigInt(waiting.rows[0].s)).toBe(9500n)
  })
})

describe('an approved batch is frozen in the database', () => {
  test('the owner cannot change the batch, its lines or its entries', async () => {
    const org = await createBatchOrg(owner)
    const p = await createPartner(owner, org.organizationId)
    const e = await addEntry(owner, org.organizationId, p, 7000)
    const id = await approvedBatch(org)
    const attempts = [
      [`update batches set totals = '[]'::jsonb where id = $1`, [id]],
      [`update batches set status = 'submitted' where id = $1`, [id]],
      [`update batches set content_hash = 'x' where id = $1`, [id]],
      [`delete from batches where id = $1`, [id]],
      [`update batch_lines set amount_minor = 1 where batch_id = $1`, [id]],
      [`update batch_lines set payee = '{"method":"paypal","email":"thief@example.com"}'::jsonb where batch_id = $1`, [id]],
      [`delete from batch_lines where batch_id = $1`, [id]],
      [
        `insert into batch_lines (batch_id, line_no, partner_id, partner_name, amount_minor, currency, entry_count, organization_id)
         values ($1, 99, $2, 'x', 1, 'USD', 1, $3)`,
        [id, p, org.organizationId],
      ],
      [`update commissions set batch_id = null, status = 'eligible' where id = $1`, [e]],
      [`update commissions set amount_minor = 1 where id = $1`, [e]],
      [`delete from commissions where id = $1`, [e]],
    ] as const
    for (const [text, params] of attempts) {
      await expect(owner.query(text, params as unknown as unknown[]), text).rejects.toThrow()
    }
    const extra = await addEntry(owner, org.organizationId, p, 100)
    await expect(owner.query(`update commissions set batch_id = $1, status = 'in_batch' where id = $2`, [id, extra])).rejects.toThrow(
      /approved/,
    )
  })
})

describe('exports', () => {
  let org: BatchOrg
  let usd: number
  let eur: number
  let finance: Session
  const evil = '=HYPERLINK("http://evil.example","x")'

  beforeAll(async () => {
    org = await createBatchOrg(owner, { settings: { exports: { presets: EXPORT_PRESETS } } })
    const o = org.organizationId
    const pp = await createPartner(owner, o, { name: evil, payoutMethod: 'paypal', payoutEmail: 'jane@example.com' })
    const ach1 = await createPartner(owner, o, {
      name: 'Ach One',
      payoutMethod: 'bank',
      routingNumber: BANK.routing,
      accountNumber: '0001234567',
      accountType: 'checking',
    })
    const ach2 = await createPartner(owner, o, {
      name: 'Ach Two',
      payoutMethod: 'bank',
      routingNumber: BANK.routing2,
      accountNumber: '12345678901234567',
      accountType: 'savings',
    })
    await addEntry(owner, o, pp, 11850)
    await addEntry(owner, o, ach1, 4001)
    await addEntry(owner, o, ach1, 999)
    await addEntry(owner, o, ach2, 123456)
    usd = await approvedBatch(org)
    const sepa1 = await createPartner(owner, o, { name: 'Sepa Eins', payoutMethod: 'bank', iban: BANK.iban, bic: 'COBADEFFXXX' })
    const sepa2 = await createPartner(owner, o, { name: 'Sepa Zwei', payoutMethod: 'bank', iban: 'FR1420041010050500013M02606' })
    const wise = await createPartner(owner, o, { name: 'Wise Gb', payoutMethod: 'wise', payoutEmail: 'gb@example.com', iban: BANK.iban2 })
    await addEntry(owner, o, sepa1, 5050, { currency: 'EUR' })
    await addEntry(owner, o, sepa2, 70000, { currency: 'EUR' })
    await addEntry(owner, o, wise, 2599, { currency: 'GBP' })
    eur = await approvedBatch(org)
    finance = await org.as(FINANCE)
  })

  const USD_TOTAL = 11850n + 5000n + 123456n

  test('only finance downloads; unknown formats and missing format are 400', async () => {
    expect((await download(await org.as(MANAGER), org, `/api/batches/${usd}/export?format=generic-csv`)).status).toBe(403)
    expect((await download(await org.as(OPS), org, `/api/batches/${usd}/export?format=generic-csv`)).status).toBe(403)
    const unknown = await download(finance, org, `/api/batches/${usd}/export?format=lotus123`)
    expect(unknown.status).toBe(400)
    expect(unknown.json().error.code).toBe('unknown_format')
    expect((await download(finance, org, `/api/batches/${usd}/export`)).status).toBe(400)
    const payOnly = await download(finance, org, `/api/batches/${usd}/export?format=nacha`)
    expect(payOnly.status).toBe(422)
    expect(payOnly.json().error.message).toMatch(/allowPartial/)
  })

  test('generic CSV: total equals the batch, formula neutralised, amounts numeric, accounts as text', async () => {
    const f = await download(finance, org, `/api/batches/${usd}/export?format=generic-csv`)
    expect(f.status, f.content.toString()).toBe(200)
    expect(f.headers.get('x-batch-status')).toBe('exported')
    const rows = csvRows(f.content)
    const header = rows[0]!
    const amountCol = header.findIndex((h) => /amount/i.test(h))
    expect(amountCol).toBeGreaterThanOrEqual(0)
    const body = rows.slice(1)
    expect(body.reduce((s, r) => s + minor(r[amountCol]!), 0n)).toBe(USD_TOTAL)
    const text = f.content.toString('utf8')
    expect(text).toContain(`'${evil.replace(/"/g, '""')}`)
    expect(body.every((r) => /^\d+\.\d{2}$/.test(r[amountCol]!))).toBe(true)
    expect(text).toContain('12345678901234567')
    expect(text).toContain('0001234567')
    const sha = f.headers.get('x-export-sha256')!
    const recorded = await owner.query(`select format, sha256, created_by_id from payout_exports where batch_id = $1`, [usd])
    expect(recorded.rows).toHaveLength(1)
    expect(recorded.rows[0]).toMatchObject({ format: 'generic-csv', sha256: sha })
    const audit = await owner.query(`select changes from audit_events where action = 'batch.export' and entity_id = $1`, [String(usd)])
    expect(audit.rows[0].changes).toMatchObject({ sha256: sha, format: 'generic-csv' })
    expect(audit.rows[0].changes.downloadedBy).toBe(Number(recorded.rows[0].created_by_id))
  })

  test.each([
    ['quickbooks', 'Line Amount'],
    ['xero', '*UnitAmount'],
  ])('%s bill file totals the batch', async (format, column) => {
    const f = await download(finance, org, `/api/batches/${usd}/export?format=${format}&redownload=true`)
    expect(f.status, f.content.toString()).toBe(200)
    const rows = csvRows(f.content)
    const col = rows[0]!.indexOf(column)
    expect(col).toBeGreaterThanOrEqual(0)
    expect(rows.slice(1).reduce((s, r) => s + minor(r[col]!), 0n)).toBe(USD_TOTAL)
  })

  test('PayPal file pays the PayPal line; the skipped ACH lines make up the rest of the batch', async () => {
    const f = await download(finance, org, `/api/batches/${usd}/export?format=paypal-payouts&allowPartial=true&redownload=true`)
    expect(f.status, f.content.toString()).toBe(200)
    const rows = csvRows(f.content)
    const skipped = JSON.parse(f.headers.get('x-export-skipped')!) as { amountMinor: string }[]
    const paid = rows.reduce((s, r) => s + minor(r[1]!), 0n)
    expect(paid).toBe(11850n)
    expect(paid + skipped.reduce((s, x) => s + BigInt(x.amountMinor), 0n)).toBe(USD_TOTAL)
    expect(rows[0]![0]).toBe('jane@example.com')
  })

  test('NACHA from a real batch: 94-char lines, blocking, check digits, entry hash and totals (nach2)', async () => {
    const f = await download(
      finance,
      org,
      `/api/batches/${usd}/export?format=nacha&allowPartial=true&effectiveEntryDate=2026-03-04&redownload=true`,
    )
    expect(f.status, f.content.toString()).toBe(200)
    const { entries, sumCents } = verifyNachaStructure(f.content.toString('utf8'))
    expect(entries).toHaveLength(2)
    expect(sumCents).toBe(5000n + 123456n)
    // DFI account number: positions 13-29, kept whole as text
    expect(entries.map((l) => l.slice(12, 29).trim())).toContain('12345678901234567')
  })

  test('pain.001 validates against the ISO 20022 XSD; Wise pays the GBP line; generic CSV of two currencies is a zip', async () => {
    const f = await download(finance, org, `/api/batches/${eur}/export?format=pain001&allowPartial=true`)
    expect(f.status, f.content.toString()).toBe(200)
    const xml = f.content.toString('utf8')
    expect(xml).toContain('<NbOfTxs>2</NbOfTxs>')
    expect(xml).toContain('<CtrlSum>750.50</CtrlSum>')
    const xsd = '/work/shared/fixtures/iso20022/pain.001.001.03.xsd'
    const dir = mkdtempSync(join(tmpdir(), 'pain001-'))
    try {
      writeFileSync(join(dir, 'f.xml'), f.content)
      if (existsSync(xsd)) execFileSync('xmllint', ['--noout', '--schema', xsd, join(dir, 'f.xml')], { stdio: 'pipe' })
      else console.warn(`${xsd} missing: pain.001 checked by totals only`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const w = await download(finance, org, `/api/batches/${eur}/export?format=wise&allowPartial=true&redownload=true`)
    expect(w.status, w.content.toString()).toBe(200)
    const wr = csvRows(w.content)
    expect(wr[1]![wr[0]!.indexOf('amount')]).toBe('25.99')

    const z = await download(finance, org, `/api/batches/${eur}/export?format=generic-csv&redownload=true`)
    expect(z.status).toBe(200)
    expect(z.headers.get('content-type')).toBe('application/zip')
    const files = unzipAll(z.content)
    expect([...files.keys()].sort()).toEqual([expect.stringMatching(/_EUR\.csv$/), expect.stringMatching(/_GBP\.csv$/)])
    const totals = [...files.entries()].map(([name, c]) => {
      const rows = csvRows(c)
      const col = rows[0]!.findIndex((h) => /amount/i.test(h))
      return [name.slice(-7, -4), rows.slice(1).reduce((s, r) => s + minor(r[col]!), 0n)]
    })
    expect(Object.fromEntries(totals)).toEqual({ EUR: 75050n, GBP: 2599n })
    expect(await auditCount(owner, org.organizationId, 'batch.export', eur)).toBe(3)
  })

  test('a saved custom template: renamed, ordered columns, decimal comma, semicolons, no header', async () => {
    const saved = await finance.request('POST', '/api/batches/export-templates', {
      name: 'Our AP tool',
      options: {
        columns: [{ field: 'amount', header: 'Betrag' }, { field: 'partner_name' }, { field: 'reference' }],
        decimalSeparator: ',',
        delimiter: ';',
        header: false,
      },
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(201)
    const id = saved.body.template.id as string
    expect((await (await org.as(OPS)).request('POST', '/api/batches/export-templates', saved.body.template)).status).toBe(403)
    const bad = await finance.request('POST', '/api/batches/export-templates', { name: 'x', options: { columns: [{ field: 'password' }] } })
    expect(bad.status).toBe(400)
    const f = await download(finance, org, `/api/batches/${usd}/export?format=${id}&redownload=true`)
    expect(f.status, f.content.toString()).toBe(200)
    const rows = Papa.parse<string[]>(f.content.toString('utf8'), { delimiter: ';', skipEmptyLines: 'greedy' }).data
    expect(rows).toHaveLength(3)
    expect(rows.reduce((s, r) => s + parseDecimalMinor(r[0]!, 2, ','), 0n)).toBe(USD_TOTAL)
    expect(
      (await owner.query(`select format from payout_exports where batch_id = $1 order by id desc limit 1`, [usd])).rows[0].format,
    ).toBe(`custom-template:${id}`)
  })

  test('mark single lines paid, then the rest; the batch is paid when no line is open', async () => {
    const lines = (await owner.query(`select id from batch_lines where batch_id = $1 order by line_no`, [usd])).rows.map((r) =>
      Number(r.id),
    )
    const one = await finance.request('POST', `/api/batches/${usd}/mark-paid`, {
      paymentReference: 'ACH-1',
      paidOn: '2026-03-04',
      lineIds: [lines[1]],
    })
    expect(one.status, JSON.stringify(one.body)).toBe(200)
    expect(one.body).toMatchObject({ status: 'exported', paidLines: 1, openLines: 2 })
    expect(await auditCount(owner, org.organizationId, 'batch.mark_lines_paid', usd)).toBe(1)
    const badDate = await finance.request('POST', `/api/batches/${usd}/mark-paid`, { paymentReference: 'ACH-2', paidOn: '2026-02-30' })
    expect(badDate.status).toBe(400)
    expect(badDate.body.error.code).toBe('paid_on_invalid')
    const dup = await finance.request('POST', `/api/batches/${usd}/mark-paid`, {
      paymentReference: 'ACH-1',
      paidOn: '2026-03-04',
      lineIds: [lines[1]],
    })
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('line_already_paid')
    const rest = await finance.request('POST', `/api/batches/${usd}/mark-paid`, { paymentReference: 'ACH-2', paidOn: '2026-03-05' })
    expect(rest.body).toMatchObject({ status: 'paid', paidLines: 2, openLines: 0 })
    const entries = await owner.query(`select status, payment_reference from commissions where batch_id = $1 order by id`, [usd])
    expect(entries.rows.every((r) => r.status === 'paid')).toBe(true)
    expect(new Set(entries.rows.map((r) => r.payment_reference))).toEqual(new Set(['ACH-1', 'ACH-2']))
    const after = await download(finance, org, `/api/batches/${usd}/export?format=generic-csv`)
    expect(after.status).toBe(409)
  })

  test('an export is refused when the stored content no longer matches the approved hash', async () => {
    const o = await createBatchOrg(owner)
    const p = await createPartner(owner, o.organizationId, { payoutMethod: 'paypal', payoutEmail: 'honest@example.com' })
    await addEntry(owner, o.organizationId, p, 8000)
    const id = await approvedBatch(o)
    // Changing the partner after approval does not reach the batch: the approved snapshot is paid.
    await owner.query(`update partners set payout_email = 'changed@example.com' where id = $1`, [p])
    const f = await o.as(FINANCE)
    const ok = await download(f, o, `/api/batches/${id}/export?format=paypal-payouts`)
    expect(ok.status).toBe(200)
    expect(ok.content.toString()).toContain('honest@example.com')
    // Someone going around the triggers (replica mode skips them) rewrites the snapshot.
    await owner.query('begin')
    await owner.query(`set local session_replication_role = replica`)
    await owner.query(`update batch_lines set payee = '{"method":"paypal","email":"thief@example.com"}'::jsonb where batch_id = $1`, [id])
    await owner.query('commit')
    const before = await auditCount(owner, o.organizationId, 'batch.export', id)
    const refused = await download(f, o, `/api/batches/${id}/export?format=paypal-payouts&redownload=true`)
    expect(refused.status).toBe(409)
    expect(refused.json().error.code).toBe('content_changed')
    expect(await auditCount(owner, o.organizationId, 'batch.export', id)).toBe(before)
    expect((await owner.query(`select count(*) as n from payout_exports where batch_id = $1`, [id])).rows[0].n).toBe('1')
  })
})

describe('review', () => {
  test('lines with entries, flags, change against the previous batch, carried and blocked, and the caller’s buttons', async () => {
    const org = await createBatchOrg(owner, { settings: { minPayoutMinor: '1000' } })
    const o = org.organizationId
    const p = await createPartner(owner, o, { name: 'Repeat Partner' })
    await addEntry(owner, o, p, 3000)
    await approvedBatch(org)
    const e1 = await addEntry(owner, o, p, 4500)
    const small = await createPartner(owner, o, { name: 'Tiny' })
    await addEntry(owner, o, small, 10)
    const d = await draft(org)
    const id = d.body.batchId as number
    await (await org.as(OPS)).request('POST', `/api/batches/${id}/submit`)
    const r = await (await org.as(MANAGER)).request('GET', `/api/batches/${id}/review`)
    expect(r.status).toBe(200)
    expect(r.body.lines).toHaveLength(1)
    expect(r.body.lines[0]).toMatchObject({ partnerName: 'Repeat Partner', amountMinor: '4500', changeMinor: '1500', entryIds: [e1] })
    expect(r.body.lines[0].previous.amountMinor).toBe('3000')
    expect(r.body.carried[0]).toMatchObject({ partnerName: 'Tiny', reason: 'below_min_payout' })
    expect(r.body.availableEvents).toEqual(['approve', 'reject'])
    expect(r.body.refusals).toEqual({})
    const asOps = await (await org.as(OPS)).request('GET', `/api/batches/${id}/review`)
    expect(asOps.body.availableEvents).toEqual([])
    expect(asOps.body.exports).toEqual([])
  })
})
