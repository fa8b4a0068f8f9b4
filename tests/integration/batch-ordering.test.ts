import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { batchInState, createBatchOrg, type BatchOrg } from '../helpers/batches'
import type { Session } from '../helpers/http'

/**
 * Checklist row 23 over HTTP (the pure state machine's table is in src/ledger/approval.test.ts):
 * steps out of order are refused with 409 and leave the batch, its files and its audit trail as
 * they were.
 */
let owner: pg.Client
let org: BatchOrg
const ROLE_EMAIL = { ops: 'ops@demo.test', manager: 'manager@demo.test', finance: 'finance@demo.test' } as const
const sessions = new Map<string, Session>()
const as = (role: keyof typeof ROLE_EMAIL) => sessions.get(role)!

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  org = await createBatchOrg(owner)
  for (const [role, email] of Object.entries(ROLE_EMAIL)) sessions.set(role, await org.as(email))
})

afterAll(async () => {
  await owner?.end()
})

/** What must not move when a step is refused. */
async function snapshot(id: number) {
  const batch = (await owner.query(`select to_jsonb(b) - 'updated_at' as b from batches b where id = $1`, [id])).rows[0].b
  const files = (await owner.query(`select count(*)::int as n from payout_exports where batch_id = $1`, [id])).rows[0].n
  const events = (
    await owner.query(
      `select count(*)::int as n from audit_events where organization_id = $1 and entity_id = $2 and action like 'batch.%'`,
      [org.organizationId, String(id)],
    )
  ).rows[0].n
  const entries = (await owner.query(`select id, status, batch_id from commissions where batch_id = $1 order by id`, [id])).rows
  return { batch, files, events, entries }
}

const STEPS = {
  submit: ['ops', 'POST', 'submit', undefined],
  approve: ['manager', 'POST', 'approve', undefined],
  reject: ['manager', 'POST', 'reject', { reason: 'out of order' }],
  discard: ['ops', 'POST', 'discard', undefined],
  export: ['finance', 'GET', 'export?format=generic-csv', undefined],
  markPaid: ['finance', 'POST', 'mark-paid', { paymentReference: 'LATE-1', paidOn: '2026-03-09' }],
} as const

async function step(name: keyof typeof STEPS, id: number) {
  const [role, method, path, body] = STEPS[name]
  return as(role).request(method, `/api/batches/${id}/${path}`, body)
}

describe('export before approval', () => {
  test.each(['draft', 'submitted'] as const)('a %s batch: export is 409 batch_not_approved; no file, no event', async (state) => {
    const id = await batchInState(owner, org.organizationId, (r) => as(r), state)
    const before = await snapshot(id)
    const res = await step('export', id)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('batch_not_approved')
    expect(await snapshot(id)).toEqual(before)
    // Leave nothing eligible behind for the next scenario's draft.
    if (state === 'draft') expect((await step('discard', id)).status).toBe(200)
    else expect((await step('reject', id)).status).toBe(200)
  })

  test('an approved batch: mark-paid before the export is 409 batch_not_exported', async () => {
    const id = await batchInState(owner, org.organizationId, (r) => as(r), 'approved')
    const before = await snapshot(id)
    const res = await step('markPaid', id)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('batch_not_exported')
    expect(await snapshot(id)).toEqual(before)
    expect((await step('export', id)).status).toBe(200)
    expect((await step('markPaid', id)).status).toBe(200)
  })
})

describe('double export', () => {
  test('a second export is 409 already_exported; an explicit re-download is no second transition: the state, exported_at and the transition event stay; the file is byte-identical', async () => {
    const id = await batchInState(owner, org.organizationId, (r) => as(r), 'approved')
    const first = await step('export', id)
    expect(first.status).toBe(200)
    const after1 = (await owner.query(`select status, exported_at from batches where id = $1`, [id])).rows[0]
    expect(after1.status).toBe('exported')
    // A plain second export is refused: a double click or a retried script must not look like a
    // second payment file (checklist row 23).
    const again = await step('export', id)
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('already_exported')
    expect(again.body.error.message).toMatch(/redownload=true/)
    expect((await owner.query(`select status, exported_at from batches where id = $1`, [id])).rows[0]).toEqual(after1)
    // Asking for the re-download on purpose (a lost file) is allowed and audited as such; it never
    // moves the batch again, and it is the same file, so a bank cannot be sent two different
    // payment files for one approval.
    const second = await as('finance').request('GET', `/api/batches/${id}/export?format=generic-csv&redownload=true`)
    expect(second.status).toBe(200)
    expect(second.body).toBe(first.body)
    expect((await owner.query(`select status, exported_at from batches where id = $1`, [id])).rows[0]).toEqual(after1)
    const events = await owner.query<{ redownload: boolean; from: string; to: string }>(
      `select (changes->>'redownload')::boolean as redownload, changes->>'from' as from, changes->>'to' as to
         from audit_events where organization_id = $1 and action = 'batch.export' and entity_id = $2 order by seq`,
      [org.organizationId, String(id)],
    )
    expect(events.rows).toEqual([
      { redownload: false, from: 'approved', to: 'exported' },
      { redownload: true, from: 'exported', to: 'exported' },
    ])
    const shas = await owner.query(`select distinct sha256 from payout_exports where batch_id = $1`, [id])
    expect(shas.rowCount).toBe(1)
    expect((await step('markPaid', id)).status).toBe(200)
  })
})

describe('re-open after paid', () => {
  let id: number
  beforeAll(async () => {
    id = await batchInState(owner, org.organizationId, (r) => as(r), 'exported')
    const paid = await step('markPaid', id)
    expect(paid.status, JSON.stringify(paid.body)).toBe(200)
    expect(paid.body.status).toBe('paid')
  })

  test.each(Object.keys(STEPS) as (keyof typeof STEPS)[])('%s on a paid batch: 409, nothing changes', async (name) => {
    const before = await snapshot(id)
    const res = await step(name, id)
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(typeof res.body.error.code).toBe('string')
    expect(await snapshot(id)).toEqual(before)
    expect(before.batch.status).toBe('paid')
  })

  test('the paid entries cannot be drafted into a new batch', async () => {
    const d = await as('ops').request('POST', '/api/batches/draft', {})
    expect(d.status).toBe(409)
    expect(d.body.error.code).toBe('nothing_to_pay')
  })
})
