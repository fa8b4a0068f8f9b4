import { randomUUID } from 'node:crypto'

import Papa from 'papaparse'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'

/**
 * The ledger over real HTTP and real Postgres: accruals from an import (default rule, rate
 * history, hold, flags), refunds into reversals and clawbacks (and refunds that wait for their
 * conversion), flag decisions, the unattributed queue, write-offs, adjustments, the statement,
 * and the database refusing to rewrite history. Every figure is worked out in the comments.
 */
let owner: pg.Client
let ops: Session
let manager: Session
let finance: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const today = new Date().toISOString().slice(0, 10)
const code = (n: string) => `${n}${tag}`
const order = (n: number | string) => `L${tag}-${n}`
const partners: Record<string, number> = {}

async function createPartner(key: string, data: Record<string, unknown>) {
  const res = await ops.request('POST', '/api/partners', { name: `${key} ${tag}`, status: 'active', ...data })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  partners[key] = res.body.doc.id
  const c = await ops.request('POST', '/api/partner-codes', { code: code(key), partner: res.body.doc.id })
  expect(c.status, JSON.stringify(c.body)).toBe(201)
  return res.body.doc.id as number
}

async function entries(orderId: string) {
  const { rows } = await owner.query(
    `select m.kind, m.amount_minor::bigint::text as amount, m.status, m.explanation, m.eligible_at
       from commissions m join conversions c on c.id = m.conversion_id
      where c.order_id = $1 and c.organization_id = $2 order by m.id`,
    [orderId, org],
  )
  return rows
}

async function conversionId(orderId: string, codeKey?: string) {
  const { rows } = await owner.query(
    `select id from conversions where order_id = $1 and organization_id = $2 ${codeKey ? 'and code = $3' : ''} order by id`,
    codeKey ? [orderId, org, code(codeKey)] : [orderId, org],
  )
  return rows[0]?.id as number
}

async function flagsOf(orderId: string) {
  const { rows } = await owner.query(
    `select f.id, f.rule, f.status, f.evidence from flags f join conversions c on c.id = f.conversion_id
      where c.order_id = $1 and c.organization_id = $2 order by f.id`,
    [orderId, org],
  )
  return rows
}

const refund = (body: Record<string, unknown>) => ops.request('POST', '/api/refunds', { refundedAt: new Date().toISOString(), ...body })

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  manager = await login('manager@demo.test')
  finance = await login('finance@demo.test')
  org = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
  await createPartner('P1', { email: `p1.${tag.toLowerCase()}@partner.test` })
  await createPartner('EMP', { employee: true })
  await createPartner('FLAT', {
    rateHistory: [
      { effectiveFrom: '2020-01-01', rule: { kind: 'percent', rateBps: 500 } },
      { effectiveFrom: '2026-01-01', rule: { kind: 'flat', amountMinor: 500 } },
    ],
  })
  await createPartner('NEG', {})

  const csv = [
    'code,order_id,amount,date,customer_email',
    // 1999 x 1000 bps = 199.9 -> 200, old enough to be eligible.
    `${code('P1')},${order(1)},19.99,2026-01-10,c1@shop.test`,
    // 1225 x 10% = 122.5 -> 123 (half away from zero), today: pending for 30 days.
    `https://shop.example/?ref=${code('P1').toLowerCase()},${order(2)},12.25,${today},c2@shop.test`,
    // The partner's own address with a +tag and upper case: self-referral, held.
    `${code('P1')},${order(3)},50.00,2026-01-11,P1.${tag}+deal@Partner.test`,
    // Employee partner: held.
    `${code('EMP')},${order(4)},10.00,2026-01-12,c4@shop.test`,
    // Rate history: flat 500 from 2026-01-01; 5% before.
    `${code('FLAT')},${order(5)},80.00,2026-01-12,c5@shop.test`,
    `${code('FLAT')},${order(50)},80.00,2025-12-31,c50@shop.test`,
    // One order under two codes: both kept, both flagged.
    `${code('P1')},${order(6)},40.00,2026-01-13,c6@shop.test`,
    `${code('FLAT')},${order(6)},40.00,2026-01-13,c6@shop.test`,
    `${code('ZZ')},${order(8)},30.00,2026-01-14,c8@shop.test`,
    `${code('P1')},${order(9)},20.00,2026-01-15,c9@shop.test`,
    `${code('NEG')},${order(10)},20.00,2026-01-15,c10@shop.test`,
  ].join('\n')
  const res = await upload(ops, csv, { fileName: `ledger-${tag}.csv` })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
})

afterAll(async () => {
  await owner?.end()
})

describe('accruals on import', () => {
  test('the default rule (10%) with half-away-from-zero rounding, the hold period and the explanation', async () => {
    const [e1] = await entries(order(1))
    expect(e1).toMatchObject({ kind: 'accrual', amount: '200', status: 'eligible' })
    expect(e1.explanation).toMatchObject({ ruleKind: 'percent', ruleSource: 'program_default', rateBps: '1000', valueMinor: '1999' })
    expect(new Date(e1.eligible_at).toISOString()).toBe('2026-02-09T00:00:00.000Z')
    const [e2] = await entries(order(2))
    expect(e2).toMatchObject({ kind: 'accrual', amount: '123', status: 'pending' })
  })

  test('a partner’s rate history applies on the conversion’s date', async () => {
    expect((await entries(order(5)))[0]).toMatchObject({ amount: '500', status: 'eligible' })
    expect((await entries(order(5)))[0].explanation).toMatchObject({ ruleKind: 'flat', ruleSource: 'partner_rate_history' })
    // 8000 x 500 bps = 400, under the rule in effect on 2025-12-31.
    expect((await entries(order(50)))[0]).toMatchObject({ amount: '400' })
  })

  test('self-referral, employee and multi-code orders are flagged with evidence and their money held', async () => {
    expect(await entries(order(3))).toMatchObject([{ amount: '500', status: 'held' }])
    const [self] = await flagsOf(order(3))
    expect(self).toMatchObject({ rule: 'self_referral_email', status: 'open' })
    expect(self.evidence.partnerEmails).toEqual([`p1.${tag.toLowerCase()}@partner.test`])
    expect(await flagsOf(order(4))).toMatchObject([{ rule: 'employee_partner' }])
    expect(await entries(order(4))).toMatchObject([{ amount: '100', status: 'held' }])
    const multi = await flagsOf(order(6))
    expect(multi.map((f) => f.rule)).toEqual(['order_on_multiple_codes', 'order_on_multiple_codes'])
    expect(multi[0].evidence.codes).toEqual([code('FLAT'), code('P1')].sort())
    expect((await entries(order(6))).map((e) => e.status)).toEqual(['held', 'held'])
  })

  test('a tiered rule prices each conversion at its place in the month, two partners and two months in one chunk', async () => {
    const tiered = {
      kind: 'tiered',
      tiers: [
        { thresholdMinor: 0, rateBps: 500 },
        { thresholdMinor: 10000, rateBps: 1000 },
      ],
    }
    await createPartner('TIA', { rateHistory: [{ effectiveFrom: '2020-01-01', rule: tiered }] })
    await createPartner('TIB', { rateHistory: [{ effectiveFrom: '2020-01-01', rule: tiered }] })
    const csv = [
      'code,order_id,amount,date',
      // TIA, January, in date order 01-04 (20.00), 01-05 (60.00), 01-06 (50.00): month to date 2000, 8000, 13000.
      `${code('TIA')},${order('t2')},60.00,2026-01-05`,
      `${code('TIA')},${order('t3')},50.00,2026-01-06`,
      `${code('TIA')},${order('t1')},20.00,2026-01-04`,
      // February starts again at 0; TIB's months are its own.
      `${code('TIA')},${order('t4')},30.00,2026-02-01`,
      `${code('TIB')},${order('t5')},120.00,2026-01-05`,
    ].join('\n')
    const res = await upload(ops, csv, { fileName: `tiers-${tag}.csv` })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const priced = async (n: string) => {
      const [e] = await entries(order(n))
      return [e.amount, e.explanation.monthToDateRevenueMinor, e.explanation.rateBps]
    }
    // 2000 x 5% = 100; 6000 x 5% = 300 (8000 < 10000); 5000 x 10% = 500 (13000 reaches tier 2).
    expect(await priced('t1')).toEqual(['100', '2000', '500'])
    expect(await priced('t2')).toEqual(['300', '8000', '500'])
    expect(await priced('t3')).toEqual(['500', '13000', '1000'])
    expect(await priced('t4')).toEqual(['150', '3000', '500'])
    expect(await priced('t5')).toEqual(['1200', '12000', '1000'])
  })

  test('the import reports what the ledger did', async () => {
    const { rows } = await owner.query(`select counts, report from imports where file_name = $1`, [`ledger-${tag}.csv`])
    expect(rows[0].counts).toMatchObject({ rowsIn: 11, created: 10, unattributed: 1, flagged: 4 })
    expect(rows[0].report.ledger).toMatchObject({ accrued: 10, flagged: 4, zeroWithError: 0 })
  })
})

describe('refunds', () => {
  test('a partial refund during the hold recomputes the percent on the net value; a full one cancels the rest', async () => {
    const partial = await refund({ orderId: order(1), amountMinor: 999 })
    expect(partial.status, JSON.stringify(partial.body)).toBe(201)
    expect(partial.body.doc).toMatchObject({ status: 'matched', appliedMinor: 999 })
    // Net 1000 x 10% = 100: a reversal of -100, eligible at the original's date.
    expect((await entries(order(1))).map((e) => [e.kind, e.amount, e.status])).toEqual([
      ['accrual', '200', 'eligible'],
      ['reversal', '-100', 'eligible'],
    ])
    const full = await refund({ orderId: order(1) })
    expect(full.body.doc).toMatchObject({ status: 'matched', appliedMinor: 1000 })
    expect((await entries(order(1))).map((e) => e.amount)).toEqual(['200', '-100', '-100'])
    const { rows } = await owner.query(`select refunded_minor::text from conversions where id = $1`, [await conversionId(order(1))])
    expect(rows[0].refunded_minor).toBe('1999')
    const again = await refund({ orderId: order(1), amountMinor: 1 })
    expect(again.body.doc).toMatchObject({ status: 'rejected', note: 'the order is already fully refunded' })
  })

  test('a flat commission is reversed only by a full refund', async () => {
    await refund({ orderId: order(5), amountMinor: 1000 })
    expect((await entries(order(5))).map((e) => e.amount)).toEqual(['500'])
    await refund({ orderId: order(5) })
    expect((await entries(order(5))).map((e) => e.amount)).toEqual(['500', '-500'])
  })

  test('a refund after payout is a clawback, eligible at once', async () => {
    const conv = await conversionId(order(9))
    const batch = (
      await owner.query(`insert into batches (reference, status, as_of, organization_id) values ($1, 'draft', now(), $2) returning id`, [
        `PAID-${tag}`,
        org,
      ])
    ).rows[0].id
    await owner.query(`update commissions set status = 'in_batch', batch_id = $1 where conversion_id = $2`, [batch, conv])
    await owner.query(`update batches set status = 'approved' where id = $1`, [batch])
    await owner.query(`update commissions set status = 'paid' where conversion_id = $1`, [conv])
    const res = await refund({ orderId: order(9) })
    expect(res.body.doc.status).toBe('matched')
    expect((await entries(order(9))).map((e) => [e.kind, e.amount, e.status])).toEqual([
      ['accrual', '200', 'paid'],
      ['clawback', '-200', 'eligible'],
    ])
  })

  test('a refund for an order not yet imported waits, and is applied when the order arrives', async () => {
    const early = await refund({ orderId: order('LATE'), amountMinor: 500 })
    expect(early.body.doc).toMatchObject({ status: 'unmatched', note: 'unknown_order_id' })
    const res = await upload(ops, `code,order_id,amount,date\n${code('P1')},${order('LATE')},20.00,2026-01-20\n`, {
      fileName: `late-${tag}.csv`,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    // 2000 - 500 refunded = 1500 net: 200 accrued, then -50 to 150.
    expect((await entries(order('LATE'))).map((e) => [e.kind, e.amount])).toEqual([
      ['accrual', '200'],
      ['reversal', '-50'],
    ])
    const { rows } = await owner.query(`select status, applied_minor::text from refunds where id = $1`, [early.body.doc.id])
    expect(rows[0]).toEqual({ status: 'matched', applied_minor: '500' })
  })

  test('a refund naming no code for an order under two codes waits for a person, who chooses', async () => {
    const res = await refund({ orderId: order(6), amountMinor: 1000 })
    expect(res.body.doc.status).toBe('ambiguous')
    const target = await conversionId(order(6), 'P1')
    const denied = await finance.request('POST', `/api/refunds/${res.body.doc.id}/assign`, { conversion: target })
    expect(denied.status).toBe(403)
    const chosen = await ops.request('POST', `/api/refunds/${res.body.doc.id}/assign`, { conversion: target })
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200)
    // 4000 - 1000 = 3000 x 10% = 300: -100 on the held accrual, held with it.
    const p1 = (await entries(order(6))).filter((e) => e.explanation?.steps || e.kind === 'accrual')
    expect(p1.map((e) => [e.kind, e.amount, e.status])).toContainEqual(['reversal', '-100', 'held'])
  })
})

describe('flags', () => {
  test('only a manager decides, always with a reason, once', async () => {
    const [flag] = await flagsOf(order(3))
    expect((await ops.request('POST', `/api/flags/${flag.id}/decision`, { decision: 'clear', reason: 'x' })).status).toBe(403)
    expect((await manager.request('POST', `/api/flags/${flag.id}/decision`, { decision: 'clear', reason: ' ' })).status).toBe(400)
    const ok = await manager.request('POST', `/api/flags/${flag.id}/decision`, {
      decision: 'clear',
      reason: 'customer is her sister; allowed',
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(await entries(order(3))).toMatchObject([{ amount: '500', status: 'eligible' }])
    const twice = await manager.request('POST', `/api/flags/${flag.id}/decision`, { decision: 'reject', reason: 'changed my mind' })
    expect(twice.status).toBe(409)
    const { rows } = await owner.query(
      `select e.action, e.changes, u.email from audit_events e left join users u on u.id = e.actor_id
        where e.organization_id = $1 and e.entity_type = 'flag' and e.entity_id = $2`,
      [org, String(flag.id)],
    )
    expect(rows).toMatchObject([{ action: 'flag.cleared', email: 'manager@demo.test' }])
    expect(rows[0].changes.reason).toBe('customer is her sister; allowed')
  })

  test('rejecting a flag posts a reversal and releases both entries so they net to zero', async () => {
    const [flag] = await flagsOf(order(4))
    const res = await manager.request('POST', `/api/flags/${flag.id}/decision`, { decision: 'reject', reason: 'employees are not paid' })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect((await entries(order(4))).map((e) => [e.kind, e.amount, e.status])).toEqual([
      ['accrual', '100', 'eligible'],
      ['reversal', '-100', 'eligible'],
    ])
  })

  test('a flag of another organization is not found', async () => {
    const { rows } = await owner.query(
      `select f.id from flags f join organizations o on o.id = f.organization_id where o.slug <> 'demo' and f.status = 'open' limit 1`,
    )
    const id = rows[0]?.id ?? 999999999
    const res = await manager.request('POST', `/api/flags/${id}/decision`, { decision: 'clear', reason: 'not mine' })
    expect(res.status).toBe(404)
  })
})

describe('the unattributed queue', () => {
  test('groups by code; creating a partner for the code attributes and prices the waiting conversions', async () => {
    const queue = await ops.request('GET', '/api/conversions/unattributed')
    expect(queue.status).toBe(200)
    expect(queue.body.docs).toContainEqual(expect.objectContaining({ code: code('ZZ'), conversions: 1, valueMinor: '3000' }))
    const res = await ops.request('POST', '/api/conversions/assign', { code: code('ZZ').toLowerCase(), newPartner: { name: `ZZ ${tag}` } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ code: code('ZZ'), conversions: 1, accrued: 1 })
    expect(await entries(order(8))).toMatchObject([{ kind: 'accrual', amount: '300' }])
    const taken = await ops.request('POST', '/api/conversions/assign', { code: code('ZZ'), partner: partners.P1 })
    expect(taken.status).toBe(409)
    const { rows } = await owner.query(
      `select count(*)::int as n from audit_events where organization_id = $1 and action = 'conversion.assigned'`,
      [org],
    )
    expect(rows[0].n).toBeGreaterThan(0)
  })
})

describe('negative balances, write-offs and adjustments', () => {
  test('a clawback beyond what is owed shows as a negative balance; a manager writes it off to zero', async () => {
    const neg = partners.NEG as number
    const conv = await conversionId(order(10))
    const batch = (
      await owner.query(`insert into batches (reference, status, as_of, organization_id) values ($1, 'draft', now(), $2) returning id`, [
        `NEG-${tag}`,
        org,
      ])
    ).rows[0].id
    await owner.query(`update commissions set status = 'in_batch', batch_id = $1 where conversion_id = $2`, [batch, conv])
    await owner.query(`update batches set status = 'approved' where id = $1`, [batch])
    await owner.query(`update commissions set status = 'paid' where conversion_id = $1`, [conv])
    await refund({ orderId: order(10) })
    const list = await finance.request('GET', '/api/commissions/negative-balances')
    expect(list.body.docs).toContainEqual(expect.objectContaining({ partnerId: neg, currency: 'USD', balanceMinor: '-200' }))
    expect((await ops.request('POST', '/api/commissions/write-offs', { partner: neg, currency: 'USD', reason: 'x' })).status).toBe(403)
    const w = await manager.request('POST', '/api/commissions/write-offs', {
      partner: neg,
      currency: 'USD',
      reason: 'partner left the program',
    })
    expect(w.status, JSON.stringify(w.body)).toBe(201)
    expect(w.body.amountMinor).toBe('200')
    const after = await finance.request('GET', '/api/commissions/negative-balances')
    expect(after.body.docs.some((d: { partnerId: number }) => d.partnerId === neg)).toBe(false)
    const again = await manager.request('POST', '/api/commissions/write-offs', { partner: neg, currency: 'USD', reason: 'again' })
    expect(again.status).toBe(409)
    const balance = await finance.request('GET', `/api/partners/${neg}/balance`)
    expect(balance.body.balances).toEqual([
      { currency: 'USD', byStatus: { pending: '0', eligible: '0', held: '0', in_batch: '0', paid: '200' }, totalMinor: '200' },
    ])
  })

  test('an adjustment needs a manager and a reason', async () => {
    const body = { partner: partners.P1, amountMinor: '-125', currency: 'USD', reason: 'duplicate bonus last month' }
    expect((await ops.request('POST', '/api/commissions/adjustments', body)).status).toBe(403)
    expect((await manager.request('POST', '/api/commissions/adjustments', { ...body, reason: '' })).status).toBe(400)
    expect((await manager.request('POST', '/api/commissions/adjustments', { ...body, amountMinor: '1.5' })).status).toBe(400)
    const ok = await manager.request('POST', '/api/commissions/adjustments', body)
    expect(ok.status, JSON.stringify(ok.body)).toBe(201)
    const { rows } = await owner.query(`select kind, amount_minor::text, status, reason from commissions where id = $1`, [ok.body.id])
    expect(rows[0]).toEqual({ kind: 'adjustment', amount_minor: '-125', status: 'eligible', reason: 'duplicate bonus last month' })
  })
})

describe('partner statement', () => {
  test('lists every entry with a running balance that ends at the sum of the ledger, and the download is audited', async () => {
    const p1 = partners.P1 as number
    const res = await fetch(`${inject('baseUrl')}/api/partners/${p1}/statement?from=2000-01-01&to=2100-01-01`, {
      headers: { cookie: finance.cookie },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const parsed = Papa.parse<string[]>(await res.text(), { skipEmptyLines: true })
    const [header, ...lines] = parsed.data
    expect(header).toEqual([
      'Posted at',
      'Entry',
      'Kind',
      'Order',
      'Code',
      'Currency',
      'Amount',
      'Status',
      'Eligible at',
      'Batch',
      'Why',
      'Balance',
    ])
    const { rows } = await owner.query(
      `select count(*)::int as n, sum(amount_minor)::bigint::text as total from commissions where partner_id = $1`,
      [p1],
    )
    expect(lines).toHaveLength(rows[0].n)
    const last = lines[lines.length - 1] as string[]
    expect(last[11]).toBe((Number(rows[0].total) / 100).toFixed(2))
    const audit = await owner.query(
      `select 1 from audit_events where organization_id = $1 and action = 'partner.statement_downloaded' and entity_id = $2`,
      [org, String(p1)],
    )
    expect(audit.rowCount).toBeGreaterThan(0)
  })
})

describe('history cannot be rewritten, even by the owner', () => {
  test('entries, conversions and decided flags refuse edits and deletes', async () => {
    const conv = await conversionId(order(2))
    await expect(owner.query(`update commissions set amount_minor = 1 where conversion_id = $1`, [conv])).rejects.toThrow(/immutable/)
    await expect(owner.query(`update commissions set explanation = '{}' where conversion_id = $1`, [conv])).rejects.toThrow(/immutable/)
    await expect(owner.query(`delete from commissions where conversion_id = $1`, [conv])).rejects.toThrow(/never deleted/)
    await expect(owner.query(`update conversions set value_minor = 1 where id = $1`, [conv])).rejects.toThrow(/history/)
    await expect(owner.query(`delete from conversions where id = $1`, [conv])).rejects.toThrow(/never deleted/)
    await expect(
      owner.query(`insert into commissions (partner_id, conversion_id, kind, amount_minor, currency, eligible_at, status, organization_id)
                   select partner_id, id, 'accrual', 1, 'USD', now(), 'pending', organization_id from conversions where id = ${conv}`),
    ).rejects.toThrow(/commissions_one_accrual_per_conversion/)
    const [flag] = await flagsOf(order(3))
    await expect(owner.query(`update flags set status = 'rejected' where id = $1`, [flag.id])).rejects.toThrow(/decided/)
  })
})
