import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import {
  COLLECTION_ACCESS,
  FUNCTION_ACCESS,
  ROLES,
  type CrudAction,
  type FunctionName,
  type Role,
  type TenantCollection,
} from '../../src/access/roles'
import { batchInState, payableEntry } from '../helpers/batches'
import { configRoutes } from '../helpers/config-routes'
import { ambiguousRefund, negativeBalancePartnerId, openFlagId } from '../helpers/ledger-fixtures'
import { createOrgFixture, type OrgFixture } from '../helpers/fixtures'
import { baseUrl, login, request, type ApiResponse, type Session } from '../helpers/http'

/**
 * Checklist row 1 for the custom endpoints (access-matrix.test.ts walks Payload's CRUD routes):
 * the list of routes comes from the real config (payload.config collections' `endpoints` and the
 * root `endpoints`, minus the ones Payload itself adds), and each must have a row in ROUTES below,
 * so a new endpoint without a row fails here. Each row × role × {own, foreign organization}:
 * allowed → success, denied → 403 (and an `authz.denied` audit event), a foreign organization
 * (named by x-organization-id or in the body) → 404 with nothing but the error, no session → 401.
 */
type Permission = { fn: FunctionName } | { collection: TenantCollection; action: CrudAction } | 'member'

interface RouteRow {
  permission: Permission
  /** Status of an allowed call in the caller's own organization. */
  ok: number
  /** The call; `org` goes in x-organization-id (or the body, where the endpoint takes it there). */
  call: (s: Session | null, org: number) => Promise<ApiResponse>
}

async function upload(s: Session | null, org: number, path = '/api/imports'): Promise<ApiResponse> {
  const tag = randomUUID().slice(0, 8).toUpperCase()
  const form = new FormData()
  form.append('kind', 'conversions')
  form.append('file', new Blob([`code,order_id,amount,date\nEM${tag},em-${tag},1.00,2026-11-01\n`], { type: 'text/csv' }), 'em.csv')
  const res = await fetch(`${baseUrl()}${path}`, {
    method: 'POST',
    body: form,
    headers: { 'x-organization-id': String(org), ...(s ? { cookie: s.cookie } : {}) },
  })
  const text = await res.text()
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
}

const send = (s: Session | null, method: string, path: string, org: number, body?: unknown) =>
  (s ? s.request : request)(method, path, body, { 'x-organization-id': String(org) })

const ROUTES: Record<string, RouteRow> = {
  'POST /api/users/switch-organization': {
    permission: 'member',
    ok: 200,
    call: (s, org) => send(s, 'POST', '/api/users/switch-organization', org, { organizationId: org }),
  },
  'GET /api/users/tenant': { permission: 'member', ok: 200, call: (s, org) => send(s, 'GET', '/api/users/tenant', org) },
  'GET /api/audit-events/verify': {
    permission: { fn: 'audit.verify' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/audit-events/verify', org),
  },
  'GET /api/audit-events/export': {
    permission: { fn: 'audit.export' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/audit-events/export?action=partner%', org),
  },
  'POST /api/imports': { permission: { collection: 'imports', action: 'create' }, ok: 201, call: upload },
  'POST /api/imports/inspect': {
    permission: { collection: 'imports', action: 'create' },
    ok: 200,
    call: (s, org) => upload(s, org, '/api/imports/inspect'),
  },
  'POST /api/invitations': {
    permission: { fn: 'membership.invite' },
    ok: 201,
    call: (s, org) => send(s, 'POST', '/api/invitations', org, { email: `em-${randomUUID().slice(0, 8)}@example.com`, role: 'auditor' }),
  },
  'POST /api/batches/draft': {
    permission: { fn: 'batch.draft' },
    ok: 201,
    call: async (s, org) => (await payableEntry(owner, own), send(s, 'POST', '/api/batches/draft', org, {})),
  },
  'POST /api/batches/:id/submit': {
    permission: { fn: 'batch.submit' },
    ok: 200,
    call: async (s, org) => send(s, 'POST', `/api/batches/${await batch('draft')}/submit`, org),
  },
  'POST /api/batches/:id/discard': {
    permission: { fn: 'batch.discard' },
    ok: 200,
    call: async (s, org) => send(s, 'POST', `/api/batches/${await batch('draft')}/discard`, org),
  },
  'POST /api/batches/:id/approve': {
    permission: { fn: 'batch.approve' },
    ok: 200,
    call: async (s, org) => send(s, 'POST', `/api/batches/${await batch('submitted')}/approve`, org),
  },
  'POST /api/batches/:id/reject': {
    permission: { fn: 'batch.reject' },
    ok: 200,
    call: async (s, org) => send(s, 'POST', `/api/batches/${await batch('submitted')}/reject`, org, { reason: 'matrix' }),
  },
  'GET /api/batches/:id/export': {
    permission: { fn: 'batch.export' },
    ok: 200,
    call: async (s, org) => {
      const res = await fetch(`${baseUrl()}/api/batches/${await batch('approved')}/export?format=generic-csv`, {
        headers: { 'x-organization-id': String(org), ...(s ? { cookie: s.cookie } : {}) },
      })
      const text = await res.text()
      return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
    },
  },
  'POST /api/batches/:id/mark-paid': {
    permission: { fn: 'batch.mark_paid' },
    ok: 200,
    call: async (s, org) =>
      send(s, 'POST', `/api/batches/${await batch('exported')}/mark-paid`, org, { paymentReference: 'EM-1', paidOn: '2026-03-01' }),
  },
  'GET /api/batches/:id/review': {
    permission: 'member',
    ok: 200,
    call: async (s, org) => send(s, 'GET', `/api/batches/${await batch('draft')}/review`, org),
  },
  'GET /api/batches/export-templates': {
    permission: { fn: 'batch.export_template' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/batches/export-templates', org),
  },
  'POST /api/batches/export-templates': {
    permission: { fn: 'batch.export_template' },
    ok: 201,
    call: (s, org) =>
      send(s, 'POST', '/api/batches/export-templates', org, { name: 'Matrix', options: { columns: [{ field: 'amount' }] } }),
  },
  'DELETE /api/batches/export-templates/:templateId': {
    permission: { fn: 'batch.export_template' },
    ok: 200,
    call: async (s, org) => {
      const made = await sessions
        .get('finance')!
        .request('POST', '/api/batches/export-templates', { name: 'Doomed', options: { columns: [{ field: 'amount' }] } })
      return send(s, 'DELETE', `/api/batches/export-templates/${made.body.template.id}`, org)
    },
  },
  'POST /api/flags/:id/decision': {
    permission: { fn: 'flag.decide' },
    ok: 200,
    call: async (s, org) =>
      send(s, 'POST', `/api/flags/${await openFlagId(owner, own)}/decision`, org, { decision: 'clear', reason: 'matrix' }),
  },
  'POST /api/commissions/adjustments': {
    permission: { fn: 'commission.adjust' },
    ok: 201,
    call: async (s, org) =>
      send(s, 'POST', '/api/commissions/adjustments', org, {
        partner: await anyPartner(),
        amountMinor: 1,
        currency: 'USD',
        reason: 'matrix',
      }),
  },
  'POST /api/commissions/write-offs': {
    permission: { fn: 'commission.write_off' },
    ok: 201,
    call: async (s, org) =>
      send(s, 'POST', '/api/commissions/write-offs', org, {
        partner: await negativeBalancePartnerId(owner, own),
        currency: 'USD',
        reason: 'matrix',
      }),
  },
  'GET /api/commissions/negative-balances': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/commissions/negative-balances', org),
  },
  'GET /api/conversions/unattributed': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/conversions/unattributed', org),
  },
  'POST /api/conversions/assign': {
    permission: { fn: 'conversion.assign' },
    ok: 200,
    call: async (s, org) =>
      send(s, 'POST', '/api/conversions/assign', org, { code: `EM${randomUUID().slice(0, 8)}`, partner: await anyPartner() }),
  },
  'POST /api/refunds/:id/assign': {
    permission: { fn: 'refund.assign' },
    ok: 200,
    call: async (s, org) => {
      const r = await ambiguousRefund(owner, own)
      return send(s, 'POST', `/api/refunds/${r.refundId}/assign`, org, { conversion: r.conversionId })
    },
  },
  'GET /api/partners/:id/balance': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: async (s, org) => send(s, 'GET', `/api/partners/${await anyPartner()}/balance`, org),
  },
  'GET /api/partners/:id/payout-details': {
    permission: { fn: 'payout.reveal' },
    ok: 200,
    call: async (s, org) => send(s, 'GET', `/api/partners/${await anyPartner()}/payout-details`, org),
  },
  'GET /api/partners/:id/statement': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: async (s, org) => {
      const res = await fetch(`${baseUrl()}/api/partners/${await anyPartner()}/statement`, {
        headers: { 'x-organization-id': String(org), ...(s ? { cookie: s.cookie } : {}) },
      })
      const text = await res.text()
      return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
    },
  },
  'GET /api/organizations/settings': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/organizations/settings', org),
  },
  'PUT /api/organizations/settings': {
    permission: { fn: 'organization.update' },
    ok: 200,
    // The stored settings put back unchanged: the demo's rules stay as other files expect them.
    call: async (s, org) => {
      const { rows } = await owner.query(`select settings from organizations where id = $1`, [own])
      return send(s, 'PUT', '/api/organizations/settings', org, rows[0].settings)
    },
  },
  'GET /api/dashboard': { permission: { fn: 'ledger.read' }, ok: 200, call: (s, org) => send(s, 'GET', '/api/dashboard', org) },
  'GET /api/reconciliation': {
    permission: { fn: 'ledger.read' },
    ok: 200,
    call: (s, org) => send(s, 'GET', '/api/reconciliation?from=2026-01-01', org),
  },
}

const batch = (state: 'draft' | 'submitted' | 'approved' | 'exported') => batchInState(owner, own, (role) => sessions.get(role)!, state)

async function anyPartner(): Promise<number> {
  return (await owner.query<{ id: number }>(`select min(id) as id from partners where organization_id = $1`, [own])).rows[0]!.id
}

function allows(p: Permission, role: Role): boolean {
  if (p === 'member') return true
  return 'fn' in p ? (FUNCTION_ACCESS[p.fn] as readonly Role[]).includes(role) : COLLECTION_ACCESS[p.collection][p.action].includes(role)
}

let owner: pg.Client
let own: number
let foreign: OrgFixture
const sessions = new Map<Role, Session>()

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  own = (await owner.query<{ id: number }>(`select id from organizations where slug = 'demo'`)).rows[0]!.id
  foreign = await createOrgFixture(owner, 'Endpoint Foreign')
  for (const role of ROLES) sessions.set(role, await login(`${role}@demo.test`))
})

afterAll(async () => {
  await owner?.end()
})

/** The custom endpoints of the real config: everything Payload adds by itself is subtracted by handler identity. */
async function customRoutes(): Promise<string[]> {
  return (await configRoutes())
    .filter((r) => r.custom)
    .map((r) => r.route)
    .sort()
}

test('every custom endpoint of the config has a row in the matrix, and every row is a real endpoint', async () => {
  const routes = await customRoutes()
  expect(routes.length).toBeGreaterThan(0)
  expect(routes).toEqual(Object.keys(ROUTES).sort())
})

const cells = Object.keys(ROUTES).flatMap((route) =>
  ROLES.map((role) => ({ route, role, allowed: allows(ROUTES[route]!.permission, role) })),
)

describe.each(cells)('$route as $role (allowed: $allowed)', ({ route, role, allowed }) => {
  const row = ROUTES[route]!
  test('own organization: success if allowed, else 403 with only an error', async () => {
    const res = await row.call(sessions.get(role)!, own)
    if (allowed) return expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(row.ok)
    expect(res.status).toBe(403)
    expect(Object.keys(res.body)).toEqual(['error'])
    expect(res.body.error.code).toBe('forbidden')
  })

  test('foreign organization: 404 with only an error, whatever the role, and nothing written there', async () => {
    const count = async () =>
      (
        await owner.query<{ n: number }>(
          `select (select count(*) from audit_events where organization_id = $1) + (select count(*) from imports where organization_id = $1)
                + (select count(*) from memberships where organization_id = $1) as n`,
          [foreign.organizationId],
        )
      ).rows[0]!.n
    const before = await count()
    const res = await row.call(sessions.get(role)!, foreign.organizationId)
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(404)
    expect(Object.keys(res.body)).toEqual(['error'])
    expect(res.body.error.code).toBe('organization_not_found')
    expect(JSON.stringify(res.body)).not.toMatch(/Endpoint Foreign|endpoint-foreign/)
    expect(await count()).toBe(before)
  })
})

test.each(Object.keys(ROUTES))('%s without a session: 401', async (route) => {
  const res = await ROUTES[route]!.call(null, own)
  expect(res.status).toBe(401)
  expect(Object.keys(res.body)).toEqual(['error'])
})

test('a refused call is audited once (authz.denied) with the route, role and function; the chain still verifies', async () => {
  const ops = sessions.get('ops')!
  const requestId = `denied-${randomUUID()}`
  const res = await ops.request('GET', '/api/audit-events/verify', undefined, { 'x-request-id': requestId })
  expect(res.status).toBe(403)
  const { rows } = await owner.query(`select * from audit_events where request_id = $1`, [requestId])
  expect(rows).toHaveLength(1)
  expect(rows[0]).toMatchObject({
    organization_id: own,
    action: 'authz.denied',
    entity_type: 'endpoint',
    entity_id: 'GET /api/audit-events/verify',
    actor_label: 'ops@demo.test',
    changes: { role: 'ops', needs: 'audit.verify' },
  })
  const verdict = await sessions.get('admin')!.request('GET', '/api/audit-events/verify')
  expect(verdict.body).toMatchObject({ ok: true })
})
