import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { SEED_PASSWORD } from '../setup/global-setup'
import { createOrgFixture, type OrgFixture } from '../helpers/fixtures'
import { login, type Session } from '../helpers/http'

/**
 * Checklist row 4: 1,000 HTTP requests alternating between two organizations over the test
 * server's pool of 4 connections (DATABASE_POOL_MAX=4 in global-setup), in concurrent waves, so
 * pooled connections are handed from one organization's request to the other's all the time.
 * Three users: one in A only, one in B only, one in both choosing per request with x-organization-id.
 * Every list must hold exactly its organization's rows: none of the other's, none missing.
 */
const REQUESTS = 1000
const WAVE = 8
const ENDPOINTS = ['partners', 'conversions', 'audit-events'] as const
const TABLE: Record<(typeof ENDPOINTS)[number], string> = {
  partners: 'partners',
  conversions: 'conversions',
  'audit-events': 'audit_events',
}

let owner: pg.Client
let a: OrgFixture
let b: OrgFixture
const sessions: Record<string, Session> = {}

async function userIn(orgIds: number[], tag: string): Promise<string> {
  const email = `pool-${tag}-${Date.now().toString(36)}@fixture.test`
  // Same password as the seeded users: copy a seeded user's salt and hash.
  const { rows } = await owner.query<{ id: number }>(
    `insert into users (email, name, salt, hash, active_organization_id)
     select $1, $2, salt, hash, $3 from users where email = 'admin@demo.test' returning id`,
    [email, `Pool ${tag}`, orgIds[0]],
  )
  for (const org of orgIds) {
    await owner.query(`insert into memberships (user_id, role, organization_id) values ($1, 'admin', $2)`, [rows[0]!.id, org])
  }
  return email
}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  a = await createOrgFixture(owner, 'Pool A')
  b = await createOrgFixture(owner, 'Pool B')
  // A few more rows each, so a leak of one row among many would still show.
  for (const org of [a, b]) {
    await owner.query(
      `insert into partners (name, status, organization_id) select 'Pool partner ' || g || ' of ' || $1::int, 'active', $1 from generate_series(1, 20) g`,
      [org.organizationId],
    )
    await owner.query(
      `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
       select 'POOL' || $1::int, 'pool-' || g, g, 'USD', now(), 'unattributed', $1 from generate_series(1, 30) g`,
      [org.organizationId],
    )
  }
  sessions.onlyA = await login(await userIn([a.organizationId], 'a'), SEED_PASSWORD)
  sessions.onlyB = await login(await userIn([b.organizationId], 'b'), SEED_PASSWORD)
  sessions.both = await login(await userIn([a.organizationId, b.organizationId], 'both'), SEED_PASSWORD)
})

afterAll(async () => {
  await owner?.end()
})

test(`${REQUESTS} requests alternating organizations over a pool of 4: 0 rows of the wrong organization, none missing`, async () => {
  // Expected ids per organization and list, read as the owner after the logins (which may audit).
  const expected = new Map<string, Set<number>>()
  for (const org of [a, b]) {
    for (const e of ENDPOINTS) {
      const { rows } = await owner.query<{ id: number }>(`select id from ${TABLE[e]} where organization_id = $1`, [org.organizationId])
      expected.set(`${org.organizationId}:${e}`, new Set(rows.map((r) => r.id)))
    }
  }
  const plan = Array.from({ length: REQUESTS }, (_, i) => {
    const org = i % 2 === 0 ? a : b
    const viaHeader = Math.floor(i / 2) % 2 === 1
    const session = viaHeader ? sessions.both! : org === a ? sessions.onlyA! : sessions.onlyB!
    const headers: Record<string, string> = viaHeader ? { 'x-organization-id': String(org.organizationId) } : {}
    return { org: org.organizationId, endpoint: ENDPOINTS[i % 3]!, session, headers }
  })

  let wrongRows = 0
  let missingRows = 0
  const failures: string[] = []
  for (let at = 0; at < plan.length; at += WAVE) {
    await Promise.all(
      plan.slice(at, at + WAVE).map(async (p, k) => {
        const res = await p.session.request('GET', `/api/${p.endpoint}?limit=1000&depth=0`, undefined, p.headers)
        if (res.status !== 200) return failures.push(`#${at + k} ${p.endpoint}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`)
        const docs = res.body.docs as { id: number; organization: number }[]
        const want = expected.get(`${p.org}:${p.endpoint}`)!
        const wrong = docs.filter((d) => d.organization !== p.org || !want.has(d.id))
        wrongRows += wrong.length
        missingRows += want.size - docs.filter((d) => want.has(d.id)).length
        if (wrong.length || docs.length !== want.size) failures.push(`#${at + k} ${p.endpoint} as ${p.session.email} in ${p.org}`)
      }),
    )
  }
  expect(failures.slice(0, 10)).toEqual([])
  expect({ wrongRows, missingRows }).toEqual({ wrongRows: 0, missingRows: 0 })
  console.log(`tenant pool: ${REQUESTS} requests in waves of ${WAVE}, 0 wrong rows, 0 missing`)
})

test('a direct connection as ledger_app with no app.org_id sees 0 rows, after the flood as before', async () => {
  const app = new pg.Client({ connectionString: inject('appUrl') })
  await app.connect()
  try {
    const { rows: setting } = await app.query(`select current_user, coalesce(current_setting('app.org_id', true), '') as org`)
    expect(setting[0]).toEqual({ current_user: 'ledger_app', org: '' })
    for (const t of Object.values(TABLE)) {
      expect((await app.query(`select count(*)::int n from ${t}`)).rows[0].n, t).toBe(0)
    }
  } finally {
    await app.end()
  }
})

test('the tenant setting is only ever transaction-local: no session-level set_config or SET app.* in src', () => {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (/\.(ts|tsx|mjs)$/.test(name)) files.push(p)
    }
  }
  walk(path.resolve('src'))
  const offenders: string[] = []
  for (const f of files) {
    const text = readFileSync(f, 'utf8')
    // set_config(name, value, false) or a plain SET of an app.* setting would outlive the transaction.
    if (/set_config\([^)]*,\s*false\s*\)/i.test(text) || /\bset\s+(session\s+)?app\./i.test(text)) offenders.push(f)
  }
  expect(files.length).toBeGreaterThan(10)
  expect(offenders).toEqual([])
  expect(readFileSync(path.resolve('src/db/session.ts'), 'utf8')).toMatch(/set_config\('app\.org_id',[^)]*true\)/)
})
