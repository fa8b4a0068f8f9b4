import { randomUUID } from 'node:crypto'

import Papa from 'papaparse'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { COLLECTION_ACCESS, FUNCTION_ACCESS, ROLES, type CrudAction, type FunctionName, type Role } from '../../src/access/roles'
import { BANK, createBatchOrg, createPartner, payableEntry } from '../helpers/batches'
import { configRoutes, routeKey } from '../helpers/config-routes'
import { createOrgFixture, createUser } from '../helpers/fixtures'
import { ambiguousRefund, negativeBalancePartnerId, openFlagId } from '../helpers/ledger-fixtures'
import { baseUrl, login, request, sendRenewing, type ApiResponse, type Session } from '../helpers/http'

/**
 * Checklist row 30, audit completeness: every mutating route of the real config (custom endpoints
 * and Payload's own REST routes, read from payload.config like endpoint-matrix.test.ts does) has a
 * case below, or is refused to every role by the role table, or has a written exemption. Each case
 * runs for real over HTTP in a fresh organization as an allowed role and must write exactly the
 * listed events (one, unless `why` says which several facts one request records) carrying the
 * request's id, the actor's user id, the organization and the action; nothing else may land in
 * that organization meanwhile. Its refused twin (a role the table denies) and its invalid twin
 * (a 400) write exactly what src/endpoints/guard.ts promises: one `authz.denied`, and nothing.
 */

type Permission =
  { fn: FunctionName } | { collection: 'users' | 'organizations' | keyof typeof COLLECTION_ACCESS; action: CrudAction } | 'member'

interface Ctx {
  org: number
  /** The counted call, as the case's role, in the case's organization, with the case's request id. */
  act: (method: string, path: string, body?: unknown) => Promise<ApiResponse>
  /** The counted call as multipart/form-data. */
  actForm: (path: string, form: FormData) => Promise<ApiResponse>
  /** An uncounted call made while preparing (its own request id). */
  as: (role: Role) => (method: string, path: string, body?: unknown) => Promise<ApiResponse>
}

interface Expected {
  action: string
  entityType: string
  /** The organization the event belongs in, when not the case's (a new organization). */
  organization?: (ctx: Ctx, res: ApiResponse) => number
}

interface Case {
  permission: Permission
  /** The allowed role the case runs as. */
  role: Role
  prepare?: (ctx: Ctx) => Promise<Record<string, number | string>>
  call: (ctx: Ctx, p: Record<string, number | string>) => Promise<ApiResponse>
  status: number
  events: Expected[]
  /** Required when `events` is not exactly one: which facts the one request records. */
  why?: string
  /** A 400 of this kind (nothing written), or why the route has no invalid input. */
  invalid: ((ctx: Ctx, p: Record<string, number | string>) => Promise<ApiResponse>) | { none: string }
}

const tag = () => randomUUID().slice(0, 8).toUpperCase()
const csv = (kind: string, text: string) => {
  const form = new FormData()
  form.append('kind', kind)
  form.append('file', new Blob([text], { type: 'text/csv' }), `${kind}-${tag()}.csv`)
  return form
}
const ev = (action: string, entityType: string): Expected => ({ action, entityType })
const BROKEN_JSON = Symbol('broken json')

const CASES: Record<string, Case> = {
  // ---- custom endpoints -------------------------------------------------------------------
  'POST /api/users/switch-organization': {
    permission: 'member',
    role: 'ops',
    call: (c) => c.act('POST', '/api/users/switch-organization', { organizationId: c.org }),
    status: 200,
    events: [],
    why: 'Switching the active organization is navigation, not a change to the person or the ledger (src/hooks/user-security.ts drops activeOrganization from the user diff); every later action names its organization.',
    invalid: (c) => c.act('POST', '/api/users/switch-organization', { organizationId: 'x' }),
  },
  'POST /api/imports': {
    permission: { collection: 'imports', action: 'create' },
    role: 'ops',
    call: (c) => c.actForm('/api/imports', csv('conversions', `code,order_id,amount,date\nAC${tag()},ac-${tag()},1.00,2026-11-01\n`)),
    status: 201,
    events: [ev('import.created', 'import')],
    invalid: (c) => c.actForm('/api/imports', csv('nonsense', 'a,b\n1,2\n')),
  },
  'POST /api/imports (partners)': {
    permission: { collection: 'imports', action: 'create' },
    role: 'ops',
    call: (c) =>
      c.actForm(
        '/api/imports',
        csv('partners', `name,email,code\nImported A ${tag()},a@example.test,IA${tag()}\nImported B ${tag()},b@example.test,IB${tag()}\n`),
      ),
    status: 201,
    events: [ev('partner.created', 'partner'), ev('partner.created', 'partner'), ev('import.created', 'import')],
    why: 'A partner import records each partner it creates (one event per new payee, like a hand-made one) and then the import itself (file hash, row counts).',
    invalid: (c) => c.actForm('/api/imports', csv('partners', 'nothing,useful\n1,2\n')),
  },
  'POST /api/imports/inspect': {
    permission: { collection: 'imports', action: 'create' },
    role: 'ops',
    call: (c) =>
      c.actForm('/api/imports/inspect', csv('conversions', `code,order_id,amount,date\nIN${tag()},in-${tag()},1.00,2026-11-01\n`)),
    status: 200,
    events: [],
    why: 'Inspecting reads a file to suggest a mapping and stores nothing (a POST only because it carries an upload).',
    invalid: (c) => c.actForm('/api/imports/inspect', csv('nonsense', 'a,b\n1,2\n')),
  },
  'POST /api/invitations': {
    permission: { fn: 'membership.invite' },
    role: 'admin',
    call: (c) => c.act('POST', '/api/invitations', { email: `inv-${tag().toLowerCase()}@example.test`, role: 'auditor' }),
    status: 201,
    events: [ev('user.created', 'user'), ev('membership.invited', 'membership')],
    why: 'Inviting someone new creates a person (their account, audited as any user) and their membership here (the invitation; the membership row itself has no second event).',
    invalid: (c) => c.act('POST', '/api/invitations', { email: 'not-an-email', role: 'auditor' }),
  },
  'PUT /api/organizations/settings': {
    permission: { fn: 'organization.update' },
    role: 'admin',
    call: (c) => c.act('PUT', '/api/organizations/settings', { holdDays: 45 }),
    status: 200,
    events: [ev('organization.settings_updated', 'organization')],
    invalid: (c) => c.act('PUT', '/api/organizations/settings', { holdDays: -3 }),
  },
  'POST /api/batches/draft': {
    permission: { fn: 'batch.draft' },
    role: 'ops',
    prepare: async (c) => (await payableEntry(owner, c.org), {}),
    call: (c) => c.act('POST', '/api/batches/draft', {}),
    status: 201,
    events: [ev('batch.draft', 'batch')],
    invalid: (c) => c.act('POST', '/api/batches/draft', { asOf: 'yesterday' }),
  },
  'POST /api/batches/:id/submit': {
    permission: { fn: 'batch.submit' },
    role: 'ops',
    prepare: async (c) => ({ id: await batchIn(c, 'draft') }),
    call: (c, p) => c.act('POST', `/api/batches/${p.id}/submit`),
    status: 200,
    events: [ev('batch.submit', 'batch')],
    invalid: { none: 'The only input is the batch id in the path; an unknown one is a 404.' },
  },
  'POST /api/batches/:id/discard': {
    permission: { fn: 'batch.discard' },
    role: 'ops',
    prepare: async (c) => ({ id: await batchIn(c, 'draft') }),
    call: (c, p) => c.act('POST', `/api/batches/${p.id}/discard`),
    status: 200,
    events: [ev('batch.discard', 'batch')],
    invalid: { none: 'The only input is the batch id in the path; an unknown one is a 404.' },
  },
  'POST /api/batches/:id/approve': {
    permission: { fn: 'batch.approve' },
    role: 'manager',
    prepare: async (c) => ({ id: await batchIn(c, 'submitted') }),
    call: (c, p) => c.act('POST', `/api/batches/${p.id}/approve`),
    status: 200,
    events: [ev('batch.approve', 'batch')],
    invalid: { none: 'The only input is the batch id in the path; an unknown one is a 404.' },
  },
  'POST /api/batches/:id/reject': {
    permission: { fn: 'batch.reject' },
    role: 'manager',
    prepare: async (c) => ({ id: await batchIn(c, 'submitted') }),
    call: (c, p) => c.act('POST', `/api/batches/${p.id}/reject`, { reason: 'completeness' }),
    status: 200,
    events: [ev('batch.reject', 'batch')],
    invalid: (c, p) => c.act('POST', `/api/batches/${p.id}/reject`, { reason: '' }),
  },
  'POST /api/batches/:id/mark-paid': {
    permission: { fn: 'batch.mark_paid' },
    role: 'finance',
    prepare: async (c) => ({ id: await batchIn(c, 'exported') }),
    call: (c, p) => c.act('POST', `/api/batches/${p.id}/mark-paid`, { paymentReference: 'AC-1', paidOn: '2026-03-01' }),
    status: 200,
    events: [ev('batch.mark_paid', 'batch')],
    invalid: (c, p) => c.act('POST', `/api/batches/${p.id}/mark-paid`, { paymentReference: 'AC-1', paidOn: 'someday' }),
  },
  'POST /api/batches/export-templates': {
    permission: { fn: 'batch.export_template' },
    role: 'finance',
    call: (c) => c.act('POST', '/api/batches/export-templates', { name: 'Completeness', options: { columns: [{ field: 'amount' }] } }),
    status: 201,
    events: [ev('export_template.create', 'organization')],
    invalid: (c) => c.act('POST', '/api/batches/export-templates', { name: '', options: {} }),
  },
  'DELETE /api/batches/export-templates/:templateId': {
    permission: { fn: 'batch.export_template' },
    role: 'finance',
    prepare: async (c) => {
      const made = await c.as('finance')('POST', '/api/batches/export-templates', {
        name: 'Doomed',
        options: { columns: [{ field: 'amount' }] },
      })
      expect(made.status).toBe(201)
      return { id: made.body.template.id }
    },
    call: (c, p) => c.act('DELETE', `/api/batches/export-templates/${p.id}`),
    status: 200,
    events: [ev('export_template.delete', 'organization')],
    invalid: { none: 'The only input is the id in the path; an unknown one is a 404.' },
  },
  'POST /api/flags/:id/decision': {
    permission: { fn: 'flag.decide' },
    role: 'manager',
    prepare: async (c) => ({ id: await openFlagId(owner, c.org) }),
    call: (c, p) => c.act('POST', `/api/flags/${p.id}/decision`, { decision: 'clear', reason: 'completeness' }),
    status: 200,
    events: [ev('flag.cleared', 'flag')],
    invalid: (c, p) => c.act('POST', `/api/flags/${p.id}/decision`, { decision: 'maybe', reason: 'x' }),
  },
  'POST /api/commissions/adjustments': {
    permission: { fn: 'commission.adjust' },
    role: 'manager',
    prepare: async (c) => ({ partner: await createPartner(owner, c.org) }),
    call: (c, p) =>
      c.act('POST', '/api/commissions/adjustments', { partner: p.partner, amountMinor: 150, currency: 'USD', reason: 'bonus' }),
    status: 201,
    events: [ev('commission.adjusted', 'commission')],
    invalid: (c, p) => c.act('POST', '/api/commissions/adjustments', { partner: p.partner, amountMinor: 150, currency: 'USD', reason: '' }),
  },
  'POST /api/commissions/write-offs': {
    permission: { fn: 'commission.write_off' },
    role: 'manager',
    prepare: async (c) => ({ partner: await negativeBalancePartnerId(owner, c.org) }),
    call: (c, p) => c.act('POST', '/api/commissions/write-offs', { partner: p.partner, currency: 'USD', reason: 'uncollectable' }),
    status: 201,
    events: [ev('commission.written_off', 'commission')],
    invalid: (c, p) => c.act('POST', '/api/commissions/write-offs', { partner: p.partner, currency: 'DOLLARS', reason: 'x' }),
  },
  'POST /api/conversions/assign': {
    permission: { fn: 'conversion.assign' },
    role: 'ops',
    prepare: async (c) => {
      const code = `UN${tag()}`
      await owner.query(
        `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
         values ($1, $2, 1000, 'USD', now(), 'unattributed', $3)`,
        [code, `o-${code}`, c.org],
      )
      return { code, partner: await createPartner(owner, c.org) }
    },
    call: (c, p) => c.act('POST', '/api/conversions/assign', { code: p.code, partner: p.partner }),
    status: 200,
    events: [ev('conversion.assigned', 'partner')],
    invalid: (c, p) => c.act('POST', '/api/conversions/assign', { code: '', partner: p.partner }),
  },
  'POST /api/refunds/:id/assign': {
    permission: { fn: 'refund.assign' },
    role: 'ops',
    prepare: async (c) => {
      const r = await ambiguousRefund(owner, c.org)
      return { id: r.refundId, conversion: r.conversionId }
    },
    call: (c, p) => c.act('POST', `/api/refunds/${p.id}/assign`, { conversion: p.conversion }),
    status: 200,
    events: [ev('refund.assigned', 'refund')],
    invalid: (c, p) => c.act('POST', `/api/refunds/${p.id}/assign`, { conversion: 'first' }),
  },

  // ---- Payload's REST routes a role may use ------------------------------------------------
  'POST /api/users': {
    permission: { collection: 'users', action: 'create' },
    role: 'admin',
    call: (c) => c.act('POST', '/api/users', { email: `made-${tag().toLowerCase()}@example.test`, password: 'correct-horse-battery-1' }),
    status: 201,
    events: [ev('user.created', 'user')],
    invalid: (c) => c.act('POST', '/api/users', { email: `weak-${tag().toLowerCase()}@example.test`, password: 'short' }),
  },
  'PATCH /api/users/:id': {
    permission: { collection: 'users', action: 'update' },
    role: 'admin',
    prepare: async (c) => ({ id: await memberOf(c.org) }),
    call: (c, p) => c.act('PATCH', `/api/users/${p.id}`, { name: `Renamed ${tag()}` }),
    status: 200,
    events: [ev('user.updated', 'user')],
    invalid: (c, p) => c.act('PATCH', `/api/users/${p.id}`, BROKEN_JSON),
  },
  'PATCH /api/users': {
    // Everyone may update themselves; a filter naming someone else matches nothing (200, 0 updated).
    permission: 'member',
    role: 'admin',
    prepare: async (c) => ({ id: await memberOf(c.org) }),
    call: (c, p) => c.act('PATCH', `/api/users?where[id][equals]=${p.id}`, { name: `Bulk renamed ${tag()}` }),
    status: 200,
    events: [ev('user.updated', 'user')],
    invalid: (c, p) => c.act('PATCH', `/api/users?where[id][equals]=${p.id}`, BROKEN_JSON),
  },
  'POST /api/organizations': {
    permission: { collection: 'organizations', action: 'create' },
    role: 'admin',
    call: (c) => c.act('POST', '/api/organizations', { name: 'Completeness Co', slug: `completeness-${tag().toLowerCase()}` }),
    status: 201,
    events: [{ action: 'organization.created', entityType: 'organization', organization: (_c, res) => res.body.doc.id }],
    invalid: (c) => c.act('POST', '/api/organizations', { name: 'No slug' }),
  },
  'PATCH /api/organizations/:id': {
    permission: { collection: 'organizations', action: 'update' },
    role: 'admin',
    call: (c) => c.act('PATCH', `/api/organizations/${c.org}`, { name: `Renamed Co ${tag()}` }),
    status: 200,
    events: [ev('organization.updated', 'organization')],
    invalid: (c) => c.act('PATCH', `/api/organizations/${c.org}`, { settings: { holdDays: -3 } }),
  },
  'PATCH /api/organizations': {
    permission: { collection: 'organizations', action: 'update' },
    role: 'admin',
    call: (c) => c.act('PATCH', `/api/organizations?where[id][equals]=${c.org}`, { name: `Bulk renamed Co ${tag()}` }),
    status: 200,
    events: [ev('organization.updated', 'organization')],
    invalid: (c) => c.act('PATCH', `/api/organizations?where[id][equals]=${c.org}`, BROKEN_JSON),
  },
  'POST /api/organizations/:id/duplicate': {
    permission: { collection: 'organizations', action: 'create' },
    role: 'admin',
    call: (c) => c.act('POST', `/api/organizations/${c.org}/duplicate`, { slug: `dup-${tag().toLowerCase()}` }),
    status: 200,
    events: [{ action: 'organization.created', entityType: 'organization', organization: (_c, res) => res.body.doc.id }],
    invalid: (c) => c.act('POST', `/api/organizations/${c.org}/duplicate`, BROKEN_JSON),
  },
}

/** Tenant collections: the create/update/delete a role may perform, with a body per collection. */
const TENANT_BODIES: Partial<Record<string, (c: Ctx) => Promise<Record<string, unknown>>>> = {
  memberships: async () => ({ user: await createUser(owner), role: 'auditor' }),
  partners: async () => ({ name: `Partner ${tag()}`, status: 'active' }),
  'partner-codes': async (c) => ({ code: `PC${tag()}`, partner: await createPartner(owner, c.org) }),
  conversions: async () => ({
    code: `CV${tag()}`,
    orderId: `o-${tag()}`,
    valueMinor: 1234,
    currency: 'USD',
    occurredAt: new Date().toISOString(),
  }),
  refunds: async () => ({ orderId: `r-${tag()}`, amountMinor: 100, refundedAt: new Date().toISOString() }),
}
const TENANT_UPDATES: Partial<Record<string, Record<string, unknown>>> = {
  memberships: { role: 'finance' },
  partners: { name: 'Updated partner' },
}
/** Row kinds of createOrgFixture, for a row of the case's organization to update or delete. */
const ENTITY: Record<string, string> = {
  memberships: 'membership',
  partners: 'partner',
  'partner-codes': 'partner_code',
  conversions: 'conversion',
  refunds: 'refund',
}
const INVALID_BODIES: Partial<Record<string, Record<string, unknown>>> = {
  memberships: { role: 'emperor' },
  partners: { name: '' },
  'partner-codes': { code: '' },
  conversions: { currency: 'DOLLARS' },
  refunds: { amountMinor: 1.5 },
}

const firstAllowed = (roles: readonly Role[]) =>
  (['ops', 'admin', 'manager', 'finance', 'auditor'] as Role[]).find((r) => roles.includes(r))!

/** What a conversion or refund typed in by hand also posts to the ledger; no other collection's create writes more than its row. */
const CREATE_EXTRAS: Partial<Record<string, { events: Expected[]; why: string }>> = {}

/** The CRUD cases of every tenant collection a role may write, generated from the role table. */
for (const collection of Object.keys(COLLECTION_ACCESS) as (keyof typeof COLLECTION_ACCESS)[]) {
  const access = COLLECTION_ACCESS[collection]
  const entity = ENTITY[collection]
  const body = TENANT_BODIES[collection]
  if (access.create.length > 0 && collection !== 'imports') {
    if (!entity || !body) throw new Error(`audit-completeness: no create body for ${collection}`)
    const extra = CREATE_EXTRAS[collection]
    const base = {
      permission: { collection, action: 'create' as const },
      role: firstAllowed(access.create),
      status: 201,
      events: extra?.events ?? [ev(`${entity}.created`, entity)],
      why: extra?.why,
    }
    CASES[`POST /api/${collection}`] = {
      ...base,
      call: async (c) => c.act('POST', `/api/${collection}`, await body(c)),
      invalid: async (c) => c.act('POST', `/api/${collection}`, { ...(await body(c)), ...INVALID_BODIES[collection] }),
    }
    CASES[`POST /api/${collection}/:id/duplicate`] = {
      ...base,
      prepare: async (c) => {
        const made = await c.as(base.role)('POST', `/api/${collection}`, await body(c))
        expect(made.status, JSON.stringify(made.body)).toBe(201)
        return { id: made.body.doc.id }
      },
      status: 200,
      // Unique columns (codes, order ids) get fresh values, as in the admin's duplicate form.
      call: async (c, p) => c.act('POST', `/api/${collection}/${p.id}/duplicate`, await body(c)),
      invalid: async (c, p) => c.act('POST', `/api/${collection}/${p.id}/duplicate`, { ...(await body(c)), ...INVALID_BODIES[collection] }),
    }
  }
  for (const [action, method] of [
    ['update', 'PATCH'],
    ['delete', 'DELETE'],
  ] as const) {
    if (access[action].length === 0) continue
    if (!entity) throw new Error(`audit-completeness: no entity for ${collection}`)
    const role = firstAllowed(access[action])
    const change = action === 'update' ? TENANT_UPDATES[collection] : undefined
    if (action === 'update' && !change) throw new Error(`audit-completeness: no update body for ${collection}`)
    const base = {
      permission: { collection, action },
      role,
      status: 200,
      events: [ev(`${entity}.${action}d`, entity)],
      prepare: async (c: Ctx) => ({ id: (await createOrgFixture(owner, 'Row', c.org)).ids[collection]! }),
      invalid:
        action === 'update'
          ? async (c: Ctx, p: Record<string, number | string>) => c.act(method, `/api/${collection}/${p.id}`, INVALID_BODIES[collection])
          : { none: 'A delete takes only the id in the path; an unknown one is a 404.' },
    }
    CASES[`${method} /api/${collection}/:id`] = { ...base, call: (c, p) => c.act(method, `/api/${collection}/${p.id}`, change) }
    CASES[`${method} /api/${collection}`] = {
      ...base,
      call: (c, p) => c.act(method, `/api/${collection}?where[id][equals]=${p.id}`, change),
      invalid:
        action === 'update'
          ? (c: Ctx, p: Record<string, number | string>) =>
              c.act(method, `/api/${collection}?where[id][equals]=${p.id}`, INVALID_BODIES[collection])
          : base.invalid,
    }
  }
}

/**
 * Routes outside the cases, each with the reason. They are still called (as an admin of a fresh
 * organization) and must write nothing there.
 */
const EXEMPT: Record<string, string> = {
  'POST /api/users/login': 'Authentication: see the auth events test below.',
  'POST /api/users/logout': 'Authentication: see the auth events test below.',
  'POST /api/users/refresh-token': 'Extends the caller’s own session; no data changes.',
  'POST /api/users/forgot-password':
    'Anonymous (no actor) and answers alike for any address; it only stores a reset token, and using it is audited (auth.password_reset).',
  'POST /api/users/reset-password': 'Authentication: see the auth events test below.',
  'POST /api/users/unlock': 'Authentication: see the auth events test below.',
  'POST /api/users/verify/:id': 'Email verification is not enabled for users (auth.verify is off); the route answers an error.',
  'POST /api/users/first-register': 'Only works on an empty database; the seeded one answers 403.',
}
const NO_VERSIONS = 'No collection enables versions (payload.config): there is no version to restore; the route answers an error.'
for (const slug of ['payload-preferences', 'payload-kv', 'payload-jobs']) {
  EXEMPT[`* /api/${slug}`] =
    slug === 'payload-preferences'
      ? 'A person’s own admin-screen preferences (columns, collapsed groups): no organization data.'
      : 'Payload-internal; REST access is off (payload.config jobs.access, the collection’s access).'
}

/** Every non-GET route of the real config, custom or Payload's own. */
async function mutatingRoutes(): Promise<{ route: string; custom: boolean; slug: string | null; path: string }[]> {
  const out = new Map<string, { route: string; custom: boolean; slug: string | null; path: string }>()
  for (const { route, method, custom, slug, path } of await configRoutes()) {
    if (method === 'get' || method === 'head' || method === 'options') continue
    // A custom route replaces Payload's one of the same method and path (POST /api/imports).
    if (out.get(route)?.custom) continue
    out.set(route, { route, custom, slug, path })
  }
  return [...out.values()].sort((a, b) => a.route.localeCompare(b.route))
}

const exemptionFor = (route: string) =>
  EXEMPT[route] ?? EXEMPT[`* /api/${route.split(' ')[1]!.split('/')[2]}`] ?? (route.endsWith('/versions/:id') ? NO_VERSIONS : undefined)

// ---- harness ------------------------------------------------------------------------------

let owner: pg.Client
const sessions = new Map<Role, Session>()
const userIds = new Map<Role, number>()
const activeBefore = new Map<number, number | null>()

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  const { rows } = await owner.query<{ id: number; active_organization_id: number | null }>(
    `select id, active_organization_id from users where email like '%@demo.test'`,
  )
  for (const r of rows) activeBefore.set(r.id, r.active_organization_id)
  for (const role of ROLES) {
    sessions.set(role, await login(`${role}@demo.test`))
    userIds.set(role, Number((await owner.query(`select id from users where email = $1`, [`${role}@demo.test`])).rows[0].id))
  }
})

afterAll(async () => {
  // The switch-organization case moves a demo user's active organization: other files rely on it.
  for (const [id, org] of activeBefore) await owner.query(`update users set active_organization_id = $2 where id = $1`, [id, org])
  await owner?.end()
})

async function send(s: Session, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<ApiResponse> {
  if (body === BROKEN_JSON) {
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { cookie: s.cookie, 'content-type': 'application/json', ...headers },
      body: '{"name":',
    })
    const text = await res.text()
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
  }
  return s.request(method, path, body, headers)
}

async function freshContext(role: Role, requestId: string): Promise<Ctx> {
  const { organizationId: org } = await createBatchOrg(owner)
  const headers = (rid: string) => ({ 'x-organization-id': String(org), 'x-request-id': rid })
  return {
    org,
    act: (method, path, body) => send(sessions.get(role)!, method, path, body, headers(requestId)),
    actForm: async (path, form) => {
      const session = sessions.get(role)!
      return sendRenewing(session, async () => {
        const res = await fetch(`${baseUrl()}${path}`, {
          method: 'POST',
          body: form,
          headers: { cookie: session.cookie, ...headers(requestId) },
        })
        const text = await res.text()
        return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
      })
    },
    as: (r) => (method, path, body) => send(sessions.get(r)!, method, path, body, headers(`prep-${randomUUID()}`)),
  }
}

async function batchIn(c: Ctx, state: 'draft' | 'submitted' | 'approved' | 'exported'): Promise<number> {
  await payableEntry(owner, c.org)
  const d = await c.as('ops')('POST', '/api/batches/draft', {})
  expect(d.status, JSON.stringify(d.body)).toBe(201)
  const id = d.body.batchId as number
  const steps: [Role, string, string][] = [
    ['ops', 'POST', `/api/batches/${id}/submit`],
    ['manager', 'POST', `/api/batches/${id}/approve`],
    ['finance', 'GET', `/api/batches/${id}/export?format=generic-csv`],
  ]
  for (const [role, method, path] of steps.slice(0, { draft: 0, submitted: 1, approved: 2, exported: 3 }[state])) {
    const r = await c.as(role)(method, path)
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200)
  }
  return id
}

async function memberOf(org: number): Promise<number> {
  const user = await createUser(owner)
  await owner.query(`insert into memberships (user_id, role, organization_id) values ($1, 'auditor', $2)`, [user, org])
  return user
}

interface Row {
  organization_id: number
  seq: number
  actor_id: number | null
  actor_label: string
  action: string
  entity_type: string
  entity_id: string
  request_id: string
  changes: unknown
}

const lastSeq = async (org: number) =>
  Number((await owner.query(`select coalesce(max(seq), 0) as s from audit_events where organization_id = $1`, [org])).rows[0].s)

/** Runs one call and returns the events it wrote: by its request id anywhere, and everything new in the organization. */
async function counted(ctx: Ctx, requestId: string, run: () => Promise<ApiResponse>) {
  const before = await lastSeq(ctx.org)
  const res = await run()
  const byRequest = (
    await owner.query<Row>(
      `select organization_id, seq, actor_id, actor_label, action, entity_type, entity_id, request_id, changes from audit_events where request_id = $1 order by organization_id, seq`,
      [requestId],
    )
  ).rows
  const inOrg = (
    await owner.query<Row>(
      `select organization_id, seq, action, request_id from audit_events where organization_id = $1 and seq > $2 order by seq`,
      [ctx.org, before],
    )
  ).rows
  return { res, byRequest, inOrg }
}

const allowedRoles = (p: Permission): readonly Role[] => {
  if (p === 'member') return ROLES
  if ('fn' in p) return FUNCTION_ACCESS[p.fn]
  if (p.collection === 'users') return p.action === 'delete' ? [] : ['admin']
  if (p.collection === 'organizations') return p.action === 'delete' ? [] : ['admin']
  return COLLECTION_ACCESS[p.collection][p.action]
}

// ---- the tests ------------------------------------------------------------------------------

test('every mutating route of the config has a case, is refused to every role by the role table, or has a written exemption', async () => {
  const routes = await mutatingRoutes()
  expect(routes.length).toBeGreaterThan(50)
  const uncovered = routes
    .filter((r) => !CASES[r.route] && !exemptionFor(r.route) && !(!r.custom && REFUSED_ROUTES.has(r.route)))
    .filter((r) => !r.route.includes('/access/:id?')) // Payload's POST permission query: reads, changes nothing
    .map((r) => r.route)
  expect(uncovered).toEqual([])
  // And no case for a route that does not exist (a renamed endpoint must take its case along).
  const real = new Set(routes.map((r) => r.route))
  expect(
    Object.keys(CASES)
      .map((k) => k.replace(/ \(.*\)$/, ''))
      .filter((k) => !real.has(k)),
  ).toEqual([])
  for (const [route, c] of Object.entries(CASES)) {
    if (c.events.length !== 1) expect(c.why, `${route} records ${c.events.length} events: say why`).toBeTruthy()
  }
})

describe.each(Object.keys(CASES))('%s', (route) => {
  const c = CASES[route]!
  const denied = ROLES.filter((r) => !allowedRoles(c.permission).includes(r))

  test(`as ${c.role}: ${c.status} and exactly the listed events (actor, organization, action, request id)`, async () => {
    const rid = `ac-${randomUUID()}`
    const ctx = await freshContext(c.role, rid)
    const p = (await c.prepare?.(ctx)) ?? {}
    const { res, byRequest, inOrg } = await counted(ctx, rid, () => c.call(ctx, p))
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(c.status)
    expect(
      byRequest.map((e) => e.action),
      JSON.stringify(byRequest.map((e) => [e.action, e.changes])),
    ).toEqual(c.events.map((e) => e.action))
    c.events.forEach((want, i) => {
      const got = byRequest[i]!
      expect(got).toMatchObject({
        organization_id: want.organization ? want.organization(ctx, res) : ctx.org,
        actor_id: userIds.get(c.role),
        actor_label: `${c.role}@demo.test`,
        action: want.action,
        entity_type: want.entityType,
      })
      expect(got.entity_id).not.toBe('')
    })
    // Nothing else reached the organization's trail during the call (another request id, a hook's own write).
    expect(inOrg.map((e) => e.request_id)).toEqual(byRequest.filter((e) => Number(e.organization_id) === ctx.org).map(() => rid))
  })

  if (denied.length > 0) {
    const role = denied[0]!
    test(`refused as ${role}: 403 and exactly one authz.denied, nothing else`, async () => {
      const rid = `ac-denied-${randomUUID()}`
      const ctx = await freshContext(role, rid)
      const p = (await c.prepare?.(ctx)) ?? {}
      const { res, byRequest, inOrg } = await counted(ctx, rid, () => c.call(ctx, p))
      expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(403)
      expect(byRequest.map((e) => [e.action, Number(e.organization_id), Number(e.actor_id)])).toEqual([
        ['authz.denied', ctx.org, userIds.get(role)],
      ])
      expect(inOrg).toHaveLength(1)
    })
  }

  if (typeof c.invalid === 'function') {
    const invalid = c.invalid
    test(`invalid as ${c.role}: 400 and no event`, async () => {
      const rid = `ac-invalid-${randomUUID()}`
      const ctx = await freshContext(c.role, rid)
      const p = (await c.prepare?.(ctx)) ?? {}
      const { res, byRequest, inOrg } = await counted(ctx, rid, () => invalid(ctx, p))
      expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(400)
      expect(byRequest).toEqual([])
      expect(inOrg).toEqual([])
    })
  }
})

// ---- routes no role may use: refused, and the refusal recorded once -------------------------

const PATHS_BY_ACTION: Record<'create' | 'update' | 'delete', [string, string][]> = {
  create: [
    ['POST', ''],
    ['POST', '/:id/duplicate'],
  ],
  update: [
    ['PATCH', ''],
    ['PATCH', '/:id'],
  ],
  delete: [
    ['DELETE', ''],
    ['DELETE', '/:id'],
  ],
}
const REFUSED = [
  ...(Object.keys(COLLECTION_ACCESS) as (keyof typeof COLLECTION_ACCESS)[]).flatMap((slug) =>
    (['create', 'update', 'delete'] as const)
      .filter((action) => COLLECTION_ACCESS[slug][action].length === 0)
      .flatMap((action) => PATHS_BY_ACTION[action].map(([method, path]) => ({ slug, action, method, path }))),
  ),
  ...['users', 'organizations'].flatMap((slug) =>
    PATHS_BY_ACTION.delete.map(([method, path]) => ({ slug, action: 'delete' as const, method, path })),
  ),
].filter(({ slug, path }) => !(slug === 'imports' && path === '/:id/duplicate')) // disableDuplicate: no such route

const REFUSED_ROUTES = new Set(REFUSED.map((r) => routeKey(r.method, `/${r.slug}`, r.path || '/')))

describe.each(REFUSED.map((r) => ({ ...r, route: routeKey(r.method, `/${r.slug}`, r.path || '/') })))(
  '$route (no role may $action $slug)',
  ({ slug, action, method, path }) => {
    test('as admin: 403 and exactly one authz.denied naming what it needs', async () => {
      const rid = `ac-refused-${randomUUID()}`
      const ctx = await freshContext('admin', rid)
      const fx = await createOrgFixture(owner, 'Refused', ctx.org)
      // A real event of the organization (the fixture adds none to an existing one).
      if (slug === 'audit-events')
        expect((await ctx.as('ops')('POST', '/api/partners', { name: 'Evented', status: 'active' })).status).toBe(201)
      const event = Number(
        (await owner.query(`select coalesce(max(id), 0) as id from audit_events where organization_id = $1`, [ctx.org])).rows[0].id,
      )
      const id = slug === 'users' ? fx.ids.user : slug === 'organizations' ? ctx.org : slug === 'audit-events' ? event : fx.ids[slug]
      const url =
        path === ''
          ? `/api/${slug}${method === 'POST' ? '' : `?where[id][equals]=${id}`}`
          : `/api/${slug}${path.replace(':id', String(id))}`
      const { res, byRequest, inOrg } = await counted(ctx, rid, () => ctx.act(method, url, method === 'DELETE' ? undefined : { note: 'x' }))
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(403)
      expect(byRequest.map((e) => [e.action, Number(e.organization_id), Number(e.actor_id), e.changes])).toEqual([
        ['authz.denied', ctx.org, userIds.get('admin'), { role: 'admin', needs: `${slug}.${action}` }],
      ])
      expect(inOrg).toHaveLength(1)
    })
  },
)

// ---- authentication events -------------------------------------------------------------------

describe('authentication events (each one event in the person’s organization)', () => {
  test('password set from the invitation, login, failed login, logout and an admin unlock', async () => {
    const { organizationId: org } = await createBatchOrg(owner)
    const admin = sessions.get('admin')!
    const inOrg = { 'x-organization-id': String(org) }
    const email = `auth-${tag().toLowerCase()}@example.test`
    const invited = await admin.request('POST', '/api/invitations', { email, role: 'auditor' }, inOrg)
    expect(invited.status).toBe(201)
    const userId = Number(invited.body.userId)
    const mails = await admin.request('GET', `/api/outbox?where[recipient][equals]=${encodeURIComponent(email)}&depth=0`, undefined, inOrg)
    const token = /\/admin\/reset\/([A-Za-z0-9_-]+)/.exec(String(mails.body.docs[0]?.bodyText ?? mails.body.docs[0]?.bodyHtml))?.[1]
    expect(token).toBeTruthy()
    const password = 'correct-horse-battery-1'

    const events = async (rid: string) =>
      (
        await owner.query<Row>(
          `select organization_id, actor_id, action, entity_type, entity_id, changes from audit_events where request_id = $1 order by seq`,
          [rid],
        )
      ).rows.map((e) => ({
        org: Number(e.organization_id),
        actor: e.actor_id == null ? null : Number(e.actor_id),
        action: e.action,
        entity: `${e.entity_type}:${e.entity_id}`,
      }))
    const rid = () => `ac-auth-${randomUUID()}`
    const me = `user:${userId}`

    let r = rid()
    expect((await request('POST', '/api/users/reset-password', { token, password }, { 'x-request-id': r })).status).toBe(200)
    expect(await events(r)).toEqual([{ org, actor: userId, action: 'auth.password_reset', entity: me }])

    r = rid()
    const ok = await request('POST', '/api/users/login', { email, password }, { 'x-request-id': r })
    expect(ok.status).toBe(200)
    expect(await events(r)).toEqual([{ org, actor: userId, action: 'auth.login', entity: me }])
    const cookie = /payload-token=[^;]+/.exec(ok.headers.get('set-cookie') ?? '')![0]

    r = rid()
    expect((await request('POST', '/api/users/login', { email, password: 'wrong-password-123' }, { 'x-request-id': r })).status).toBe(401)
    expect(await events(r)).toEqual([{ org, actor: null, action: 'auth.login_failed', entity: me }])

    r = rid()
    expect(
      (await request('POST', '/api/users/login', { email: `nobody-${tag()}@example.test`, password }, { 'x-request-id': r })).status,
    ).toBe(401)
    expect(await events(r)).toEqual([]) // no person, so no organization to hold it

    r = rid()
    expect((await request('POST', '/api/users/logout', undefined, { cookie, 'x-request-id': r })).status).toBe(200)
    expect(await events(r)).toEqual([{ org, actor: userId, action: 'auth.logout', entity: me }])

    for (let i = 0; i < 5; i++) await request('POST', '/api/users/login', { email, password: 'wrong-password-123' })
    r = rid()
    expect((await admin.request('POST', '/api/users/unlock', { email }, { ...inOrg, 'x-request-id': r })).status).toBe(200)
    expect(await events(r)).toEqual([{ org, actor: userIds.get('admin'), action: 'auth.unlocked', entity: me }])
  })
})

// ---- checklist row 30's details ----------------------------------------------------------------

describe('what an event holds', () => {
  test('times are UTC instants, in the table and in the export, whatever the session time zone', async () => {
    const ctx = await freshContext('ops', `ac-utc-${randomUUID()}`)
    const before = Date.now()
    expect((await ctx.act('POST', '/api/partners', { name: 'UTC partner', status: 'active' })).status).toBe(201)
    const after = Date.now()
    const client = new pg.Client({ connectionString: inject('ownerUrl') })
    await client.connect()
    try {
      await client.query(`set time zone 'Pacific/Kiritimati'`) // UTC+14: a local time would be a day off
      const { rows } = await client.query(
        `select occurred_at, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as utc from audit_events where organization_id = $1`,
        [ctx.org],
      )
      expect(rows).toHaveLength(1)
      expect((rows[0].occurred_at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000)
      expect((rows[0].occurred_at as Date).getTime()).toBeLessThanOrEqual(after + 1000)
      const res = await fetch(`${baseUrl()}/api/audit-events/export`, {
        headers: { cookie: sessions.get('admin')!.cookie, 'x-organization-id': String(ctx.org) },
      })
      const parsed = Papa.parse<string[]>(await res.text(), { skipEmptyLines: true })
      expect(parsed.data[0]![1]).toBe('occurred_at_utc')
      expect(parsed.data[1]![1]).toBe(rows[0].utc)
      expect(parsed.data[1]![1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    } finally {
      await client.end()
    }
  })

  test('CR/LF in a value is encoded: one export line per event, the value intact after parsing', async () => {
    const ctx = await freshContext('ops', `ac-crlf-${randomUUID()}`)
    const evil = 'Evil\r\n42,2026-01-01T00:00:00.000Z,forged@demo.test,batch.approve\nend'
    expect((await ctx.act('POST', '/api/partners', { name: evil, status: 'active' })).status).toBe(201)
    const res = await fetch(`${baseUrl()}/api/audit-events/export`, {
      headers: { cookie: sessions.get('admin')!.cookie, 'x-organization-id': String(ctx.org) },
    })
    const body = await res.text()
    const lines = body.split(/\r\n|\n|\r/).filter((l) => l !== '')
    expect(lines).toHaveLength(2) // header + the one event: no value starts a line of its own
    const parsed = Papa.parse<string[]>(body, { skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(JSON.parse(parsed.data[1]![6]!).name.after).toBe(evil)
    expect(parsed.data.slice(1).map((row) => row[3])).toEqual(['partner.created'])
  })

  test('no bank data in the trail: a payout-details change and a reveal record masked values only', async () => {
    const ctx = await freshContext('ops', `ac-bank-${randomUUID()}`)
    const secrets = {
      iban: BANK.iban,
      bic: 'COBADEFFXXX',
      holderName: 'Jolene Q. Holderson',
      accountNumber: '000987654321',
      routingNumber: BANK.routing,
    }
    const payoutEmail = `payee-${tag().toLowerCase()}@example.test`
    const made = await ctx.act('POST', '/api/partners', {
      name: 'Bank partner',
      status: 'active',
      payoutMethod: 'bank',
      payoutEmail,
      payoutDetails: secrets,
    })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    const id = made.body.doc.id
    const changed = await ctx.act('PATCH', `/api/partners/${id}`, {
      payoutDetails: { ...secrets, iban: BANK.iban2, accountNumber: '000111222333' },
    })
    expect(changed.status, JSON.stringify(changed.body)).toBe(200)
    const reveal = await sessions
      .get('finance')!
      .request('GET', `/api/partners/${id}/payout-details`, undefined, { 'x-organization-id': String(ctx.org) })
    expect(reveal.status).toBe(200)
    expect(JSON.stringify(reveal.body)).toContain(BANK.iban2) // the reveal itself is real

    const { rows } = await owner.query(
      `select action, changes::text as changes from audit_events where organization_id = $1 order by seq`,
      [ctx.org],
    )
    expect(rows.map((r) => r.action)).toEqual(['partner.created', 'partner.updated', 'partner.payout_details_revealed'])
    const trail = rows.map((r) => r.changes as string).join('\n')
    for (const plain of [...Object.values(secrets), BANK.iban2, '000111222333', payoutEmail]) expect(trail).not.toContain(plain)
    // The change is still visible as a change: masked before and after.
    const diff = JSON.parse(rows[1].changes as string)
    expect(diff.payoutDetails.before.iban).toBe(`•••• ${BANK.iban.slice(-4)}`)
    expect(diff.payoutDetails.after.iban).toBe(`•••• ${BANK.iban2.slice(-4)}`)
  })
})
