import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'

/**
 * Where an import's bytes come from. The runner only ever streams them (open() may be called more
 * than once: the endpoint reads the header before queueing, the job reads the whole file), so a
 * 100 MB upload is a temp file on disk and never a buffer in memory.
 */
export interface ImportSource {
  /** SHA-256 of all the bytes, hex (computed while they arrived). */
  readonly sha256: string
  /** Size in bytes. */
  readonly bytes: number
  /** The temp file holding the bytes, if any (the job reads it; whoever finishes deletes it). */
  readonly path: string | null
  open(): AsyncIterable<Uint8Array>
}

const SLICE = 256 * 1024

export function memorySource(bytes: Uint8Array): ImportSource {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    path: null,
    async *open() {
      for (let at = 0; at < bytes.byteLength; at += SLICE) yield bytes.subarray(at, Math.min(at + SLICE, bytes.byteLength))
    },
  }
}

export function fileSource(file: string, sha256: string, bytes: number): ImportSource {
  return {
    sha256,
    bytes,
    path: file,
    open: () => createReadStream(file, { highWaterMark: SLICE }) as AsyncIterable<Uint8Array>,
  }
}

/** Temp files of uploads and background imports; removed when the import is done with them. */
export function importTempDir(): string {
  return path.join(os.tmpdir(), 'partner-ledger-imports')
}

export async function newTempFile(): Promise<string> {
  const dir = importTempDir()
  await mkdir(dir, { recursive: true, mode: 0o700 })
  return path.join(dir, `${randomUUID()}.csv`)
}

export async function removeTempFile(file: string | null | undefined): Promise<void> {
  if (file) await rm(file, { force: true }).catch(() => undefined)
}

/** Writes bytes (e.g. a fetched sheet) to a temp file, so a background job can read them after the request. */
export async function toTempFile(source: ImportSource): Promise<ImportSource> {
  if (source.path) return source
  const file = await newTempFile()
  const out = createWriteStream(file, { mode: 0o600 })
  try {
    for await (const chunk of source.open()) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
    out.end()
    await finished(out)
  } catch (err) {
    out.destroy()
    await removeTempFile(file)
    throw err
  }
  return fileSource(file, source.sha256, (await stat(file)).size)
}
