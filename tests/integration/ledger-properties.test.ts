import { randomUUID } from 'node:crypto'

import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { checkAppendOnly, checkConversionLedger, commissionRuleSchema, type CommissionRule } from '../../src/ledger'
import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'

/**
 * Random sequences of imports, refunds, flag decisions, batches and payments against the real
 * server and database, with the ledger's invariants checked after every step:
 * - per partner, pending + eligible + held + in batch + paid (GET /api/partners/:id/balance)
 *   equals the sum of its entries (SQL);
 * - no conversion earns twice (one accrual at most), and each conversion carries exactly what the
 *   rules say after its refunds (ledger-invariants.ts restates them independently), or zero once
 *   a manager rejected its flag;
 * - entries are never edited or removed (each step's history starts with the previous one's).
 * Seeded: a failure prints the seed and path, and replays with them.
 */
const SEED = Number(process.env.LEDGER_PROPERTY_SEED ?? 20261125)
const RUNS = Number(process.env.LEDGER_PROPERTY_RUNS ?? 10)

let owner: pg.Client
let ops: Session
let manager: Session
let org: number

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  manager = await login('manager@demo.test')
  org = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
})

afterAll(async () => {
  await owner?.end()
})

type Op =
  | { kind: 'import'; rows: { partner: number; amount: number; daysAgo: number; self: boolean }[] }
  | { kind: 'refund'; pick: number; amount: number | null }
  | { kind: 'decide'; pick: number; clear: boolean }
  | { kind: 'batch_and_pay' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('import' as const),
      rows: fc.array(
        fc.record({
          partner: fc.integer({ min: 0, max: 3 }), // 3 = a code nobody owns
          amount: fc.integer({ min: 1, max: 200_000 }),
          daysAgo: fc.integer({ min: 0, max: 90 }),
          self: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.option(fc.integer({ min: 1, max: 150_000 }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('decide' as const), pick: fc.nat(), clear: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'batch_and_pay' as const }) },
)

interface Run {
  tag: string
  partners: { id: number; code: string; email: string }[]
  orders: string[]
  next: number
}

async function setUpRun(): Promise<Run> {
  const tag = randomUUID().slice(0, 6).toUpperCase()
  const partners = []
  for (const n of [0, 1, 2]) {
    const email = `prop${n}.${tag.toLowerCase()}@partner.test`
    const p = await ops.request('POST', '/api/partners', { name: `Prop ${n} ${tag}`, status: 'active', email })
    expect(p.status, JSON.stringify(p.body)).toBe(201)
    const code = `PR${n}${tag}`
    expect((await ops.request('POST', '/api/partner-codes', { code, partner: p.body.doc.id })).status).toBe(201)
    partners.push({ id: p.body.doc.id as number, code, email })
  }
  return { tag, partners, orders: [], next: 1 }
}

async function apply(run: Run, op: Op) {
  if (op.kind === 'import') {
    const lines = op.rows.map((r) => {
      const orderId = `P${run.tag}-${run.next++}`
      run.orders.push(orderId)
      const code = r.partner === 3 ? `NOBODY${run.tag}` : run.partners[r.partner]!.code
      const date = new Date(Date.now() - r.daysAgo * 86_400_000).toISOString().slice(0, 10)
      const email = r.self && r.partner < 3 ? run.partners[r.partner]!.email : `buyer${run.next}@shop.test`
      return `${code},${orderId},${(r.amount / 100).toFixed(2)},${date},${email}`
    })
    const res = await upload(ops, ['code,order_id,amount,date,customer_email', ...lines].join('\n'), {
      fileName: `prop-${randomUUID()}.csv`,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  } else if (op.kind === 'refund') {
    if (run.orders.length === 0) return
    const orderId = run.orders[op.pick % run.orders.length]!
    const res = await ops.request('POST', '/api/refunds', {
      orderId,
      refundedAt: new Date().toISOString(),
      ...(op.amount == null ? {} : { amountMinor: op.amount }),
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  } else if (op.kind === 'decide') {
    const { rows } = await owner.query(
      `select f.id from flags f join conversions c on c.id = f.conversion_id where f.status = 'open' and c.order_id like $1 order by f.id`,
      [`P${run.tag}-%`],
    )
    if (rows.length === 0) return
    const id = rows[op.pick % rows.length].id
    const res = await manager.request('POST', `/api/flags/${id}/decision`, {
      decision: op.clear ? 'clear' : 'reject',
      reason: 'property test',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
  } else {
    // A batch as the approval gate leaves it: the eligible, unbatched entries of these partners
    // go in, the batch is approved, then paid. (Written as the owner, through the triggers.)
    const ids = run.partners.map((p) => p.id)
    const { rows } = await owner.query(
      `insert into batches (reference, status, as_of, organization_id) values ($1, 'draft', now(), $2) returning id`,
      [`PROP-${randomUUID().slice(0, 8)}`, org],
    )
    const batch = rows[0].id
    await owner.query(
      `update commissions set status = 'in_batch', batch_id = $1 where partner_id = any($2) and status = 'eligible' and batch_id is null`,
      [batch, ids],
    )
    await owner.query(`update batches set status = 'approved' where id = $1`, [batch])
    await owner.query(`update commissions set status = 'paid' where batch_id = $1`, [batch])
    await owner.query(`update batches set status = 'paid' where id = $1`, [batch])
  }
}

interface Snapshot {
  entries: { id: number; kind: string; amountMinor: bigint; eligibleOn: string; conversion: number | null; explanation: string }[]
}

async function snapshot(run: Run): Promise<Snapshot> {
  const { rows } = await owner.query(
    `select id, kind, amount_minor::text as amount, eligible_at, conversion_id, explanation::text as explanation
       from commissions where partner_id = any($1) order by id`,
    [run.partners.map((p) => p.id)],
  )
  return {
    entries: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      amountMinor: BigInt(r.amount),
      eligibleOn: new Date(r.eligible_at).toISOString(),
      conversion: r.conversion_id,
      explanation: r.explanation,
    })),
  }
}

async function checkInvariants(run: Run, before: Snapshot, after: Snapshot) {
  // Append-only: every earlier entry is still there, unchanged, in the same order.
  expect(checkAppendOnly(before.entries, after.entries)).toBeNull()
  for (const [i, b] of before.entries.entries()) expect(after.entries[i]).toEqual(b)

  for (const p of run.partners) {
    const res = await ops.request('GET', `/api/partners/${p.id}/balance`)
    expect(res.status).toBe(200)
    const { rows } = await owner.query(
      `select currency, sum(amount_minor)::bigint::text as total from commissions where partner_id = $1 group by 1 order by 1`,
      [p.id],
    )
    const fromApi = (res.body.balances as { currency: string; byStatus: Record<string, string>; totalMinor: string }[]).map((b) => {
      const sumOfStatuses = Object.values(b.byStatus).reduce((s, v) => s + BigInt(v), 0n)
      expect(sumOfStatuses.toString()).toBe(b.totalMinor)
      return { currency: b.currency, total: b.totalMinor }
    })
    expect(fromApi).toEqual(rows)
  }

  const { rows: conversions } = await owner.query(
    `select c.id, c.value_minor::text as value, c.refunded_minor::text as refunded,
            (select count(*)::int from commissions m where m.conversion_id = c.id and m.kind = 'accrual') as accruals,
            (select coalesce(sum(amount_minor), 0)::bigint::text from commissions m where m.conversion_id = c.id) as total,
            (select explanation from commissions m where m.conversion_id = c.id and m.kind = 'accrual') as explanation,
            exists (select 1 from flags f where f.conversion_id = c.id and f.status = 'rejected') as rejected,
            exists (select 1 from refunds r where r.conversion_id = c.id and r.amount_minor is null) as blank_refund
       from conversions c where c.order_id like $1 and c.organization_id = $2`,
    [`P${run.tag}-%`, org],
  )
  for (const c of conversions) {
    expect(c.accruals, `conversion ${c.id} earns once`).toBeLessThanOrEqual(1)
    if (c.accruals === 0) continue
    const total = BigInt(c.total)
    if (c.rejected) {
      expect(total, `conversion ${c.id}: rejected flag leaves nothing`).toBe(0n)
      continue
    }
    const rule = commissionRuleSchema.parse(c.explanation.rule) as CommissionRule
    const value = BigInt(c.value)
    const refunded = BigInt(c.refunded)
    const violations = checkConversionLedger(
      {
        rule,
        valueMinor: value,
        refundedMinor: refunded,
        fullyRefunded: c.blank_refund || refunded === value,
        roundingMode: 'half_away_from_zero',
      },
      [{ amountMinor: total }],
    )
    expect(violations, `conversion ${c.id}: value ${value}, refunded ${refunded}, total ${total}`).toEqual([])
  }
}

test('random sequences of imports, refunds, flag decisions, batches and payments keep the ledger whole', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 10 }), async (steps) => {
      const run = await setUpRun()
      let before = await snapshot(run)
      for (const op of steps) {
        await apply(run, op)
        const after = await snapshot(run)
        await checkInvariants(run, before, after)
        before = after
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  )
})
