import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'

/**
 * Checklist row 11, the duplicate guard on (organization, code, order id): an identical repeat is
 * a no-op that names the stored original; a repeat with a different amount is an explicit
 * conflict, never a silent keep-the-first. Over HTTP (POST /api/conversions and the import) and
 * in the database itself.
 */
let owner: pg.Client
let app: pg.Client
let ops: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const CODE = `DUP${tag}`

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  app = new pg.Client({ connectionString: inject('appUrl') })
  await owner.connect()
  await app.connect()
  ops = await login('ops@demo.test')
  org = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
  const partner = await owner.query(`insert into partners (name, status, organization_id) values ($1, 'active', $2) returning id`, [
    `Dup partner ${tag}`,
    org,
  ])
  await owner.query(`insert into partner_codes (code, partner_id, organization_id) values ($1, $2, $3)`, [CODE, partner.rows[0].id, org])
})

afterAll(async () => {
  await app?.end()
  await owner?.end()
})

async function stored(orderId: string) {
  const { rows } = await owner.query(
    `select c.id, c.value_minor::text as value, c.currency, c.occurred_at,
            (select coalesce(sum(amount_minor), 0)::text from commissions m where m.conversion_id = c.id) as commission,
            (select count(*)::int from commissions m where m.conversion_id = c.id) as entries
       from conversions c where c.organization_id = $1 and c.code = $2 and c.order_id = $3`,
    [org, CODE, orderId],
  )
  return rows
}

const body = (orderId: string, valueMinor: number, extra: Record<string, unknown> = {}) => ({
  code: CODE,
  orderId,
  valueMinor,
  currency: 'USD',
  occurredAt: '2026-04-02T10:00:00.000Z',
  ...extra,
})

describe('POST /api/conversions', () => {
  const orderId = `api-${tag}-1`
  let original: number

  beforeAll(async () => {
    const res = await ops.request('POST', '/api/conversions', body(orderId, 4000))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    original = res.body.doc.id
  })

  test('an identical repeat is a no-op: 409 duplicate naming the stored conversion; nothing new is stored or posted', async () => {
    const before = await stored(orderId)
    const created = () =>
      owner.query(`select count(*)::int as n from audit_events where organization_id = $1 and action = 'conversion.created'`, [org])
    const events = await created()
    // The code as a person might type it again: canonicalised to the same key first.
    const res = await ops.request('POST', '/api/conversions', body(` ${orderId} `, 4000, { code: CODE.toLowerCase() }))
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(res.body.errors[0].data).toEqual({ code: 'duplicate', conversionId: original })
    expect(res.body.errors[0].message).toContain(`conversion ${original}`)
    expect(await stored(orderId)).toEqual(before)
    expect((await created()).rows[0].n).toBe(events.rows[0].n)
  })

  test.each([
    ['a different amount', { valueMinor: 4001 }, ['valueMinor']],
    ['a different currency', { currency: 'EUR' }, ['currency']],
    ['a different date', { occurredAt: '2026-04-03T10:00:00.000Z' }, ['occurredAt']],
    ['a different amount and date', { valueMinor: 1, occurredAt: '2026-01-01T00:00:00.000Z' }, ['valueMinor', 'occurredAt']],
  ])(
    '%s: 409 duplicate_conflict naming what differs; the stored conversion and its commission are untouched',
    async (_n, change, differs) => {
      const before = await stored(orderId)
      expect(before).toHaveLength(1)
      const res = await ops.request('POST', '/api/conversions', { ...body(orderId, 4000), ...change })
      expect(res.status, JSON.stringify(res.body)).toBe(409)
      expect(res.body.errors[0].data).toEqual({ code: 'duplicate_conflict', conversionId: original, differs })
      expect(await stored(orderId)).toEqual(before)
    },
  )

  test('the same order under another code is not a duplicate (it is the multi-code case, flagged elsewhere)', async () => {
    const res = await ops.request('POST', '/api/conversions', body(orderId, 4000, { code: `OTHER${tag}` }))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.doc.status).toBe('unattributed')
  })
})

describe('the database key', () => {
  test('as the app role, a second row with the same (organization, code, order id) is 23505; the original stays', async () => {
    const orderId = `api-${tag}-1`
    await app.query('begin')
    try {
      await app.query(`select set_config('app.org_id', $1, true)`, [String(org)])
      await expect(
        app.query(
          `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
           values ($1, $2, 9999, 'USD', now(), 'unattributed', $3)`,
          [CODE, orderId, org],
        ),
      ).rejects.toMatchObject({ code: '23505', constraint: expect.stringMatching(/org/) })
    } finally {
      await app.query('rollback')
    }
    expect((await stored(orderId))[0].value).toBe('4000')
  })
})

describe('imports', () => {
  const file = (rows: [string, string][]) =>
    ['code,order_id,amount,date', ...rows.map(([order, amount]) => `${CODE},${order},${amount},2026-04-05`), ''].join('\n')
  const o = (n: number) => `imp-${tag}-${n}`

  test('identical rows in a second file are duplicates of the stored conversions: 0 new rows, totals unchanged', async () => {
    const first = await upload(
      ops,
      file([
        [o(1), '10.00'],
        [o(2), '20.00'],
      ]),
      { fileName: 'first.csv' },
    )
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body.counts).toMatchObject({ rowsIn: 2, created: 2, duplicate: 0 })
    const before = [...(await stored(o(1))), ...(await stored(o(2)))]
    // Different bytes (one more row), so the file-level SHA-256 refusal does not apply.
    const second = await upload(
      ops,
      file([
        [o(1), '10.00'],
        [o(2), '20.00'],
        [o(3), '30.00'],
      ]),
      { fileName: 'second.csv' },
    )
    expect(second.status, JSON.stringify(second.body)).toBe(201)
    expect(second.body.counts).toMatchObject({ rowsIn: 3, created: 1, duplicate: 2, rejected: 0 })
    expect(second.body.duplicates).toEqual({ inFile: 0, existing: 2 })
    expect([...(await stored(o(1))), ...(await stored(o(2)))]).toEqual(before)
  })

  test('a stored order with a different amount is rejected as duplicate_conflict naming row and column, never overwritten nor stored twice', async () => {
    const before = await stored(o(1))
    const res = await upload(
      ops,
      file([
        [o(1), '99.99'],
        [o(4), '40.00'],
      ]),
      { fileName: 'changed.csv' },
    )
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 2, created: 1, duplicate: 0, rejected: 1 })
    expect(res.body.duplicateConflicts).toBe(1)
    expect(res.body.errors).toHaveLength(1)
    expect(res.body.errors[0]).toMatchObject({ row: 2, column: 'amount', code: 'duplicate_conflict', value: '99.99 USD' })
    expect(res.body.errors[0].message).toMatch(
      /^Row 2, column "amount": order imp-\w+-1 under code DUP\w+ was already stored as conversion \d+ with 10\.00 USD; this row says 99\.99 USD/,
    )
    expect(await stored(o(1))).toEqual(before)
  })

  test('within one file, a repeat with another date is a conflict and a same-facts repeat a duplicate', async () => {
    const csv = [
      'code,order_id,amount,date',
      `${CODE},${o(5)},50.00,2026-04-05`,
      `${CODE},${o(5)},50.00,2026-04-05`,
      `${CODE},${o(5)},50.00,2026-04-06`,
      '',
    ].join('\n')
    const res = await upload(ops, csv, { fileName: 'in-file.csv' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 3, created: 1, duplicate: 1, rejected: 1 })
    expect(res.body.duplicates).toEqual({ inFile: 1, existing: 0 })
    expect(res.body.errors[0]).toMatchObject({ row: 4, column: 'date', code: 'duplicate_conflict' })
    expect(res.body.errors[0].message).toMatch(/already stored by row 2 of this file/)
    expect(await stored(o(5))).toHaveLength(1)
  })
})
