import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { organizationIdBySlug } from '../helpers/accounts'
import { createOrgFixture } from '../helpers/fixtures'
import { login, type Session } from '../helpers/http'

/**
 * List totals of conversions and commissions come from trigger-kept per-organization counts
 * when the list filters by nothing but the organization (src/db/tenant-adapter.ts). They must
 * equal the exact count, per organization, as rows are added, and other filters count exactly.
 */
let owner: pg.Client
let ops: Session
let demo: number

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  demo = await organizationIdBySlug('demo')
})

afterAll(async () => {
  await owner?.end()
})

async function exact(table: string, organizationId: number): Promise<number> {
  const { rows } = await owner.query(`select count(*)::int as n from ${table} where organization_id = $1`, [organizationId])
  return rows[0].n
}

async function addConversions(organizationId: number, n: number): Promise<void> {
  const tag = randomUUID().slice(0, 8)
  await owner.query(
    `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
     select 'LISTCOUNT', $1 || '-' || g, 100, 'USD', now(), 'unattributed', $2 from generate_series(1, $3::int) g`,
    [`list-${tag}`, organizationId, n],
  )
}

describe('list totals', () => {
  test('conversions: the total equals count(*) of the organization, before and after more rows (also in another organization)', async () => {
    const before = await ops.request('GET', '/api/conversions?limit=2&depth=0')
    expect(before.status).toBe(200)
    expect(before.body.totalDocs).toBe(await exact('conversions', demo))
    await addConversions(demo, 5)
    const other = await createOrgFixture(owner, 'List counts other')
    await addConversions(other.organizationId, 7)
    const after = await ops.request('GET', '/api/conversions?limit=2&depth=0')
    expect(after.body.totalDocs).toBe(before.body.totalDocs + 5)
    expect(after.body.totalDocs).toBe(await exact('conversions', demo))
    expect(after.body).toMatchObject({
      page: 1,
      limit: 2,
      totalPages: Math.ceil(after.body.totalDocs / 2),
      hasPrevPage: false,
      hasNextPage: true,
      pagingCounter: 1,
    })
    expect(after.body.docs).toHaveLength(2)
  })

  test('a later page carries the same total and its own paging fields; a page past the end is empty', async () => {
    const total = await exact('conversions', demo)
    const page2 = await ops.request('GET', '/api/conversions?limit=2&page=2&depth=0')
    expect(page2.body).toMatchObject({ totalDocs: total, page: 2, hasPrevPage: true, prevPage: 1, pagingCounter: 3 })
    const past = await ops.request('GET', `/api/conversions?limit=2&page=${Math.ceil(total / 2) + 5}&depth=0`)
    expect(past.status).toBe(200)
    expect(past.body.docs).toEqual([])
  })

  test('commissions: unfiltered total and a partner filter (counted exactly) both match the database', async () => {
    const all = await ops.request('GET', '/api/commissions?limit=1&depth=0')
    expect(all.body.totalDocs).toBe(await exact('commissions', demo))
    const { rows } = await owner.query(
      `select partner_id, count(*)::int as n from commissions where organization_id = $1 group by 1 order by 2 desc limit 1`,
      [demo],
    )
    if (rows.length === 0) return
    const one = await ops.request('GET', `/api/commissions?limit=1&depth=0&where[partner][equals]=${rows[0].partner_id}`)
    expect(one.body.totalDocs).toBe(rows[0].n)
  })

  test('the kept counts cannot be read across organizations', async () => {
    const other = await createOrgFixture(owner, 'List counts isolation')
    const app = new pg.Client({ connectionString: inject('appUrl') })
    await app.connect()
    try {
      await app.query('begin')
      await app.query(`select set_config('app.org_id', $1, true)`, [String(other.organizationId)])
      const { rows } = await app.query(`select distinct organization_id from tenant_row_counts`)
      expect(rows.map((r) => r.organization_id)).toEqual([other.organizationId])
      await app.query('rollback')
    } finally {
      await app.end()
    }
  })
})
