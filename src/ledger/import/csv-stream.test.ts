import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'

import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it, test } from 'vitest'

import { CsvTextParser, type CsvEvent } from './csv-stream'
import { CsvFileError } from './errors'
import { bytes, chunked, collect, rowsOf } from './test-helpers'

const SPECTRUM = path.resolve(import.meta.dirname, '../../../node_modules/csv-spectrum')
const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/imports')
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)))

const spectrumCases = readdirSync(path.join(SPECTRUM, 'csvs'))
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.replace(/\.csv$/, ''))

async function fileError(p: Promise<unknown>): Promise<CsvFileError> {
  try {
    await p
  } catch (e) {
    if (e instanceof CsvFileError) return e
    throw e
  }
  throw new Error('expected a CsvFileError')
}

describe('csv-spectrum', () => {
  it('has the cases we expect', () => {
    expect(spectrumCases.length).toBeGreaterThanOrEqual(11)
  })

  test.each(spectrumCases.flatMap((name) => [1, 3, 7, 1 << 20].map((size) => [name, size] as const)))(
    '%s in %i-byte chunks',
    async (name, size) => {
      const csv = new Uint8Array(readFileSync(path.join(SPECTRUM, 'csvs', `${name}.csv`)))
      const expected = JSON.parse(readFileSync(path.join(SPECTRUM, 'json', `${name}.json`), 'utf8')) as Record<string, string>[]
      const events = await collect(chunked(csv, size), { sniffChars: 8 })
      expect(events.filter((e) => e.type === 'row_error')).toEqual([])
      expect(rowsOf(events)).toEqual(expected)
    },
  )
})

describe('row numbers', () => {
  it('counts the header as row 1 and a record spanning lines as one row', async () => {
    const events = await collect([bytes('a,b\n1,"x\ny"\n\n2,z\n')])
    expect(events.filter((e) => e.type === 'row').map((e) => (e.type === 'row' ? e.rowNumber : 0))).toEqual([2, 4])
    expect(events.at(-1)).toMatchObject({ type: 'end', dataRows: 2, blankRows: 1, lastRowNumber: 4 })
  })

  it('reads an Excel sep= line as the delimiter and counts it as a row', async () => {
    const events = await collect([bytes('sep=;\r\na;b\r\n1,5;2\r\n')])
    expect(events[0]).toMatchObject({ type: 'header', rowNumber: 2, headers: ['a', 'b'], delimiter: ';' })
    expect(events[1]).toMatchObject({ type: 'row', rowNumber: 3, values: { a: '1,5', b: '2' } })
  })
})

describe('delimiters and line endings', () => {
  test.each([
    ['comma LF', 'a,b,c\n1,2,3\n', ',', '\n'],
    ['semicolon CRLF', 'a;b;c\r\n1;2,5;3\r\n', ';', '\r\n'],
    ['tab CR-only', 'a\tb\tc\r1\t2\t3\r', '\t', '\r'],
    ['semicolon with decimal commas', 'code;amount\rA;12,50\rB;1,00\r', ';', '\r'],
    ['quoted delimiters do not count', 'a,b\n"x;y;z",1\n', ',', '\n'],
  ])('%s', async (_name, text, delimiter, newline) => {
    for (const size of [1, 5, 1000]) {
      const events = await collect(chunked(bytes(text), size), { sniffChars: 4 })
      expect(events[0]).toMatchObject({ type: 'header', delimiter, newline })
      expect(events.filter((e) => e.type === 'row_error')).toEqual([])
    }
  })

  it('parses the CR-only fixture', async () => {
    const events = await collect([fixture('conversions-cr-only.csv')])
    expect(rowsOf(events).map((r) => r.order_id)).toEqual(['5001', '5002', '5003'])
  })

  it('keeps quoted newlines as written', async () => {
    const events = await collect(chunked(fixture('conversions-bom-semicolon.csv'), 2))
    const rows = rowsOf(events)
    expect(Object.keys(rows[0] ?? {})[0]).toBe('Code') // BOM stripped from the first header
    expect(rows[1]?.['Customer Name']).toBe('Zoë\r\nSecond line')
    expect(rows[0]?.['Customer Name']).toBe('Müller; Anna')
    expect(rows).toHaveLength(4)
  })

  it('names the delimiter when a row has one value', async () => {
    const events = await collect([fixture('wrong-delimiter.csv')])
    expect(events[0]).toMatchObject({ type: 'header', headers: ['code|order_id|amount|occurred_at'] })
    expect(rowsOf(events)).toEqual([{ 'code|order_id|amount|occurred_at': 'A1|1|10.00|2026-03-02' }])
  })
})

describe('file-level refusals', () => {
  test.each([
    ['empty file', new Uint8Array(0), 'empty_file'],
    ['BOM only', new Uint8Array([0xef, 0xbb, 0xbf]), 'empty_file'],
    ['blank lines only', bytes('\r\n\r\n  \r\n'), 'empty_file'],
    ['xlsx', fixture('binary.xlsx'), 'binary_file'],
    ['NUL bytes', new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02]), 'binary_file'],
    ['duplicate headers', fixture('duplicate-headers.csv'), 'duplicate_headers'],
    ['blank header in the middle', bytes('a,,c\n1,2,3\n'), 'blank_header'],
    ['unclosed quote', bytes('a,b\n1,"never closed\n2,3\n'), 'unterminated_quote'],
  ])('%s', async (_name, input, code) => {
    const e = await fileError(collect([input]))
    expect(e.code).toBe(code)
    expect(e.message.length).toBeGreaterThan(20)
  })

  it('names both duplicate columns', async () => {
    const e = await fileError(collect([fixture('duplicate-headers.csv')]))
    expect(e.message).toContain('"Order ID" (columns B, D)')
  })

  it('names the row of an unclosed quote', async () => {
    const e = await fileError(collect([bytes('a,b\n1,2\n3,"oops\n4,5\n')]))
    expect(e.message).toMatch(/^Row 3, column "b"/)
  })

  it('refuses a file over maxRows while streaming', async () => {
    const e = await fileError(collect([bytes('a\n1\n2\n3\n')], { maxRows: 2 }))
    expect(e.code).toBe('too_many_rows')
  })

  it('names the row of an invalid byte found after committing to UTF-8', async () => {
    const head = 'name,code\n' + 'Zoë,Z1\n' + 'x,y\n'.repeat(10)
    const input = new Uint8Array([...bytes(head), ...bytes('Ren'), 0xe9, ...bytes(',R1\n')])
    const e = await fileError(collect(chunked(input, 16), { decode: { sniffBytes: 16 } }))
    expect(e.code).toBe('invalid_encoding')
    expect(e.details.rowNumber).toBe(13)
    expect(e.message).toMatch(/^Row 13: .*byte 0xE9/)
  })
})

describe('row-level errors leave other rows alone', () => {
  it('reports a wrong field count and continues', async () => {
    const events = await collect([bytes('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n')])
    expect(rowsOf(events)).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '10', b: '11', c: '12' },
    ])
    const errors = events.filter((e) => e.type === 'row_error')
    expect(errors.map((e) => [e.rowNumber, e.code])).toEqual([
      [3, 'wrong_field_count'],
      [4, 'wrong_field_count'],
    ])
    expect(events.at(-1)).toMatchObject({ type: 'end', dataRows: 4, rowErrors: 2 })
  })

  it('tolerates empty trailing cells and unnamed trailing columns, but not values in them', async () => {
    const events = await collect([bytes('a,b,\n1,2,\n3,4\n5,6,,\n7,8,x\n')])
    expect(rowsOf(events)).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
      { a: '5', b: '6' },
    ])
    expect(events.find((e) => e.type === 'row_error')).toMatchObject({
      rowNumber: 5,
      code: 'value_without_header',
      column: 'column C',
      value: 'x',
    })
  })

  it('reports a malformed quote as a row error', async () => {
    const events = await collect([bytes('a,b\n1,"x"y"\n2,3\n')])
    expect(events.some((e) => e.type === 'row_error' && e.code === 'malformed_quotes')).toBe(true)
  })

  it('skips a 10 MB field without holding it, naming the row and column', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const parts = [bytes('code,notes,amount\nA,short,1\nB,"'), ...chunked(bytes(big), 64 * 1024), bytes('",2\nC,ok,3\n')]
    const events = await collect(parts)
    expect(rowsOf(events).map((r) => r.code)).toEqual(['A', 'C'])
    const err = events.find((e) => e.type === 'row_error')
    expect(err).toMatchObject({ rowNumber: 3, code: 'field_too_long', column: 'notes' })
    expect(err?.type === 'row_error' && err.message).toContain('Row 3, column "notes"')
  })

  it('rejects a field over maxFieldChars inside a normal-sized record', async () => {
    const events = await collect([bytes(`a,b\n1,${'y'.repeat(50)}\n2,3\n`)], { maxFieldChars: 10 })
    expect(events.find((e) => e.type === 'row_error')).toMatchObject({ rowNumber: 2, code: 'field_too_long', column: 'b' })
    expect(rowsOf(events)).toEqual([{ a: '2', b: '3' }])
  })
})

describe('header only and formulas', () => {
  it('a header-only file has zero rows and no error', async () => {
    const events = await collect([fixture('header-only.csv')])
    expect(events.map((e) => e.type)).toEqual(['header', 'end'])
  })

  it('keeps formula payloads verbatim (neutralised only on output)', async () => {
    const events = await collect([fixture('conversions-bad-values.csv')])
    expect(rowsOf(events).map((r) => r.code)).toContain('=HYPERLINK("http://evil.example")')
  })

  it('a header called __proto__ is a plain key', async () => {
    const events = await collect([bytes('__proto__,b\n1,2\n')])
    const row = rowsOf(events)[0] as Record<string, string>
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('1')
  })
})

describe('properties', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', ';', '"', '\n', '\r', ' ', 'é', '€', '\t') })

  it('any table written by Papa.unparse reads back the same, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 4 })
          .chain((w) => fc.tuple(fc.constant(w), fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 6 }))),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 9 }),
        async ([width, rows], newline, size) => {
          const headers = Array.from({ length: width }, (_, i) => `h${i}`)
          // Rows whose every cell is blank are read as blank lines by design.
          const data = rows.filter((r) => r.some((c) => c.trim() !== ''))
          const text = Papa.unparse({ fields: headers, data }, { newline, quotes: true })
          const events = await collect(chunked(bytes(text), size), { sniffChars: 3, delimiter: ',' })
          expect(rowsOf(events)).toEqual(data.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]]))))
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('memory stays flat', () => {
  it('streams 1,000,000 rows with bounded heap', async () => {
    const rowsPerChunk = 1000
    const total = 1_000_000
    async function* source(): AsyncGenerator<Uint8Array> {
      yield bytes('code,order_id,amount,occurred_at\n')
      const enc = new TextEncoder()
      for (let start = 0; start < total; start += rowsPerChunk) {
        let s = ''
        for (let i = start; i < start + rowsPerChunk; i++) s += `C${i % 97},${i},${i % 1000}.50,2026-03-02\n`
        yield enc.encode(s)
      }
    }
    let rows = 0
    let peak = 0
    const baseline = process.memoryUsage().heapUsed
    const parser = (await import('./csv-stream')).parseCsvRows(source())
    for await (const e of parser) {
      if (e.type === 'row' && ++rows % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - baseline)
    }
    expect(rows).toBe(total)
    // Holding 1M row objects would take hundreds of MB; streaming stays within young-generation churn.
    expect(peak).toBeLessThan(96 * 1024 * 1024)
  }, 60_000)
})

describe('CsvTextParser directly', () => {
  it('yields nothing until a record is complete', () => {
    const p = new CsvTextParser({ sniffChars: 1 })
    const got: CsvEvent[] = []
    for (const piece of ['a,', 'b\n1', ',"2\n', '3"', '\n']) got.push(...p.push(piece))
    got.push(...p.end())
    expect(rowsOf(got)).toEqual([{ a: '1', b: '2\n3' }])
  })
})
