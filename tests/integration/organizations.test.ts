import { beforeAll, describe, expect, test } from 'vitest'

import { inviteAndActivate, organizationIdBySlug, ownerQuery } from '../helpers/accounts'
import { login, type Session } from '../helpers/http'

function uniqueSlug(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`
}

describe('creating an organization', () => {
  // A fresh admin of the demo organization, so switching never moves the seeded admin.
  let founder: { userId: number; session: Session }
  let demoId: number
  let orgId: number
  let slug: string

  beforeAll(async () => {
    demoId = await organizationIdBySlug('demo')
    const seededAdmin = await login('admin@demo.test')
    founder = await inviteAndActivate(seededAdmin, 'admin')
    slug = uniqueSlug('acme')
    const res = await founder.session.request('POST', '/api/organizations', { name: 'Acme Affiliates', slug })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    orgId = Number(res.body.doc.id)
    expect(orgId).toBeGreaterThan(0)
  })

  test('the creator becomes its admin (membership row)', async () => {
    const rows = await ownerQuery<{ user_id: number; role: string }>('select user_id, role from memberships where organization_id = $1', [
      orgId,
    ])
    expect(rows.map((r) => ({ user: Number(r.user_id), role: r.role }))).toEqual([{ user: founder.userId, role: 'admin' }])
    const [org] = await ownerQuery<{ name: string; created_by_id: number }>('select name, created_by_id from organizations where id = $1', [
      orgId,
    ])
    expect(org?.name).toBe('Acme Affiliates')
    expect(Number(org?.created_by_id)).toBe(founder.userId)
  })

  test('GET /api/organizations lists it for the creator', async () => {
    const res = await founder.session.request('GET', '/api/organizations?limit=100&depth=0')
    expect(res.status).toBe(200)
    const ids = res.body.docs.map((d: { id: number }) => Number(d.id))
    expect(ids).toContain(orgId)
    expect(ids).toContain(demoId)
  })

  test('the creator can switch to it and works there as admin', async () => {
    const res = await founder.session.request('POST', '/api/users/switch-organization', { organizationId: orgId })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.organizationId).toBe(orgId)
    const me = await founder.session.request('GET', '/api/users/me')
    expect(Number(me.body.user.activeOrganization?.id ?? me.body.user.activeOrganization)).toBe(orgId)
    const [row] = await ownerQuery<{ active_organization_id: number }>('select active_organization_id from users where id = $1', [
      founder.userId,
    ])
    expect(Number(row?.active_organization_id)).toBe(orgId)

    // The new organization is empty and its membership list is the founder alone.
    const conversions = await founder.session.request('GET', '/api/conversions?limit=10&depth=0')
    expect(conversions.status).toBe(200)
    expect(conversions.body.docs).toEqual([])
    const members = await founder.session.request('GET', '/api/memberships?limit=10&depth=0')
    expect(members.status).toBe(200)
    expect(members.body.docs.map((m: { role: string; organization: number }) => [m.role, Number(m.organization)])).toEqual([
      ['admin', orgId],
    ])

    const back = await founder.session.request('POST', '/api/users/switch-organization', { organizationId: demoId })
    expect(back.status).toBe(200)
  })

  test('an organization.created audit event is written into the new organization', async () => {
    const rows = await ownerQuery<{ action: string; entity_id: string; actor_id: number | null; seq: string }>(
      'select action, entity_id, actor_id, seq from audit_events where organization_id = $1 order by seq',
      [orgId],
    )
    const created = rows.find((r) => r.action === 'organization.created')
    expect(created, JSON.stringify(rows)).toBeDefined()
    expect(created!.entity_id).toBe(String(orgId))
    expect(Number(created!.actor_id)).toBe(founder.userId)
    expect(Number(rows[0]!.seq)).toBe(1)
  })

  test('other users do not see it', async () => {
    const ops = await login('ops@demo.test')
    const res = await ops.request('GET', '/api/organizations?limit=100&depth=0')
    expect(res.status).toBe(200)
    expect(res.body.docs.map((d: { id: number }) => Number(d.id))).not.toContain(orgId)
    const one = await ops.request('GET', `/api/organizations/${orgId}`)
    expect([403, 404]).toContain(one.status)
  })
})

describe('who may create and switch', () => {
  test('ops (not admin anywhere) gets 403 and nothing is stored', async () => {
    const ops = await login('ops@demo.test')
    const slug = uniqueSlug('ops-org')
    const res = await ops.request('POST', '/api/organizations', { name: 'Ops Org', slug })
    expect(res.status).toBe(403)
    expect(await ownerQuery('select id from organizations where slug = $1', [slug])).toEqual([])
  })

  test('switching to an organization the user is not a member of answers 404 and changes nothing', async () => {
    const ops = await login('ops@demo.test')
    const opsId = Number((await ops.request('GET', '/api/users/me')).body.user.id)
    const before = await ownerQuery<{ active_organization_id: number }>('select active_organization_id from users where id = $1', [opsId])
    // An organization that exists but ops does not belong to, and one that does not exist.
    const founder = await inviteAndActivate(await login('admin@demo.test'), 'admin')
    const created = await founder.session.request('POST', '/api/organizations', { name: 'Closed Org', slug: uniqueSlug('closed') })
    expect(created.status).toBe(201)
    for (const organizationId of [Number(created.body.doc.id), 999_999]) {
      const res = await ops.request('POST', '/api/users/switch-organization', { organizationId })
      expect(res.status).toBe(404)
    }
    const after = await ownerQuery<{ active_organization_id: number }>('select active_organization_id from users where id = $1', [opsId])
    expect(after).toEqual(before)
  })

  test('ops can switch between its own two organizations', async () => {
    const ops = await login('ops@demo.test')
    const northwind = await organizationIdBySlug('northwind')
    const demo = await organizationIdBySlug('demo')
    try {
      const res = await ops.request('POST', '/api/users/switch-organization', { organizationId: northwind })
      expect(res.status).toBe(200)
      const conversions = await ops.request('GET', '/api/conversions?limit=100&depth=0')
      expect(conversions.body.docs.length).toBeGreaterThan(0)
      expect(new Set(conversions.body.docs.map((d: { organization: number }) => Number(d.organization)))).toEqual(new Set([northwind]))
    } finally {
      await ops.request('POST', '/api/users/switch-organization', { organizationId: demo })
    }
  })
})

describe("another user's active organization", () => {
  test('an admin cannot point a member at an organization the member does not belong to', async () => {
    const demo = await organizationIdBySlug('demo')
    const northwind = await organizationIdBySlug('northwind')
    const seededAdmin = await login('admin@demo.test')
    const member = await inviteAndActivate(seededAdmin, 'auditor')
    // The seeded admin administers both Demo and Northwind; the member is only in Demo.
    const res = await seededAdmin.request('PATCH', `/api/users/${member.userId}`, { activeOrganization: northwind })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).toContain('activeOrganization')
    const [row] = await ownerQuery<{ active_organization_id: number }>('select active_organization_id from users where id = $1', [
      member.userId,
    ])
    expect(Number(row?.active_organization_id)).toBe(demo)
    const conversions = await member.session.request('GET', '/api/conversions?limit=5&depth=0')
    expect(conversions.status).toBe(200)
    expect(conversions.body.docs.length).toBeGreaterThan(0)
  })

  test('nor can the member themselves', async () => {
    const northwind = await organizationIdBySlug('northwind')
    const member = await inviteAndActivate(await login('admin@demo.test'), 'auditor')
    const res = await member.session.request('PATCH', `/api/users/${member.userId}`, { activeOrganization: northwind })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).toContain('activeOrganization')
  })
})
