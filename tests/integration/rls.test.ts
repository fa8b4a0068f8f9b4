import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { TENANT_COLLECTIONS } from '../../src/access/roles'
import { createOrgFixture, type OrgFixture } from '../helpers/fixtures'

/**
 * Defence in depth: even code that skips Payload's access control (raw SQL as the app role,
 * or the Local API with overrideAccess) cannot see or touch another organization's rows.
 */
const TABLES = [...new Set([...TENANT_COLLECTIONS.map((c) => c.replace(/-/g, '_')), 'memberships', 'organizations'])]
let owner: pg.Client
let app: pg.Client
let a: OrgFixture
let b: OrgFixture

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  app = new pg.Client({ connectionString: inject('appUrl') })
  await owner.connect()
  await app.connect()
  a = await createOrgFixture(owner, 'Tenant A')
  b = await createOrgFixture(owner, 'Tenant B')
})

afterAll(async () => {
  await app?.end()
  await owner?.end()
})

async function asTenant<T>(orgId: number | null, fn: () => Promise<T>, userId: number | null = null): Promise<T> {
  await app.query('begin')
  try {
    await app.query(`select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`, [
      orgId == null ? '' : String(orgId),
      userId == null ? '' : String(userId),
    ])
    return await fn()
  } finally {
    await app.query('rollback')
  }
}

describe('the app role', () => {
  test('is not a superuser, cannot bypass RLS and owns no table', async () => {
    const { rows } = await app.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`)
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false })
    const owned = await app.query(`select tablename from pg_tables where schemaname = 'public' and tableowner = current_user`)
    expect(owned.rows).toEqual([])
  })

  test('every tenant table has RLS enabled and forced, and no policy is USING (true)', async () => {
    const { rows } = await owner.query(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname = any($1)`,
      [TABLES],
    )
    expect(rows).toHaveLength(TABLES.length)
    for (const r of rows) expect(r, r.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true })
    const policies = await owner.query(`select tablename, qual, with_check from pg_policies where schemaname = 'public'`)
    for (const p of policies.rows) {
      expect(p.qual ?? '', p.tablename).not.toMatch(/^\s*true\s*$/)
      expect(p.with_check ?? '', p.tablename).not.toMatch(/^\s*true\s*$/)
    }
  })

  test.each(TENANT_COLLECTIONS.map((c) => c.replace(/-/g, '_')))('%s: no tenant set → no rows at all', async (table) => {
    const n = await asTenant(null, async () => (await app.query(`select count(*)::int as n from ${table}`)).rows[0].n)
    expect(n).toBe(0)
  })

  test.each(TENANT_COLLECTIONS.map((c) => c.replace(/-/g, '_')))('%s: tenant A sees only A', async (table) => {
    const orgs = await asTenant(a.organizationId, async () =>
      (await app.query(`select distinct organization_id from ${table}`)).rows.map((r) => r.organization_id),
    )
    expect(orgs).toEqual([a.organizationId])
  })

  test('inserting a row for B while acting as A is refused (42501)', async () => {
    await expect(
      asTenant(a.organizationId, () =>
        app.query(`insert into partners (name, status, organization_id) values ('Sneaky', 'active', $1)`, [b.organizationId]),
      ),
    ).rejects.toMatchObject({ code: '42501' })
  })

  test('moving a row to another organization is refused (WITH CHECK)', async () => {
    await expect(
      asTenant(a.organizationId, () =>
        app.query(`update partners set organization_id = $1 where id = $2`, [b.organizationId, a.ids.partners]),
      ),
    ).rejects.toMatchObject({ code: '42501' })
  })

  test('updating or deleting B rows while acting as A touches nothing', async () => {
    const updated = await asTenant(a.organizationId, () => app.query(`update partners set name = 'x' where id = $1`, [b.ids.partners]))
    const deleted = await asTenant(a.organizationId, () => app.query(`delete from partner_codes where id = $1`, [b.ids['partner-codes']]))
    expect(updated.rowCount).toBe(0)
    expect(deleted.rowCount).toBe(0)
  })

  test('a key that exists only in B can be inserted in A (no duplicate-key oracle)', async () => {
    const codeB = (await owner.query(`select code from partner_codes where id = $1`, [b.ids['partner-codes']])).rows[0].code
    const res = await asTenant(a.organizationId, () =>
      app.query(`insert into partner_codes (code, partner_id, organization_id) values ($1, $2, $3) returning id`, [
        codeB,
        a.ids.partners,
        a.organizationId,
      ]),
    )
    expect(res.rowCount).toBe(1)
  })

  test('a foreign key to a B partner from an A row is refused by the composite key', async () => {
    // As the owner (RLS does not apply): the composite foreign key alone must refuse it.
    await expect(
      owner.query(`insert into partner_codes (code, partner_id, organization_id) values ('CROSSORG', $1, $2)`, [
        b.ids.partners,
        a.organizationId,
      ]),
    ).rejects.toMatchObject({ code: '23503' })
  })

  test('a user sees their own memberships across organizations, nobody else’s', async () => {
    const userA = a.ids.user!
    const rows = await asTenant(null, async () => (await app.query(`select user_id, organization_id from memberships`)).rows, userA)
    expect(rows).toEqual([{ user_id: userA, organization_id: a.organizationId }])
    const orgs = await asTenant(null, async () => (await app.query(`select id from organizations`)).rows.map((r) => r.id), userA)
    expect(orgs).toEqual([a.organizationId])
  })
})

describe('the Local API with overrideAccess', () => {
  test('acting in A, still cannot read B rows', async () => {
    const { getPayload } = await import('payload')
    process.env.DATABASE_URL = inject('appUrl')
    process.env.PAYLOAD_SECRET = 'rls-test-secret-0123456789'
    const { default: config } = await import('../../payload.config')
    const { systemContext } = await import('../../src/access/tenant')
    const payload = await getPayload({ config })
    try {
      const found = await payload.find({
        collection: 'conversions',
        overrideAccess: true,
        limit: 1000,
        depth: 0,
        context: systemContext(a.organizationId, 'rls-test'),
      })
      expect(found.docs.length).toBeGreaterThan(0)
      expect(new Set(found.docs.map((d) => d.organization))).toEqual(new Set([a.organizationId]))
      const byId = await payload.find({
        collection: 'partners',
        overrideAccess: true,
        where: { id: { equals: b.ids.partners } },
        context: systemContext(a.organizationId, 'rls-test'),
      })
      expect(byId.docs).toEqual([])
      await expect(
        payload.create({
          collection: 'partners',
          overrideAccess: true,
          data: { name: 'Planted', status: 'active', organization: b.organizationId },
          context: systemContext(a.organizationId, 'rls-test'),
        }),
      ).resolves.toMatchObject({ organization: a.organizationId })
    } finally {
      await payload.destroy()
    }
  })
})
