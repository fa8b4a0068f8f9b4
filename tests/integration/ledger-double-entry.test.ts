import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { addEntry, createBatchOrg, createPartner, type BatchOrg } from '../helpers/batches'

/**
 * Checklist row 10 after randomized operation sequences (seeded; a failure prints the seed and
 * path, replay with DOUBLE_ENTRY_SEED): accruals, clawbacks and whole pay rounds (draft, submit,
 * approve, export, mark paid over HTTP) in a fresh organization, with after every step:
 * - per partner and currency: payable (the API's balance less its paid part) = commissions −
 *   clawbacks − paid, where paid is read from the other side of the books, the paid batch lines;
 * - per batch and currency (both sides of each payment): its stored totals = Σ its lines = Σ the
 *   entries it settled, and a paid batch's lines are all paid.
 * ledger-properties.test.ts covers the per-conversion rules; this file the money in and out.
 */
const SEED = Number(process.env.DOUBLE_ENTRY_SEED ?? 20261126)
const RUNS = Number(process.env.DOUBLE_ENTRY_RUNS ?? 4)

let owner: pg.Client

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
})

afterAll(async () => {
  await owner?.end()
})

type Op =
  | { kind: 'accrue'; partner: number; amount: number; currency: 'USD' | 'EUR' }
  | { kind: 'clawback'; partner: number; amount: number; currency: 'USD' | 'EUR' }
  | { kind: 'pay' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('accrue' as const),
      partner: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 1, max: 50_000 }),
      currency: fc.constantFrom('USD' as const, 'EUR' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('clawback' as const),
      partner: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 1, max: 30_000 }),
      currency: fc.constantFrom('USD' as const, 'EUR' as const),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'pay' as const }) },
)

interface Run {
  org: BatchOrg
  partners: number[]
}

async function setUpRun(): Promise<Run> {
  const org = await createBatchOrg(owner)
  const partners = []
  for (let i = 0; i < 3; i++) partners.push(await createPartner(owner, org.organizationId, { payoutMethod: 'paypal' }))
  return { org, partners }
}

async function apply(run: Run, op: Op): Promise<void> {
  if (op.kind === 'accrue') {
    await addEntry(owner, run.org.organizationId, run.partners[op.partner]!, op.amount, { currency: op.currency })
    return
  }
  if (op.kind === 'clawback') {
    await addEntry(owner, run.org.organizationId, run.partners[op.partner]!, -op.amount, { currency: op.currency })
    return
  }
  const ops = await run.org.as('ops@demo.test')
  const d = await ops.request('POST', '/api/batches/draft', {})
  if (d.status === 409) {
    expect(d.body.error.code).toBe('nothing_to_pay')
    return
  }
  expect(d.status, JSON.stringify(d.body)).toBe(201)
  const id = d.body.batchId as number
  const steps: [string, string, string][] = [
    ['ops@demo.test', 'POST', `/api/batches/${id}/submit`],
    ['manager@demo.test', 'POST', `/api/batches/${id}/approve`],
    ['finance@demo.test', 'GET', `/api/batches/${id}/export?format=generic-csv&allowPartial=true`],
  ]
  for (const [email, method, path] of steps) {
    const r = await (await run.org.as(email)).request(method, path)
    expect(r.status, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200)
  }
  const paid = await (
    await run.org.as('finance@demo.test')
  ).request('POST', `/api/batches/${id}/mark-paid`, {
    paymentReference: `DE-${id}`,
    paidOn: '2026-03-10',
  })
  expect(paid.status, JSON.stringify(paid.body)).toBe(200)
  expect(paid.body.status).toBe('paid')
}

async function checkBooks(run: Run): Promise<void> {
  const ops = await run.org.as('ops@demo.test')
  for (const p of run.partners) {
    const res = await ops.request('GET', `/api/partners/${p}/balance`)
    expect(res.status).toBe(200)
    const { rows } = await owner.query<{ currency: string; commissions: string; clawbacks: string; paid: string }>(
      `select cur.currency,
              coalesce((select sum(amount_minor) from commissions where partner_id = $1 and currency = cur.currency and amount_minor > 0), 0)::text as commissions,
              coalesce((select -sum(amount_minor) from commissions where partner_id = $1 and currency = cur.currency and amount_minor < 0), 0)::text as clawbacks,
              coalesce((select sum(amount_minor) from batch_lines where partner_id = $1 and currency = cur.currency and status = 'paid'), 0)::text as paid
         from (select distinct currency from commissions where partner_id = $1) cur order by 1`,
      [p],
    )
    const balances = res.body.balances as { currency: string; byStatus: Record<string, string>; totalMinor: string }[]
    expect(balances.map((b) => b.currency).sort()).toEqual(rows.map((r) => r.currency))
    for (const r of rows) {
      const b = balances.find((x) => x.currency === r.currency)!
      const payable = BigInt(b.totalMinor) - BigInt(b.byStatus.paid ?? '0')
      expect(payable, `partner ${p} ${r.currency}: payable = commissions − clawbacks − paid`).toBe(
        BigInt(r.commissions) - BigInt(r.clawbacks) - BigInt(r.paid),
      )
    }
  }
  const { rows: batches } = await owner.query(
    `select b.id, b.status, t->>'currency' as currency, t->>'totalMinor' as total,
            (select coalesce(sum(l.amount_minor), 0)::text from batch_lines l where l.batch_id = b.id and l.currency = t->>'currency') as lines,
            (select coalesce(sum(m.amount_minor), 0)::text from commissions m where m.batch_id = b.id and m.currency = t->>'currency') as entries,
            (select count(*)::int from batch_lines l where l.batch_id = b.id and l.status <> 'paid') as open_lines
       from batches b, jsonb_array_elements(b.totals) t where b.organization_id = $1`,
    [run.org.organizationId],
  )
  for (const b of batches) {
    expect({ lines: b.lines, entries: b.entries }, `batch ${b.id} ${b.currency}`).toEqual({ lines: b.total, entries: b.total })
    if (b.status === 'paid') expect(b.open_lines, `batch ${b.id}`).toBe(0)
  }
}

test('random accruals, clawbacks and pay rounds keep payable = commissions − clawbacks − paid, and every payment balances', async () => {
  let steps = 0
  let payRounds = 0
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 8 }), async (ops) => {
      const run = await setUpRun()
      for (const op of ops) {
        await apply(run, op)
        await checkBooks(run)
        steps++
        if (op.kind === 'pay') payRounds++
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  )
  expect(payRounds).toBeGreaterThan(0)
  console.log(`double entry: ${RUNS} runs, ${steps} steps (${payRounds} pay rounds), books balanced after every step (seed ${SEED})`)
})
