import { describe, expect, test } from 'vitest'

import { attribute } from './attribution'

const partners = new Map([
  ['JANE10', 'p1'],
  ['JANE', 'p1'], // an alias of the same partner
  ['BOB', 'p2'],
])

describe('attribute', () => {
  test.each([
    ['known code', 'JANE10', 'p1'],
    ['alias of the same partner', 'JANE', 'p1'],
    ['another partner', 'BOB', 'p2'],
    ['unknown code', 'NOBODY', null],
    ['lookup is exact: canonicalize first', 'jane10', null],
    ['empty code', '', null],
  ])('%s', (_name, code, partnerId) => {
    const { attributed, unattributed } = attribute([{ code, orderId: 'o1' }], partners)
    if (partnerId === null) {
      expect(attributed).toEqual([])
      expect(unattributed).toEqual([{ row: { code, orderId: 'o1' }, index: 0, reason: 'unknown_code' }])
    } else {
      expect(unattributed).toEqual([])
      expect(attributed).toEqual([{ row: { code, orderId: 'o1' }, index: 0, partnerId }])
    }
  })

  test('every row lands in exactly one list, keeping its index', () => {
    const rows = ['BOB', 'X', 'JANE', 'Y', 'BOB'].map((code, i) => ({ code, orderId: `o${i}` }))
    const { attributed, unattributed } = attribute(rows, partners)
    expect(attributed.map((a) => [a.index, a.partnerId])).toEqual([
      [0, 'p2'],
      [2, 'p1'],
      [4, 'p2'],
    ])
    expect(unattributed.map((u) => u.index)).toEqual([1, 3])
  })

  test('no rows, no partners', () => {
    expect(attribute([], new Map())).toEqual({ attributed: [], unattributed: [] })
    expect(attribute([{ code: 'A' }], new Map()).unattributed).toHaveLength(1)
  })
})
