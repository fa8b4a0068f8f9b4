import { readFileSync } from 'node:fs'
import path from 'node:path'

import fc from 'fast-check'
import { describe, expect, it, test } from 'vitest'

import { decodeStream, decodeWindows1252, scanUtf8, StreamingDecoder, type DecodeInfo } from './decode'
import { CsvFileError } from './errors'
import { bytes, chunked } from './test-helpers'

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/imports')

async function decodeAll(input: Uint8Array, size: number, sniffBytes = 64 * 1024): Promise<{ text: string; info: DecodeInfo | null }> {
  let text = ''
  let info: DecodeInfo | null = null
  for await (const t of decodeStream(chunked(input, size), { sniffBytes }, (i) => (info = i))) text += t
  return { text, info }
}

async function decodeError(input: Uint8Array, size: number, sniffBytes = 64 * 1024): Promise<{ text: string; error: CsvFileError }> {
  let text = ''
  try {
    for await (const t of decodeStream(chunked(input, size), { sniffBytes })) text += t
  } catch (e) {
    if (e instanceof CsvFileError) return { text, error: e }
    throw e
  }
  throw new Error('expected a CsvFileError')
}

describe('UTF-8', () => {
  test.each([1, 2, 3, 64])('splits multi-byte characters across %i-byte chunks', async (size) => {
    const text = 'name,note\nZoë,€ 5 — 😀 ok\n'
    const r = await decodeAll(bytes(text), size, 4)
    expect(r.text).toBe(text)
    expect(r.info).toEqual({ encoding: 'utf-8', bom: false, decidedAtByte: 12 })
  })

  it('strips a BOM', async () => {
    const r = await decodeAll(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('a,b\n')]), 1, 2)
    expect(r.text).toBe('a,b\n')
    expect(r.info?.bom).toBe(true)
  })

  it('keeps a U+FEFF that is not at the start', async () => {
    const r = await decodeAll(bytes('a\uFEFFb'), 1, 1)
    expect(r.text).toBe('a\uFEFFb')
  })

  it('pure ASCII reports utf-8 with no decision point', async () => {
    expect((await decodeAll(bytes('a,b\n1,2\n'), 3)).info).toEqual({ encoding: 'utf-8', bom: false, decidedAtByte: null })
  })
})

describe('Windows-1252', () => {
  it('decodes the fixture with é and €, reporting the encoding', async () => {
    const input = new Uint8Array(readFileSync(path.join(FIXTURES, 'partners-win1252.csv')))
    for (const size of [1, 7, 4096]) {
      const r = await decodeAll(input, size, 8)
      expect(r.text).toContain('René Café')
      expect(r.text).toContain('€5.00')
      expect(r.text).toContain('Jürgen “JJ”')
      expect(r.info?.encoding).toBe('windows-1252')
      expect(r.text).not.toMatch(/Ã|â‚¬|\uFFFD/)
    }
  })

  it('switches after a long ASCII prefix without mojibake', async () => {
    const input = new Uint8Array([...bytes('x,y\n'.repeat(5000)), 0x43, 0x61, 0x66, 0xe9, 0x0a])
    const r = await decodeAll(input, 1000, 1024)
    expect(r.text.endsWith('Café\n')).toBe(true)
    expect(r.info).toEqual({ encoding: 'windows-1252', bom: false, decidedAtByte: 20003 })
  })

  it('a lone 0xE9 as the last byte is Windows-1252, not a truncated character', async () => {
    const r = await decodeAll(new Uint8Array([0x61, 0x2c, 0xe9]), 1, 1)
    expect(r.text).toBe('a,é')
  })

  it('has the full 0x80-0x9F table', () => {
    const defined = [
      0x80, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8e, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
      0x9a, 0x9b, 0x9c, 0x9e, 0x9f,
    ]
    expect(decodeWindows1252(new Uint8Array(defined))).toBe('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')
    expect(decodeWindows1252(new Uint8Array([0xe9, 0xa0, 0xff, 0x41]))).toBe('é\u00a0ÿA')
  })

  it('refuses bytes Windows-1252 leaves undefined', async () => {
    const { error } = await decodeError(new Uint8Array([...bytes('a,b\n'), 0xe9, 0x81, 0x0a]), 3, 2)
    expect(error.code).toBe('invalid_encoding')
    expect(error.message).toContain('neither UTF-8 nor Windows-1252')
  })
})

describe('refusals name the byte and the line', () => {
  it('an invalid byte after committing to UTF-8', async () => {
    const input = new Uint8Array([...bytes('name\nZoë\nok\n'), 0x52, 0xe9, 0x0a])
    const { text, error } = await decodeError(input, 2, 2)
    expect(error.code).toBe('invalid_encoding')
    expect(error.details).toEqual({ byteOffset: 14, line: 4 })
    expect(error.message).toContain('byte 14 (line 4): byte 0xE9')
    expect(error.message).toContain('mixes encodings')
    expect(text).toBe('name\nZoë\nok\nR') // everything before the bad byte, nothing after
  })

  it('the mixed-encoding fixture', async () => {
    const input = new Uint8Array(readFileSync(path.join(FIXTURES, 'mixed-encoding.csv')))
    const { error } = await decodeError(input, 64)
    expect(error.code).toBe('invalid_encoding')
    expect(error.details.line).toBe(4)
  })

  it('a truncated character at end of a UTF-8 file', async () => {
    const { error } = await decodeError(new Uint8Array([...bytes('Zoë,'), 0xe2, 0x82]), 1, 1)
    expect(error.message).toContain('cut off')
  })

  test.each([
    ['xlsx (zip)', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], 'Excel workbook'],
    ['old xls', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1], '.xls'],
    ['pdf', [...bytes('%PDF-1.7\n')], 'PDF'],
    ['NULs', [0x61, 0x00, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67], 'NUL'],
    ['UTF-16 without BOM', [...bytes('a,b\n1,2\n')].flatMap((b) => [b, 0]), 'UTF-16'],
    ['control bytes', Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)), 'not look like a text file'],
  ])('binary: %s', async (_name, input, words) => {
    const { error } = await decodeError(new Uint8Array(input), 4096)
    expect(error.code).toBe('binary_file')
    expect(error.message).toContain(words)
  })

  it('a NUL after the sniffed part', async () => {
    const { error } = await decodeError(new Uint8Array([...bytes('a,b\n1,2\n'), 0x00]), 4, 4)
    expect(error).toMatchObject({ code: 'binary_file', details: { byteOffset: 8, line: 3 } })
  })

  it('a file over maxBytes', () => {
    const d = new StreamingDecoder({ maxBytes: 10 })
    expect(d.push(bytes('a,b\n1,2\n')).error).toBeNull()
    expect(d.push(bytes('3,4\n')).error?.code).toBe('file_too_large')
  })
})

describe('UTF-16 with BOM (Excel "Unicode text")', () => {
  test.each([
    ['utf-16le', [0xff, 0xfe]],
    ['utf-16be', [0xfe, 0xff]],
  ])('%s', async (encoding, bom) => {
    const text = 'a\tb\nZoë\t€\n'
    const units = [...text].flatMap((ch) => {
      const c = ch.charCodeAt(0)
      return encoding === 'utf-16le' ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff]
    })
    const r = await decodeAll(new Uint8Array([...bom, ...units]), 3, 4)
    expect(r.text).toBe(text)
    expect(r.info?.encoding).toBe(encoding)
  })
})

describe('scanUtf8 agrees with TextDecoder', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const scan = scanUtf8(b)
        let valid = true
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(b)
        } catch {
          valid = false
        }
        expect(scan.invalidAt === -1 && scan.completeEnd === b.length).toBe(valid)
      }),
      { numRuns: 2000 },
    )
  })

  it('on valid text cut anywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), (s, cut) => {
        const b = bytes(s)
        const at = b.length === 0 ? 0 : cut % (b.length + 1)
        const scan = scanUtf8(b.subarray(0, at))
        expect(scan.invalidAt).toBe(-1)
        expect(at - scan.completeEnd).toBeLessThan(4)
      }),
    )
  })
})
