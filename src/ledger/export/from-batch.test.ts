import { describe, expect, test } from 'vitest'
import { draftBatch } from '../batch'
import { toExportBatch } from './from-batch'
import { renderExport } from './index'

describe('toExportBatch', () => {
  const draft = draftBatch({
    asOf: '2026-03-01T00:00:00Z',
    entries: [
      {
        id: 'e1',
        partnerId: 'p1',
        currency: 'USD',
        amountMinor: 11800n,
        eligibleAt: '2026-02-01T00:00:00Z',
        held: false,
        batchId: null,
        status: 'eligible',
      },
      {
        id: 'e2',
        partnerId: 'p2',
        currency: 'USD',
        amountMinor: 4000n,
        eligibleAt: '2026-02-01T00:00:00Z',
        held: false,
        batchId: null,
        status: 'eligible',
      },
    ],
    partners: [
      { id: 'p1', name: 'Jane', email: 'jane@x.io', active: true, payoutMethod: 'paypal', payoutDetails: { email: 'jane@pp.io' } },
      { id: 'p2', name: 'Ann', email: null, active: true, payoutMethod: 'paypal', payoutDetails: { email: 'ann@pp.io' } },
    ],
  })

  test('draft lines become export lines with stable references', () => {
    const b = toExportBatch({
      batchId: 'b',
      batchNumber: 17,
      reference: 'B-17',
      approvedAt: new Date('2026-03-02T00:00:00Z'),
      lines: draft.lines,
    })
    if ('ok' in b) throw new Error(b.code)
    expect(b.lines.map((l) => [l.reference, l.partnerName, l.amountMinor, l.memo])).toEqual([
      ['PO-000017-00001', 'Ann', 4000n, 'Partner commissions B-17'],
      ['PO-000017-00002', 'Jane', 11800n, 'Partner commissions B-17'],
    ])
    const r = renderExport('paypal-payouts', b, {})
    expect(r.ok && r.files[0]!.totalMinor).toBe(draft.totals[0]!.totalMinor)
  })

  test('a batch number too large for a 15-character reference is refused', () => {
    expect(
      toExportBatch({ batchId: 'b', batchNumber: 1_000_000, reference: 'B', approvedAt: new Date(0), lines: draft.lines }),
    ).toMatchObject({
      ok: false,
      code: 'invalid_reference',
    })
  })
})
