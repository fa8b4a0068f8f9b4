import { describe, expect, test } from 'vitest'

import { classifyBatch, dedupeKey, differingFacts, findOrdersOnMultipleCodes, orderKey, type DedupeRow } from './dedupe'

const row = (code: string, orderId: string, organizationId = 'org1'): DedupeRow => ({ organizationId, code, orderId })

describe('dedupeKey', () => {
  test.each([
    ['order id is trimmed', dedupeKey('o', 'A', ' 1001 '), dedupeKey('o', 'A', '1001'), true],
    ['inner spaces matter', dedupeKey('o', 'A', '10 01'), dedupeKey('o', 'A', '1001'), false],
    ['order id is case-sensitive', dedupeKey('o', 'A', 'ab1'), dedupeKey('o', 'A', 'AB1'), false],
    ['code is part of the key', dedupeKey('o', 'A', '1'), dedupeKey('o', 'B', '1'), false],
    ['organization is part of the key', dedupeKey('o1', 'A', '1'), dedupeKey('o2', 'A', '1'), false],
    ['separators cannot collide', dedupeKey('o', 'A|B', 'C'), dedupeKey('o', 'A', 'B|C'), false],
  ])('%s', (_name, a, b, same) => {
    expect(a === b).toBe(same)
  })
})

describe('classifyBatch', () => {
  test.each([
    ['all new', [row('A', '1'), row('A', '2'), row('B', '1')], [], ['new', 'new', 'new']],
    ['same key twice in the file', [row('A', '1'), row('A', '1')], [], ['new', 'duplicate_in_file:0']],
    ['trimmed order ids collide', [row('A', '1'), row('B', '9'), row('A', ' 1\t')], [], ['new', 'new', 'duplicate_in_file:0']],
    [
      'three copies point at the first',
      [row('A', '1'), row('A', '1'), row('A', '1')],
      [],
      ['new', 'duplicate_in_file:0', 'duplicate_in_file:0'],
    ],
    ['already stored', [row('A', '1')], [dedupeKey('org1', 'A', '1')], ['duplicate_existing']],
    [
      'stored wins over in-file',
      [row('A', '1'), row('A', '1')],
      [dedupeKey('org1', 'A', '1')],
      ['duplicate_existing', 'duplicate_existing'],
    ],
    ['stored in another organization', [row('A', '1', 'org2')], [dedupeKey('org1', 'A', '1')], ['new']],
    ['same order, other code: not a duplicate', [row('A', '1'), row('B', '1')], [], ['new', 'new']],
    ['blank order ids never dedupe', [row('A', ''), row('A', '  ')], [], ['missing_order_id', 'missing_order_id']],
    ['empty batch', [], [], []],
  ])('%s', (_name, rows, existing, expected) => {
    const got = classifyBatch(rows, new Set(existing)).map((c) => (c.kind === 'duplicate_in_file' ? `${c.kind}:${c.firstIndex}` : c.kind))
    expect(got).toEqual(expected)
  })

  test('new rows carry the key the unique index will see', () => {
    expect(classifyBatch([row('A', ' 7 ')], new Set())).toEqual([{ kind: 'new', key: dedupeKey('org1', 'A', '7') }])
  })
})

describe('findOrdersOnMultipleCodes', () => {
  test.each([
    ['one code per order', [row('A', '1'), row('B', '2')], {}, []],
    ['duplicate row is not a second code', [row('A', '1'), row('A', '1')], {}, []],
    [
      'two codes in the file',
      [row('A', '1'), row('B', ' 1 ')],
      {},
      [{ orderId: '1', codes: ['A', 'B'], rowIndexes: [0, 1], existingCodes: [] }],
    ],
    [
      'second code vs stored',
      [row('B', '1')],
      { '1': ['A'] },
      [{ orderId: '1', codes: ['A', 'B'], rowIndexes: [0], existingCodes: ['A'] }],
    ],
    ['same code as stored', [row('A', '1')], { '1': ['A'] }, []],
    [
      'three codes',
      [row('C', '1'), row('A', '1')],
      { '1': ['B', 'A'] },
      [{ orderId: '1', codes: ['A', 'B', 'C'], rowIndexes: [0, 1], existingCodes: ['A', 'B'] }],
    ],
    ['other organizations do not mix', [row('A', '1', 'org1'), row('B', '1', 'org2')], {}, []],
    ['blank order ids are skipped', [row('A', ''), row('B', '')], {}, []],
  ])('%s', (_name, rows, existing, expected) => {
    const map = new Map(Object.entries(existing).map(([orderId, codes]) => [orderKey('org1', orderId), codes]))
    expect(findOrdersOnMultipleCodes(rows, map)).toEqual(expected.map((e) => ({ organizationId: 'org1', ...e })))
  })
})

describe('differingFacts', () => {
  const stored = { valueMinor: 1250n, currency: 'USD', occurredAt: new Date('2026-03-01T10:00:00.000Z') }
  test('the same facts, the instant given as a string in another zone, differ in nothing', () => {
    expect(differingFacts(stored, { valueMinor: 1250n, currency: 'USD', occurredAt: '2026-03-01T11:00:00+01:00' })).toEqual([])
  })
  test('names each fact that differs, in a fixed order', () => {
    expect(differingFacts(stored, { valueMinor: 1251n, currency: 'EUR', occurredAt: '2026-03-01T10:00:00.001Z' })).toEqual([
      'valueMinor',
      'currency',
      'occurredAt',
    ])
    expect(differingFacts(stored, { ...stored, valueMinor: -1250n })).toEqual(['valueMinor'])
  })
})
