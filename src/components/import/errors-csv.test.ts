import { expect, test } from 'vitest'

import { errorsCsv } from './errors-csv'

test('the errors CSV names row, column and value, with formulas neutralised', () => {
  const csv = errorsCsv(
    [
      { row: 7, column: 'Amount', value: '=SUM(A1)', code: 'amount_invalid', message: 'Row 7, column "Amount": bad' },
      { row: 9, column: null, value: null, code: 'wrong_field_count', message: 'Row 9 has 2 values' },
    ],
    3,
  )
  expect(csv.split('\r\n')).toEqual([
    '\uFEFFrow,column,value,message,code',
    `7,Amount,'=SUM(A1),"Row 7, column ""Amount"": bad",amount_invalid`,
    '9,,,Row 9 has 2 values,wrong_field_count',
    ',,,1 more errors are not listed.,',
    '',
  ])
})
