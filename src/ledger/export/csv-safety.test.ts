import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, test } from 'vitest'
import { amount, CsvCellError, formatCell, id, neutraliseCell, plain, text, writeCsv, type Cell } from './csv-safety'

describe('neutraliseCell', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+49 30 1234', "'+49 30 1234"],
    ['-Acme', "'-Acme"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ['\0x', "'\0x"],
    ['Acme = good', 'Acme = good'],
    [' =1+1', ' =1+1'],
    ['', ''],
    ["'already", "'already"],
  ])('%j -> %j', (input, output) => {
    expect(neutraliseCell(input)).toBe(output)
  })
})

describe('formatCell', () => {
  test.each<[Cell, string]>([
    [text('plain'), 'plain'],
    [text('a,b'), '"a,b"'],
    [text('say "hi"'), '"say ""hi"""'],
    [text('two\nlines'), '"two\nlines"'],
    [text('cr\rin'), '"cr\rin"'],
    [text('=cmd|"/C calc"!A0'), `"'=cmd|""/C calc""!A0"`],
    [text('-2+3,"x"'), `"'-2+3,""x"""`],
    // amounts stay numeric: a negative amount is not prefixed or quoted
    [amount('-125.50'), '-125.50'],
    [amount('12000'), '12000'],
    [amount('0.001'), '0.001'],
    // ids are always quoted strings; leading zeros are kept in the file
    [id('00012345678901234'), '"00012345678901234"'],
    [id('021000021'), '"021000021"'],
    [id(''), '""'],
    [plain('2026-03-02'), '2026-03-02'],
    [plain('03/02/2026'), '03/02/2026'],
  ])('%o -> %s', (cell, out) => {
    expect(formatCell(cell)).toBe(out)
  })

  test('a decimal comma is quoted in a comma-delimited file and bare with ;', () => {
    expect(formatCell(amount('12,50'), { decimalSeparator: ',' })).toBe('"12,50"')
    expect(formatCell(amount('12,50'), { decimalSeparator: ',', delimiter: ';' })).toBe('12,50')
  })

  test.each([['1,234.56'], ['$12.00'], ['12.'], ['=1+1'], ['1e5'], [' 12.00'], ['12.00000']])(
    'a malformed amount %j is a bug and aborts the file',
    (value) => {
      expect(() => formatCell(amount(value))).toThrow(CsvCellError)
    },
  )

  test('plain cells refuse control characters and triggers', () => {
    expect(() => formatCell(plain('a\nb'))).toThrow(CsvCellError)
    expect(() => formatCell(plain('-x'))).toThrow(CsvCellError)
  })

  test('the ="..." trick is never produced (it is itself a formula)', () => {
    expect(formatCell(id('="0123"'))).toBe(`"'=""0123"""`)
  })
})

describe('writeCsv', () => {
  test('CRLF by default, LF on request, BOM optional, header optional', () => {
    expect(writeCsv(['a', 'b'], [[text('1'), amount('2.00')]])).toBe('a,b\r\n1,2.00\r\n')
    expect(writeCsv(null, [[text('1'), amount('2.00')]], { lineEnding: '\n' })).toBe('1,2.00\n')
    expect(writeCsv(['a'], [], { bom: true })).toBe('\uFEFFa\r\n')
  })

  test('rows must have the header width', () => {
    expect(() => writeCsv(['a', 'b'], [[text('1')]])).toThrow(CsvCellError)
  })

  test('user-supplied headers are neutralised too', () => {
    expect(writeCsv(['=HYPERLINK("x")'], [])).toBe(`"'=HYPERLINK(""x"")"\r\n`)
  })
})

describe('round trip through papaparse (fuzz, checklist 24)', () => {
  const tricky = fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\0', ',', ';', '"', "'", ' ', 'a', 'Z', '0', 'é', '山')
  const textArb = fc.oneof(
    fc.string(),
    fc.array(tricky, { maxLength: 12 }).map((cs) => cs.join('')),
  )
  const amountArb = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map((v) => {
    const neg = v < 0n
    const digits = (neg ? -v : v).toString().padStart(3, '0')
    return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`
  })

  test.each([
    [',', '\r\n'],
    [';', '\n'],
    ['\t', '\r\n'],
  ] as const)('delimiter %j, line ending %j: re-parse gives the input back modulo the prefix', (delimiter, lineEnding) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(textArb, amountArb, textArb), { minLength: 1, maxLength: 8 }), (rows) => {
        const csv = writeCsv(
          ['name', 'amount', 'account'],
          rows.map(([t, a, i]) => [text(t), amount(a), id(i)]),
          { delimiter, lineEnding },
        )
        const parsed = Papa.parse<string[]>(csv, { delimiter, newline: lineEnding, skipEmptyLines: false })
        expect(parsed.errors).toEqual([])
        // papaparse yields a trailing empty row for the final line ending
        const data = parsed.data.slice(1, -1)
        expect(data).toHaveLength(rows.length)
        rows.forEach(([t, a, i], n) => {
          const [pt, pa, pi] = data[n] as string[]
          expect(pt).toBe(neutraliseCell(t))
          expect(pt?.startsWith("'") && pt !== t ? pt.slice(1) : pt).toBe(t)
          expect(pa).toBe(a)
          expect(pi).toBe(neutraliseCell(i))
          // nothing a spreadsheet evaluates survives in a text cell
          expect(['=', '+', '-', '@', '\t', '\r', '\0'].includes((pt ?? '')[0] ?? '')).toBe(false)
        })
      }),
      { seed: 424242, numRuns: 400 },
    )
  })
})
