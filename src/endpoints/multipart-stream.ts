import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'

import busboy from 'busboy'

import { fileSource, newTempFile, removeTempFile, type ImportSource } from '../services/imports/source'

/** Small form fields (kind, mapping, flags, sheetUrl): a mapping of a few dozen columns fits easily. */
const MAX_FIELD_BYTES = 256 * 1024
const MAX_FIELDS = 20

export type MultipartResult =
  | { ok: true; fields: Record<string, string>; file: { name: string; source: ImportSource } | null }
  | { ok: false; reason: 'too_large' | 'invalid'; message: string }

/**
 * Reads a multipart/form-data body as it arrives: the part named `file` goes straight to a temp
 * file while its SHA-256 is computed, so memory does not grow with the upload. Past `limit` bytes
 * of file the reading stops, the temp file is deleted and the answer is `too_large`. Other file
 * parts are skipped. The caller owns the temp file of a successful result (source.path).
 */
export async function readMultipartStream(
  body: ReadableStream<Uint8Array> | null | undefined,
  contentType: string,
  limit: number,
): Promise<MultipartResult> {
  if (!body) return { ok: false, reason: 'invalid', message: 'The request has no body.' }
  let bb: busboy.Busboy
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: { fileSize: limit, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    })
  } catch {
    return { ok: false, reason: 'invalid', message: 'The multipart form could not be read (no boundary).' }
  }
  const input = Readable.fromWeb(body as WebReadableStream<Uint8Array>)
  const fields: Record<string, string> = {}
  let tempPath: string | null = null
  let out: ReturnType<typeof createWriteStream> | null = null
  let written: Promise<{ sha256: string; bytes: number }> | null = null
  let fileName = ''
  let settled = false
  let failed = false

  const result = await new Promise<MultipartResult>((resolve) => {
    const done = (r: MultipartResult) => {
      if (settled) return
      settled = true
      resolve(r)
    }
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return done({ ok: false, reason: 'invalid', message: `${name}: the form field is too long.` })
      fields[name] = value
    })
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || written) {
        stream.resume()
        return
      }
      fileName = info.filename ?? ''
      written = (async () => {
        const file = await newTempFile()
        tempPath = file
        const sink = createWriteStream(file, { mode: 0o600 })
        out = sink
        if (failed) sink.destroy()
        const hash = createHash('sha256')
        let bytes = 0
        stream.on('data', (chunk: Buffer) => {
          hash.update(chunk)
          bytes += chunk.byteLength
        })
        stream.on('limit', () => done({ ok: false, reason: 'too_large', message: 'file too large' }))
        await new Promise<void>((res, rej) => {
          sink.on('error', rej)
          sink.on('close', res)
          stream.on('error', rej)
          stream.pipe(sink)
        })
        return { sha256: hash.digest('hex'), bytes }
      })()
      // Failures are picked up below when `written` is awaited.
      written.catch(() => undefined)
    })
    bb.on('error', () => done({ ok: false, reason: 'invalid', message: 'The multipart form could not be read.' }))
    bb.on('close', () => done({ ok: true, fields, file: null }))
    input.on('error', () => done({ ok: false, reason: 'invalid', message: 'The upload was interrupted.' }))
    input.pipe(bb)
  })

  if (!result.ok) {
    failed = true
    // Stop reading the rest of the body; the temp file (complete or not) goes.
    input.unpipe(bb)
    input.destroy()
    // The file part will never end now: closing the temp file settles `written`.
    ;(out as ReturnType<typeof createWriteStream> | null)?.destroy()
    await (written as Promise<unknown> | null)?.catch(() => undefined)
    await removeTempFile(tempPath)
    return result
  }
  if (!written) return result
  try {
    const { sha256, bytes } = await (written as Promise<{ sha256: string; bytes: number }>)
    return { ok: true, fields, file: { name: fileName, source: fileSource(tempPath as unknown as string, sha256, bytes) } }
  } catch {
    await removeTempFile(tempPath)
    return { ok: false, reason: 'invalid', message: 'The uploaded file could not be stored.' }
  }
}
