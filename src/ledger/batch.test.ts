import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { draftBatch, sortIds, type BatchEntry, type BatchPartner } from './batch'

const ASOF = '2026-03-01T00:00:00Z'
const BEFORE = '2026-02-01T00:00:00Z'
const AFTER = '2026-03-15T00:00:00Z'

const paypal = (id: string, name = id, extra: Partial<BatchPartner> = {}): BatchPartner => ({
  id,
  name,
  email: `${id}@example.com`,
  active: true,
  payoutMethod: 'paypal',
  payoutDetails: { email: `${id}@example.com` },
  ...extra,
})

let seq = 0
const entry = (partnerId: string, amountMinor: bigint, extra: Partial<BatchEntry> = {}): BatchEntry => ({
  id: `e${++seq}`,
  partnerId,
  currency: 'USD',
  amountMinor,
  eligibleAt: BEFORE,
  held: false,
  batchId: null,
  status: 'eligible',
  ...extra,
})

describe('draftBatch selection', () => {
  test.each([
    ['eligible after asOf', { eligibleAt: AFTER }],
    ['held', { held: true }],
    ['already batched', { batchId: 'b1' }],
    ['status held (disagrees with flag)', { status: 'held' }],
    ['status paid', { status: 'paid' }],
    ['status in_batch without a batch id', { status: 'in_batch' }],
  ])('leaves out an entry that is %s', (_name, extra) => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 500n, extra)], partners: [paypal('p1')] })
    expect(d.selectedEntryIds).toEqual([])
    expect(d.lines).toEqual([])
  })

  test('a stale "pending" status does not hide an entry whose eligibleAt has passed', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 500n, { status: 'pending' })], partners: [paypal('p1')] })
    expect(d.lines).toHaveLength(1)
  })

  test('eligibleAt equal to asOf is eligible (<=)', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 500n, { eligibleAt: new Date(ASOF) })], partners: [paypal('p1')] })
    expect(d.lines).toHaveLength(1)
  })

  test('entries of inactive partners are not selected', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 500n)], partners: [paypal('p1', 'P', { active: false })] })
    expect(d.selectedEntryIds).toEqual([])
  })

  test('an entry whose partner was not loaded is a bug, not a skip', () => {
    expect(() => draftBatch({ asOf: ASOF, entries: [entry('ghost', 1n)], partners: [] })).toThrow(/not loaded/)
  })

  test('the same entry given twice is a bug', () => {
    const e = entry('p1', 1n)
    expect(() => draftBatch({ asOf: ASOF, entries: [e, e], partners: [paypal('p1')] })).toThrow(/twice/)
  })
})

describe('draftBatch netting and sorting', () => {
  test('nets positive and negative entries per partner and currency', () => {
    const es = [entry('p1', 1000n), entry('p1', -250n), entry('p1', 300n, { currency: 'EUR' }), entry('p2', 999n)]
    const d = draftBatch({ asOf: ASOF, entries: es, partners: [paypal('p1', 'Bob'), paypal('p2', 'Alice')] })
    expect(d.lines.map((l) => [l.lineNo, l.partnerName, l.currency, l.amountMinor])).toEqual([
      [1, 'Bob', 'EUR', 300n],
      [2, 'Alice', 'USD', 999n],
      [3, 'Bob', 'USD', 750n],
    ])
    expect(d.lines[2]?.entryIds).toEqual([es[0]?.id, es[1]?.id].sort())
    expect(d.totals).toEqual([
      { currency: 'EUR', totalMinor: 300n, lineCount: 1 },
      { currency: 'USD', totalMinor: 1749n, lineCount: 2 },
    ])
    expect(d.lineCount).toBe(3)
  })

  test.each([
    ['net zero', [100n, -100n], {}, 'net_not_positive'],
    ['net negative (clawback larger than earnings)', [100n, -300n], {}, 'net_not_positive'],
    ['below min_payout', [4999n], { minPayoutMinor: 5000n }, 'below_min_payout'],
    ['below per-currency min', [4999n], { minPayoutMinor: 1n, minPayoutMinorByCurrency: { USD: 5000n } }, 'below_min_payout'],
  ] as const)('%s is carried forward', (_name, amounts, settings, reason) => {
    const es = amounts.map((a) => entry('p1', a))
    const d = draftBatch({ asOf: ASOF, entries: es, partners: [paypal('p1')], settings })
    expect(d.lines).toEqual([])
    expect(d.carried).toEqual([
      { partnerId: 'p1', currency: 'USD', netMinor: amounts.reduce((a, b) => a + b, 0n), entryIds: es.map((e) => e.id).sort(), reason },
    ])
  })

  test('exactly min_payout is paid', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 5000n)], partners: [paypal('p1')], settings: { minPayoutMinor: 5000n } })
    expect(d.lines).toHaveLength(1)
  })

  test('unknown currency is carried, not guessed', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', 5n, { currency: 'XYZ' })], partners: [paypal('p1')] })
    expect(d.carried[0]?.reason).toBe('unknown_currency')
  })
})

describe('draftBatch blocked partners', () => {
  test.each([
    ['no method', { payoutMethod: null, payoutDetails: null }, 'USD', 'no_payout_method'],
    ['paypal without email', { payoutDetails: {} }, 'USD', 'missing_email'],
    [
      'bad routing number',
      { payoutMethod: 'ach', payoutDetails: { routingNumber: '123456789', accountNumber: '1' } },
      'USD',
      'invalid_routing_number',
    ],
    [
      'ACH for a EUR line',
      { payoutMethod: 'ach', payoutDetails: { routingNumber: '987654320', accountNumber: '1' } },
      'EUR',
      'method_currency_mismatch',
    ],
  ] as const)('%s', (_name, partnerPatch, currency, reason) => {
    const e = entry('p1', 700n, { currency })
    const d = draftBatch({ asOf: ASOF, entries: [e], partners: [paypal('p1', 'Pat', partnerPatch)] })
    expect(d.lines).toEqual([])
    expect(d.blocked).toEqual([{ partnerId: 'p1', partnerName: 'Pat', currency, netMinor: 700n, entryIds: [e.id], reason }])
  })

  test('a partner without details but nothing to pay is carried, not blocked', () => {
    const d = draftBatch({ asOf: ASOF, entries: [entry('p1', -5n)], partners: [paypal('p1', 'P', { payoutMethod: null })] })
    expect(d.blocked).toEqual([])
    expect(d.carried).toHaveLength(1)
  })
})

describe('draftBatch invariants (property)', () => {
  const partnerIds = ['p1', 'p2', 'p3', 'p4']
  const partnersArb = fc
    .tuple(...partnerIds.map(() => fc.record({ active: fc.boolean(), method: fc.constantFrom('paypal', null, 'ach') })))
    .map((specs) =>
      specs.map((s, i): BatchPartner => {
        const id = partnerIds[i] as string
        return s.method === 'ach'
          ? { ...paypal(id), active: s.active, payoutMethod: 'ach', payoutDetails: { routingNumber: '987654320', accountNumber: '42' } }
          : { ...paypal(id), active: s.active, payoutMethod: s.method }
      }),
    )
  const entriesArb = fc.array(
    fc.record({
      partnerId: fc.constantFrom(...partnerIds),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      amountMinor: fc.bigInt({ min: -100_000n, max: 100_000n }),
      eligible: fc.boolean(),
      held: fc.boolean(),
      batched: fc.boolean(),
    }),
    { maxLength: 60 },
  )

  test('lines + carried + blocked = selected entries; no entry twice', () => {
    fc.assert(
      fc.property(partnersArb, entriesArb, fc.bigInt({ min: 0n, max: 50_000n }), (partners, specs, minPayoutMinor) => {
        const entries = specs.map((s, i): BatchEntry => ({
          id: `e${i}`,
          partnerId: s.partnerId,
          currency: s.currency,
          amountMinor: s.amountMinor,
          eligibleAt: s.eligible ? BEFORE : AFTER,
          held: s.held,
          batchId: s.batched ? 'old' : null,
          status: 'eligible',
        }))
        const d = draftBatch({ asOf: ASOF, entries, partners, settings: { minPayoutMinor } })
        const active = new Set(partners.filter((p) => p.active).map((p) => p.id))
        const selected = entries.filter((e) => e.eligibleAt === BEFORE && !e.held && e.batchId === null && active.has(e.partnerId))

        const ids = [...d.lines, ...d.carried, ...d.blocked].flatMap((l) => l.entryIds)
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort()).toEqual(selected.map((e) => e.id).sort())

        const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n)
        const accounted = sum([
          ...d.lines.map((l) => l.amountMinor),
          ...d.carried.map((c) => c.netMinor),
          ...d.blocked.map((b) => b.netMinor),
        ])
        expect(accounted).toBe(sum(selected.map((e) => e.amountMinor)))

        for (const l of d.lines) expect(l.amountMinor > 0n && l.amountMinor >= minPayoutMinor).toBe(true)
        expect(sum(d.totals.map((t) => t.totalMinor))).toBe(sum(d.lines.map((l) => l.amountMinor)))
        expect(d.lines.map((l) => l.lineNo)).toEqual(d.lines.map((_l, i) => i + 1))
      }),
      { seed: 20260302, numRuns: 300 },
    )
  })
})

describe('sortIds', () => {
  test('orders exactly as the built-in sort (UTF-16 code units), short and long lists', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-composite' }), { maxLength: 150 }), (ids) => {
        expect(sortIds([...ids])).toEqual([...ids].sort())
      }),
      { seed: 7, numRuns: 500 },
    )
    expect(sortIds(['a10', 'a9', 'a100', 'b', 'A', 'a10'])).toEqual(['A', 'a10', 'a10', 'a100', 'a9', 'b'])
  })

  test('an entry given twice among others of its partner is still caught', () => {
    const e = (id: string): BatchEntry => ({
      id,
      partnerId: 'p1',
      currency: 'USD',
      amountMinor: 100n,
      eligibleAt: BEFORE,
      held: false,
      batchId: null,
      status: 'eligible',
    })
    const entries = ['7', '3', '12', '5', '3'].map(e)
    expect(() => draftBatch({ asOf: ASOF, entries, partners: [paypal('p1')] })).toThrow(/entry 3 given twice/)
  })
})
