import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { decryptPayout, keyringFromEnv } from '../../src/security/payout-crypto'
import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'
import { TEST_PAYOUT_KEY } from '../setup/global-setup'

/**
 * Partner lists and refund files over POST /api/imports: creation, re-import as update with rate
 * history, conflicts named by row and column, and refunds applied to the ledger row by row.
 */
let owner: pg.Client
let ops: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const code = (n: string) => `${n}${tag}`
const today = new Date().toISOString().slice(0, 10)
const ring = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY, PAYOUT_ENCRYPTION_KEY_ID: 'test1' })

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  org = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
})

afterAll(async () => {
  await owner?.end()
})

async function partnerByCode(c: string) {
  const { rows } = await owner.query(
    `select p.* from partners p join partner_codes pc on pc.partner_id = p.id where pc.code = $1 and p.organization_id = $2`,
    [c, org],
  )
  return rows[0]
}

describe('partners', () => {
  // BOM, semicolons, a quoted name with the delimiter, aliases as links, a flat commission, bank details.
  const first = [
    '\uFEFFName;Code;Email;Aliases;Commission %;Flat commission;Payout method;Payout email;IBAN;Employee',
    `"Ana; Shop";${code('ANA')};ana.${tag}@partner.test;https://shop.example/?ref=${code('ANA2').toLowerCase()};12.5;;paypal;ana.${tag}@pay.test;;no`,
    `Ben;${code('BEN')};ben.${tag}@partner.test;;;5.00;bank;;DE89370400440532013000;yes`,
    `Cy;${code('CY')};not-an-email;;;;;;;`,
    `Ben again;${code('BEN')};;;;;;;;`,
    `Dee;${code('DEE')};;${code('ANA2')};;;;;;`,
  ].join('\r\n')

  test('a partner list creates partners with codes, aliases, rules and payout details; bad rows are named', async () => {
    const res = await upload(ops, first, { kind: 'partners', fileName: `partners-${tag}.csv` })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 5, created: 2, updated: 0, duplicate: 1, rejected: 2 })
    const messages = res.body.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column])
    expect(messages).toContainEqual([4, 'Email'])
    expect(messages).toContainEqual([6, 'Aliases'])
    const ana = await partnerByCode(code('ANA'))
    expect(ana).toMatchObject({ name: 'Ana; Shop', payout_method: 'paypal', employee: false })
    // Payout details are stored encrypted (payout-encryption.test.ts); in the clear they are the file's.
    expect(decryptPayout(ana.payout_email, ring)).toBe(`ana.${tag.toLowerCase()}@pay.test`)
    expect(ana.rate_history).toEqual([
      { effectiveFrom: '2000-01-01', rule: { kind: 'percent', rateBps: '1250' }, version: `import ${today}` },
    ])
    expect((await partnerByCode(code('ANA2'))).id).toBe(ana.id)
    const ben = await partnerByCode(code('BEN'))
    expect(ben).toMatchObject({ employee: true, payout_method: 'bank' })
    expect(decryptPayout(ben.payout_details_iban, ring)).toBe('DE89370400440532013000')
    expect(ben.rate_history[0].rule).toMatchObject({ kind: 'flat', amountMinor: '500' })
    const { rows } = await owner.query(
      `select count(*)::int as n from audit_events where organization_id = $1 and action = 'partner.created' and entity_id in ($2, $3)`,
      [org, String(ana.id), String(ben.id)],
    )
    expect(rows[0].n).toBe(2)
  })

  test('re-importing updates the partners matched by code; a rate change is a new rate-history entry from today', async () => {
    const second = [
      'name,code,email,rate_percent',
      `"Ana; Shop",${code('ANA')},ana.new.${tag}@partner.test,15`,
      `Ben,${code('BEN')},,`,
      `Eve,${code('EVE')},,`,
    ].join('\n')
    const res = await upload(ops, second, { kind: 'partners', fileName: `partners-2-${tag}.csv` })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 3, created: 1, updated: 1, duplicate: 1, rejected: 0 })
    const ana = await partnerByCode(code('ANA'))
    expect(ana.email).toBe(`ana.new.${tag.toLowerCase()}@partner.test`)
    expect(ana.rate_history.map((h: { effectiveFrom: string; rule: { rateBps: string } }) => [h.effectiveFrom, h.rule.rateBps])).toEqual([
      ['2000-01-01', '1250'],
      [today, '1500'],
    ])
    const { rows } = await owner.query(
      `select changes from audit_events where organization_id = $1 and action = 'partner.updated' and entity_id = $2 order by id desc limit 1`,
      [org, String(ana.id)],
    )
    expect(rows[0].changes.email).toEqual([`ana.${tag.toLowerCase()}@partner.test`, `ana.new.${tag.toLowerCase()}@partner.test`])
    expect(rows[0].changes.rateHistory[1]).toMatchObject({ effectiveFrom: today })
  })
})

describe('refunds', () => {
  const order = (n: number) => `R${tag}-${n}`
  beforeAll(async () => {
    const csv = ['code,order_id,amount,date', ...[1, 2, 3].map((n) => `${code('ANA')},${order(n)},40.00,2026-01-0${n}`)].join('\n')
    const res = await upload(ops, csv, { fileName: `refund-orders-${tag}.csv` })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  })

  test('each refund row is applied, waits in the queue, or is refused with its row and column; duplicates count once', async () => {
    const csv = [
      'Order ID,Refund amount,Refunded at',
      `${order(1)},10.00,2026-02-01`, // 4000 - 1000 = 3000 x 12.5% = 375: -125
      `${order(2)},,2026-02-01`, // full: -500
      `${order(2)},5.00,2026-02-02`, // already fully refunded: refused
      `${order(9)},5.00,2026-02-02`, // order not imported yet: waits
      `${order(1)},10.00,2026-02-01`, // the same refund twice in the file
      `${order(3)},abc,2026-02-01`, // not an amount
    ].join('\n')
    const res = await upload(ops, csv, {
      kind: 'refunds',
      fileName: `refunds-${tag}.csv`,
      mapping: { order_id: 'Order ID', amount: 'Refund amount', refunded_at: 'Refunded at' },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 6, created: 2, unattributed: 1, duplicate: 1, rejected: 2 })
    const errors = res.body.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])
    expect(errors).toContainEqual([4, 'Refund amount', expect.stringContaining('already fully refunded')])
    expect(errors).toContainEqual([7, 'Refund amount', expect.stringContaining('Row 7')])
    const { rows } = await owner.query(
      `select c.order_id, m.kind, m.amount_minor::text as amount from commissions m join conversions c on c.id = m.conversion_id
        where c.order_id like $1 and c.organization_id = $2 order by c.order_id, m.id`,
      [`R${tag}-%`, org],
    )
    expect(rows.map((r) => [r.order_id, r.kind, r.amount])).toEqual([
      [order(1), 'accrual', '500'],
      [order(1), 'reversal', '-125'],
      [order(2), 'accrual', '500'],
      [order(2), 'reversal', '-500'],
      [order(3), 'accrual', '500'],
    ])
    const again = await upload(ops, csv, {
      kind: 'refunds',
      fileName: `refunds-again-${tag}.csv`,
      mapping: { order_id: 'Order ID', amount: 'Refund amount', refunded_at: 'Refunded at' },
    })
    expect(again.status).toBe(409)
  })
})
