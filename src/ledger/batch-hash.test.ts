import { describe, expect, test } from 'vitest'
import { batchContentHash, canonicalBatchContent, type HashableBatch } from './batch-hash'

const base: HashableBatch = {
  batchId: 'b1',
  lines: [
    { partnerId: 'p1', currency: 'USD', amountMinor: 11800n, entryIds: ['e2', 'e1'], payee: { method: 'paypal', email: 'a@x.io' } },
    {
      partnerId: 'p2',
      currency: 'EUR',
      amountMinor: 500n,
      entryIds: ['e3'],
      payee: { method: 'sepa', holderName: 'B', iban: 'DE89370400440532013000', bic: null },
    },
  ],
}

const first = base.lines[0]!
const second = base.lines[1]!

describe('batchContentHash', () => {
  test('is a hex SHA-256 and deterministic', () => {
    expect(batchContentHash(base)).toMatch(/^[0-9a-f]{64}$/)
    expect(batchContentHash(base)).toBe(batchContentHash(base))
  })

  test('ignores line order and entry id order', () => {
    const shuffled: HashableBatch = { batchId: 'b1', lines: [second, { ...first, entryIds: ['e1', 'e2'] }] }
    expect(batchContentHash(shuffled)).toBe(batchContentHash(base))
  })

  test.each<[string, HashableBatch]>([
    ['amount +1 minor unit', { ...base, lines: [{ ...first, amountMinor: 11801n }, second] }],
    ['currency', { ...base, lines: [{ ...first, currency: 'CAD' }, second] }],
    ['partner', { ...base, lines: [{ ...first, partnerId: 'p9' }, second] }],
    ['an extra entry', { ...base, lines: [{ ...first, entryIds: ['e1', 'e2', 'e4'] }, second] }],
    ['a dropped line', { ...base, lines: [first] }],
    ['the payee email', { ...base, lines: [{ ...first, payee: { method: 'paypal', email: 'evil@x.io' } }, second] }],
    [
      'the IBAN',
      {
        ...base,
        lines: [first, { ...second, payee: { method: 'sepa', holderName: 'B', iban: 'FR7630006000011234567890189', bic: null } }],
      },
    ],
    [
      'a BIC added',
      {
        ...base,
        lines: [first, { ...second, payee: { method: 'sepa', holderName: 'B', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' } }],
      },
    ],
    ['the batch id', { ...base, batchId: 'b2' }],
  ])('changes when %s changes', (_name, changed) => {
    expect(batchContentHash(changed)).not.toBe(batchContentHash(base))
  })

  test('ids containing separators cannot collide by concatenation', () => {
    const a: HashableBatch = { batchId: 'b', lines: [{ ...first, entryIds: ['e1,e2'] }] }
    const b: HashableBatch = { batchId: 'b', lines: [{ ...first, entryIds: ['e1', 'e2'] }] }
    expect(batchContentHash(a)).not.toBe(batchContentHash(b))
  })

  test('canonical form is stable (changing it invalidates stored approvals)', () => {
    expect(canonicalBatchContent({ batchId: 'b', lines: [first] })).toBe(
      '{"batchId":"b","version":"partner-ledger/batch/v1"}\n' +
        '{"amountMinor":"11800","currency":"USD","entryIds":["e1","e2"],"partnerId":"p1","payee":{"email":"a@x.io","method":"paypal"}}',
    )
  })
})
