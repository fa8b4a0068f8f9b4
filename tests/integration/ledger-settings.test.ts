import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'

/**
 * Each fraud rule has its own switch and threshold in the organization's settings, and the
 * settings are read on import and on a single edit alike. A fresh organization of its own, so
 * the demo organization's defaults stay as the other tests expect them.
 */
let owner: pg.Client
let admin: Session
let ops: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const headers = () => ({ 'x-organization-id': String(org) })

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  admin = await login('admin@demo.test')
  const created = await admin.request('POST', '/api/organizations', { name: `Settings ${tag}`, slug: `settings-${tag.toLowerCase()}` })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  org = created.body.doc.id
  await owner.query(`update organizations set settings = $1 where id = $2`, [
    {
      holdDays: 0,
      defaultRule: { kind: 'percent_plus_flat', rateBps: 500, amountMinor: 100, capMinor: 600 },
      roundingMode: 'half_even',
      fraud: {
        selfReferralEmail: { enabled: false },
        employeeDomain: { enabled: true, ownDomains: ['OurCo.test'] },
        velocity: { enabled: true, minPerDay: 2, multiple: 5, trailingDays: 30 },
      },
    },
    org,
  ])
  // Conversions are typed in by ops: make ops@demo.test a member here too.
  await owner.query(
    `insert into memberships (user_id, role, organization_id) select id, 'ops', $1 from users where email = 'ops@demo.test'`,
    [org],
  )
  ops = await login('ops@demo.test')
  const p = await admin.request(
    'POST',
    '/api/partners',
    { name: `Vel ${tag}`, status: 'active', email: `vel.${tag}@partner.test` },
    headers(),
  )
  expect(p.status, JSON.stringify(p.body)).toBe(201)
  expect((await admin.request('POST', '/api/partner-codes', { code: `VEL${tag}`, partner: p.body.doc.id }, headers())).status).toBe(201)
})

afterAll(async () => {
  // Other test files count ops's organizations.
  await owner?.query(`delete from memberships where organization_id = $1 and role = 'ops'`, [org])
  await owner?.end()
})

async function ledgerOf(orderId: string) {
  const { rows } = await owner.query(
    `select m.amount_minor::text as amount, m.status, m.explanation,
            coalesce((select array_agg(f.rule::text order by f.rule) from flags f where f.conversion_id = c.id), '{}') as flags
       from conversions c left join commissions m on m.conversion_id = c.id
      where c.order_id = $1 and c.organization_id = $2`,
    [orderId, org],
  )
  return rows[0]
}

test('the organization’s rule, rounding, hold and fraud switches apply on import', async () => {
  const day = '2026-03-02'
  const csv = [
    'code,order_id,amount,date,customer_email',
    // 5% of 1010 = 50.5 -> 50 (half to even) + 100 flat = 150; hold 0 days: eligible at once.
    `VEL${tag},S${tag}-1,10.10,${day},buyer@shop.test`,
    // The partner's own address: self-referral is switched off here, so no flag.
    `VEL${tag},S${tag}-2,10.30,${day},vel.${tag}@partner.test`,
    // An address at the company's own domain (case-insensitive): flagged.
    `VEL${tag},S${tag}-3,200.00,${day},someone@ourco.TEST`,
  ].join('\n')
  const res = await upload(admin, csv, { fileName: `settings-${tag}.csv`, headers: headers() })
  expect(res.status, JSON.stringify(res.body)).toBe(201)

  const one = await ledgerOf(`S${tag}-1`)
  expect(one).toMatchObject({ amount: '150', status: 'held' })
  expect(one.explanation).toMatchObject({ ruleKind: 'percent_plus_flat', roundingMode: 'half_even' })
  // Three on one day with a floor of 2 and no history: velocity flags every one of them.
  expect(one.flags).toEqual(['velocity'])
  // 5% of 1030 = 51.5 -> 52 (half to even) + 100 = 152.
  expect(await ledgerOf(`S${tag}-2`)).toMatchObject({ amount: '152', flags: ['velocity'] })
  // 5% of 20000 = 1000 + 100 = 1100, capped at 600.
  expect(await ledgerOf(`S${tag}-3`)).toMatchObject({ amount: '600', flags: ['employee_domain', 'velocity'] })
})

test('a conversion typed in by hand goes through the same rules (canonical code, attribution, flags)', async () => {
  const res = await ops.request(
    'POST',
    '/api/conversions',
    {
      code: ` https://shop.example/?ref=vel${tag.toLowerCase()} `,
      orderId: ` S${tag}-9 `,
      valueMinor: 5000,
      currency: 'USD',
      occurredAt: '2026-04-01T12:00:00Z',
      customerEmail: 'boss@ourco.test',
    },
    headers(),
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body.doc).toMatchObject({ code: `VEL${tag}`, orderId: `S${tag}-9`, status: 'attributed' })
  // 250 + 100 = 350, held for the own-domain customer; hold 0 days.
  expect(await ledgerOf(`S${tag}-9`)).toMatchObject({ amount: '350', status: 'held', flags: ['employee_domain'] })
  const { rows } = await owner.query(
    `select count(*)::int as n from audit_events where organization_id = $1 and action = 'conversion.created'`,
    [org],
  )
  expect(rows[0].n).toBe(1)
})
