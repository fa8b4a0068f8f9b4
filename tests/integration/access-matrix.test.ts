import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import {
  COLLECTION_ACCESS,
  FUNCTION_ACCESS,
  ROLES,
  TENANT_COLLECTIONS,
  type CrudAction,
  type Role,
  type TenantCollection,
} from '../../src/access/roles'
import { batchInState, payableEntry } from '../helpers/batches'
import { createOrgFixture, createUser, type OrgFixture } from '../helpers/fixtures'
import { ambiguousRefund, negativeBalancePartnerId, openFlagId } from '../helpers/ledger-fixtures'
import { login, type Session } from '../helpers/http'

/**
 * Every cell of the role table, for a row of the user's own organization and of a foreign one,
 * generated from src/access/roles.ts so a new collection or function cannot be left out.
 * Denied → 403; a foreign row → 404 with no data; an allowed create lands in the own organization
 * whatever organization the body names.
 */
let owner: pg.Client
let own: OrgFixture
let foreign: OrgFixture
const sessions = new Map<Role, Session>()

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  const demo = await owner.query<{ id: number }>(`select id from organizations where slug = 'demo'`)
  own = await createOrgFixture(owner, 'Own', demo.rows[0]!.id)
  foreign = await createOrgFixture(owner, 'Foreign Co')
  for (const role of ROLES) sessions.set(role, await login(`${role}@demo.test`))
})

afterAll(async () => {
  await owner?.end()
})

test('the role table names exactly the tables that carry an organization', async () => {
  const { rows } = await owner.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'organization_id' order by 1`,
  )
  // Not collections: the list totals' trigger-kept counts (migration 20261125_210000_row_counts) and
  // the stored Idempotency-Key answers (migration 20261125_203000_idempotency_and_import_slots); both
  // are covered table by table in rls-commands.test.ts.
  const fromTable = [...TENANT_COLLECTIONS.map((c) => c.replace(/-/g, '_')), 'idempotency_keys', 'tenant_row_counts'].sort()
  expect(rows.map((r) => r.table_name).sort()).toEqual(fromTable)
})

async function createBody(collection: TenantCollection): Promise<Record<string, unknown>> {
  const tag = randomUUID().slice(0, 8).toUpperCase()
  const bodies: Record<TenantCollection, () => Promise<Record<string, unknown>>> = {
    memberships: async () => ({ user: await createUser(owner), role: 'auditor' }),
    partners: async () => ({ name: `New partner ${tag}`, status: 'active' }),
    'partner-codes': async () => ({ code: `NEW${tag}`, partner: own.ids.partners }),
    conversions: async () => ({
      code: `NEW${tag}`,
      orderId: `o-${tag}`,
      valueMinor: 1234,
      currency: 'USD',
      occurredAt: new Date().toISOString(),
      status: 'unattributed',
    }),
    commissions: async () => ({
      partner: own.ids.partners,
      kind: 'adjustment',
      amountMinor: 1,
      currency: 'USD',
      eligibleAt: new Date().toISOString(),
    }),
    batches: async () => ({ reference: `B-${tag}`, asOf: new Date().toISOString(), status: 'draft' }),
    refunds: async () => ({ orderId: `r-${tag}`, amountMinor: 100, refundedAt: new Date().toISOString() }),
    flags: async () => ({ conversion: own.ids.conversions, rule: 'velocity', evidence: {} }),
    'batch-lines': async () => ({
      batch: own.ids.batches,
      lineNo: 99,
      partner: own.ids.partners,
      partnerName: 'x',
      amountMinor: 1,
      currency: 'USD',
      entryCount: 1,
    }),
    'payout-exports': async () => ({ batch: own.ids.batches, format: 'generic', fileName: 'x.csv', sha256: '0'.repeat(64) }),
    'audit-events': async () => ({
      action: 'forged',
      entityType: 'x',
      entityId: '1',
      seq: 1,
      actorLabel: 'x',
      prevHash: 'x',
      hash: 'x',
      occurredAt: new Date().toISOString(),
    }),
    outbox: async () => ({ recipient: 'x@example.com', subject: 'forged' }),
    // POST /api/imports takes the file itself; JSON carries it as `content` (unique per call).
    imports: async () => ({
      kind: 'conversions',
      fileName: `matrix-${tag}.csv`,
      content: `code,order_id,amount,date\nMX${tag},o-${tag},12.50,2026-11-01\n`,
    }),
  }
  return { ...(await bodies[collection]()), organization: foreign.organizationId }
}

/** A fresh own-org row to delete, so deleting never disturbs the other cells. */
async function disposableRow(collection: TenantCollection): Promise<number> {
  const fx = await createOrgFixture(owner, 'Disposable', own.organizationId)
  return fx.ids[collection]!
}

const cells = ROLES.flatMap((role) =>
  TENANT_COLLECTIONS.flatMap((collection) =>
    (['read', 'create', 'update', 'delete'] as CrudAction[]).map((action) => ({
      role,
      collection,
      action,
      allowed: COLLECTION_ACCESS[collection][action].includes(role),
    })),
  ),
)

describe.each(cells)('$role $action $collection (allowed: $allowed)', ({ role, collection, action, allowed }) => {
  const s = () => sessions.get(role)!
  if (action === 'read') {
    test('list shows own rows only, or 403', async () => {
      const res = await s().request('GET', `/api/${collection}?limit=1000&depth=0`)
      if (!allowed) return expect(res.status).toBe(403)
      expect(res.status).toBe(200)
      const orgs = new Set(res.body.docs.map((d: { organization: number }) => d.organization))
      expect([...orgs]).toEqual([own.organizationId])
      expect(res.body.docs.some((d: { id: number }) => d.id === foreign.ids[collection])).toBe(false)
    })
    test('own row by id: 200 or 403; foreign row: 404 or 403, never data', async () => {
      const mine = await s().request('GET', `/api/${collection}/${own.ids[collection]}?depth=0`)
      const theirs = await s().request('GET', `/api/${collection}/${foreign.ids[collection]}?depth=0`)
      expect(mine.status).toBe(allowed ? 200 : 403)
      expect(theirs.status).toBe(allowed ? 404 : 403)
      expect(JSON.stringify(theirs.body)).not.toContain(String(foreign.organizationId) + ',"updatedAt"')
      expect(theirs.body?.id).toBeUndefined()
    })
  }
  if (action === 'create') {
    test('create lands in the own organization, or 403', async () => {
      const res = await s().request('POST', `/api/${collection}`, await createBody(collection))
      if (!allowed) return expect(res.status).toBe(403)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(res.body.doc.organization).toBe(own.organizationId)
    })
  }
  if (action === 'update') {
    test('update own: 200 or 403; foreign: 404 or 403 and unchanged', async () => {
      const field =
        collection === 'partners' ? { name: `Renamed ${role}` } : collection === 'memberships' ? { role: 'auditor' } : { status: 'x' }
      const before = await owner.query(`select * from ${collection.replace(/-/g, '_')} where id = $1`, [foreign.ids[collection]])
      const theirs = await s().request('PATCH', `/api/${collection}/${foreign.ids[collection]}`, field)
      expect(theirs.status).toBe(allowed ? 404 : 403)
      const after = await owner.query(`select * from ${collection.replace(/-/g, '_')} where id = $1`, [foreign.ids[collection]])
      expect(after.rows).toEqual(before.rows)
      if (allowed) {
        const mine = await s().request('PATCH', `/api/${collection}/${await disposableRow(collection)}`, field)
        expect(mine.status, JSON.stringify(mine.body)).toBe(200)
      } else {
        const mine = await s().request('PATCH', `/api/${collection}/${own.ids[collection]}`, field)
        expect(mine.status).toBe(403)
      }
    })
  }
  if (action === 'delete') {
    test('delete own: 200 or 403; foreign: 404 or 403 and still there', async () => {
      const theirs = await s().request('DELETE', `/api/${collection}/${foreign.ids[collection]}`)
      expect(theirs.status).toBe(allowed ? 404 : 403)
      const still = await owner.query(`select 1 from ${collection.replace(/-/g, '_')} where id = $1`, [foreign.ids[collection]])
      expect(still.rowCount).toBe(1)
      const target = allowed ? await disposableRow(collection) : own.ids[collection]
      const mine = await s().request('DELETE', `/api/${collection}/${target}`)
      expect(mine.status, JSON.stringify(mine.body)).toBe(allowed ? 200 : 403)
    })
  }
})

/** Named functions: each one's request, so a function added to the table without a test fails here. */
const functionRequests: Record<keyof typeof FUNCTION_ACCESS, (s: Session) => Promise<{ status: number }>> = {
  'organization.update': (s) => s.request('PATCH', `/api/organizations/${own.organizationId}`, { name: 'Demo Outfitters' }),
  'organization.create': (s) =>
    s.request('POST', '/api/organizations', { name: `Org ${randomUUID().slice(0, 6)}`, slug: `org-${randomUUID().slice(0, 8)}` }),
  'membership.invite': (s) =>
    s.request('POST', '/api/invitations', { email: `invitee-${randomUUID().slice(0, 8)}@example.com`, role: 'auditor' }),
  'audit.verify': (s) => s.request('GET', '/api/audit-events/verify'),
  'audit.export': (s) => s.request('GET', '/api/audit-events/export?action=partner%'),
  'flag.decide': async (s) =>
    s.request('POST', `/api/flags/${await openFlagId(owner, own.organizationId)}/decision`, { decision: 'clear', reason: 'matrix check' }),
  'commission.adjust': (s) =>
    s.request('POST', '/api/commissions/adjustments', {
      partner: own.ids.partners,
      amountMinor: 1,
      currency: 'USD',
      reason: 'matrix check',
    }),
  'commission.write_off': async (s) =>
    s.request('POST', '/api/commissions/write-offs', {
      partner: await negativeBalancePartnerId(owner, own.organizationId),
      currency: 'USD',
      reason: 'matrix check',
    }),
  'conversion.assign': (s) =>
    s.request('POST', '/api/conversions/assign', { code: `MX${randomUUID().slice(0, 8)}`, partner: own.ids.partners }),
  'refund.assign': async (s) => {
    const r = await ambiguousRefund(owner, own.organizationId)
    return s.request('POST', `/api/refunds/${r.refundId}/assign`, { conversion: r.conversionId })
  },
  'payout.reveal': (s) => s.request('GET', `/api/partners/${own.ids.partners}/payout-details`),
  'ledger.read': (s) => s.request('GET', `/api/partners/${own.ids.partners}/balance`),
  'batch.draft': async (s) => (await payableEntry(owner, own.organizationId), s.request('POST', '/api/batches/draft', {})),
  'batch.submit': async (s) => s.request('POST', `/api/batches/${await demoBatch('draft')}/submit`),
  'batch.discard': async (s) => s.request('POST', `/api/batches/${await demoBatch('draft')}/discard`),
  'batch.approve': async (s) => s.request('POST', `/api/batches/${await demoBatch('submitted')}/approve`),
  'batch.reject': async (s) => s.request('POST', `/api/batches/${await demoBatch('submitted')}/reject`, { reason: 'matrix' }),
  'batch.export': async (s) => s.request('GET', `/api/batches/${await demoBatch('approved')}/export?format=generic-csv`),
  'batch.mark_paid': async (s) =>
    s.request('POST', `/api/batches/${await demoBatch('exported')}/mark-paid`, { paymentReference: 'M-1', paidOn: '2026-03-01' }),
  'batch.export_template': (s) =>
    s.request('POST', '/api/batches/export-templates', { name: 'Matrix', options: { columns: [{ field: 'amount' }] } }),
}

const demoBatch = (state: 'draft' | 'submitted' | 'approved' | 'exported') =>
  batchInState(owner, own.organizationId, (role) => sessions.get(role)!, state)

/** Functions whose success creates something. */
const CREATES = new Set<string>([
  'organization.create',
  'membership.invite',
  'commission.adjust',
  'commission.write_off',
  'batch.draft',
  'batch.export_template',
])

describe.each(ROLES.flatMap((role) => Object.keys(FUNCTION_ACCESS).map((fn) => ({ role, fn: fn as keyof typeof FUNCTION_ACCESS }))))(
  '$role calls $fn',
  ({ role, fn }) => {
    test('allowed per the table, else 403', async () => {
      const allowed = (FUNCTION_ACCESS[fn] as readonly Role[]).includes(role)
      const res = await functionRequests[fn](sessions.get(role)!)
      expect(res.status, JSON.stringify(res)).toBe(allowed ? (CREATES.has(fn) ? 201 : 200) : 403)
    })
  },
)

test('a foreign organization cannot be updated by its id even by an admin', async () => {
  const res = await sessions.get('admin')!.request('PATCH', `/api/organizations/${foreign.organizationId}`, { name: 'Hijacked' })
  expect(res.status).toBe(404)
  const { rows } = await owner.query(`select name from organizations where id = $1`, [foreign.organizationId])
  expect(rows[0].name).toBe('Foreign Co')
})

test('users of a foreign organization are invisible', async () => {
  const res = await sessions.get('admin')!.request('GET', `/api/users/${foreign.ids.user}`)
  expect(res.status).toBe(404)
})
