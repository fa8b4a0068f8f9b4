import { deflateRawSync } from 'node:zlib'

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record) for
 * bundling a batch's export files into one download. Stored by default: stored bytes are the
 * same on every Node/zlib version, so a bundle's SHA-256 is reproducible. No ZIP64: a payout
 * bundle near 4 GiB or 65,535 files is a bug, not a use case.
 */

export interface ZipEntry {
  readonly name: string
  readonly content: Buffer | string
}

export interface ZipOptions {
  /** Timestamp written for every entry (DOS time has 2-second resolution, no zone). Default 1980-01-01. */
  readonly modifiedAt?: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number }
  /** Deflate via node:zlib; output then depends on the zlib version. Default false (store). */
  readonly deflate?: boolean
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff
  for (let i = 0; i < data.length; i++) {
    crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

function dosDateTime(options: ZipOptions): { time: number; date: number } {
  const m = options.modifiedAt ?? { year: 1980, month: 1, day: 1 }
  if (m.year < 1980 || m.year > 2107) throw new Error('zip: DOS dates cover 1980-2107')
  const time = ((m.hour ?? 0) << 11) | ((m.minute ?? 0) << 5) | Math.floor((m.second ?? 0) / 2)
  const date = ((m.year - 1980) << 9) | (m.month << 5) | m.day
  return { time, date }
}

function checkName(name: string): void {
  // Refuse what an unzip tool could write outside its target folder (zip-slip).
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw new Error(`zip: unsafe entry name ${JSON.stringify(name)}`)
  }
}

const FLAG_UTF8 = 0x0800
const VERSION = 20 // 2.0: deflate and folders; what every unzip understands

export function zip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  if (entries.length > 0xffff) throw new Error('zip: too many entries for a non-ZIP64 archive')
  const names = new Set<string>()
  const { time, date } = dosDateTime(options)
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0

  for (const entry of entries) {
    checkName(entry.name)
    if (names.has(entry.name)) throw new Error(`zip: duplicate entry ${entry.name}`)
    names.add(entry.name)
    const name = Buffer.from(entry.name, 'utf8')
    const raw = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content
    const method = options.deflate ? 8 : 0
    const data = options.deflate ? deflateRawSync(raw) : raw
    const crc = crc32(raw)
    if (offset + 30 + name.length + data.length > 0xffffffff) throw new Error('zip: archive exceeds 4 GiB')

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(VERSION, 4)
    local.writeUInt16LE(FLAG_UTF8, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(raw.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28) // extra field length
    locals.push(local, name, data)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(VERSION, 4) // made by: MS-DOS attributes, version 2.0
    central.writeUInt16LE(VERSION, 6)
    central.writeUInt16LE(FLAG_UTF8, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(time, 12)
    central.writeUInt16LE(date, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(raw.length, 24)
    central.writeUInt16LE(name.length, 28)
    // 30 extra length, 32 comment length, 34 disk start, 36 internal attrs, 38 external attrs: all 0
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)

    offset += local.length + name.length + data.length
  }

  const centralDir = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8) // entries on this disk
  end.writeUInt16LE(entries.length, 10) // entries in total
  end.writeUInt32LE(centralDir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, centralDir, end])
}
