import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { crc32, zip } from './zip'

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Independent reader: walks the central directory and checks every local header against it. */
function readZip(buf: Buffer): { name: string; content: Buffer }[] {
  const eocd = buf.length - 22
  expect(buf.readUInt32LE(eocd)).toBe(0x06054b50)
  const count = buf.readUInt16LE(eocd + 10)
  const cdSize = buf.readUInt32LE(eocd + 12)
  let p = buf.readUInt32LE(eocd + 16)
  expect(p + cdSize).toBe(eocd)
  const out: { name: string; content: Buffer }[] = []
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50)
    const method = buf.readUInt16LE(p + 10)
    const crc = buf.readUInt32LE(p + 16)
    const csize = buf.readUInt32LE(p + 20)
    const usize = buf.readUInt32LE(p + 24)
    const nlen = buf.readUInt16LE(p + 28)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8')
    expect(buf.readUInt32LE(local)).toBe(0x04034b50)
    expect(buf.readUInt32LE(local + 14)).toBe(crc)
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(dataStart, dataStart + csize)
    const content = method === 8 ? inflateRawSync(data) : Buffer.from(data)
    expect(content.length).toBe(usize)
    expect(crc32(content)).toBe(crc)
    out.push({ name, content })
    p += 46 + nlen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return out
}

const entries = [
  { name: 'B-1_paypal_USD.csv', content: 'a,b\r\n1,2\r\n' },
  { name: 'B-1_nacha_USD.ach', content: Buffer.from('9'.repeat(94) + '\n') },
  { name: 'dossier/Zoë.txt', content: 'utf-8 name' },
  { name: 'empty.txt', content: '' },
]

describe('crc32', () => {
  test.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926], // the standard check value
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j)', (input, expected) => {
    expect(crc32(Buffer.from(input))).toBe(expected)
  })
})

describe('zip', () => {
  test.each([[false], [true]])('deflate=%s parses back to the same entries', (deflate) => {
    const buf = zip(entries, { deflate, modifiedAt: { year: 2026, month: 3, day: 2, hour: 10, minute: 30, second: 0 } })
    expect(readZip(buf).map((e) => [e.name, e.content.toString('utf8')])).toEqual(entries.map((e) => [e.name, e.content.toString()]))
  })

  test('stored output is byte-for-byte reproducible', () => {
    expect(zip(entries).equals(zip(entries))).toBe(true)
  })

  test('an empty archive is just the end record', () => {
    expect(zip([]).length).toBe(22)
  })

  test.each([['../evil'], ['/abs'], ['a\\b'], ['']])('refuses unsafe name %j', (name) => {
    expect(() => zip([{ name, content: 'x' }])).toThrow(/unsafe/)
  })

  test('refuses duplicate names', () => {
    expect(() => zip([entries[0]!, entries[0]!])).toThrow(/duplicate/)
  })

  test.skipIf(!hasUnzip())('`unzip -t` accepts it (stored and deflated)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-test-'))
    try {
      for (const deflate of [false, true]) {
        const file = join(dir, `t-${deflate}.zip`)
        writeFileSync(file, zip(entries, { deflate }))
        const out = execFileSync('unzip', ['-t', file], { encoding: 'utf8' })
        expect(out).toMatch(/No errors detected/)
        expect(execFileSync('unzip', ['-p', file, 'B-1_paypal_USD.csv'], { encoding: 'utf8' })).toBe('a,b\r\n1,2\r\n')
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
