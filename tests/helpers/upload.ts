import { baseUrl, sendRenewing, type ApiResponse, type Session } from './http'

export interface UploadOptions {
  kind?: string
  fileName?: string
  mapping?: Record<string, string>
  dryRun?: boolean
  override?: boolean
  headers?: Record<string, string>
}

export function upload(session: Session | null, bytes: Buffer | string, opts: UploadOptions = {}): Promise<ApiResponse> {
  return sendRenewing(session, () => uploadOnce(session, bytes, opts))
}

async function uploadOnce(session: Session | null, bytes: Buffer | string, opts: UploadOptions): Promise<ApiResponse> {
  const form = new FormData()
  form.append('kind', opts.kind ?? 'conversions')
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
  form.append('file', new Blob([new Uint8Array(data)], { type: 'text/csv' }), opts.fileName ?? 'conversions.csv')
  if (opts.mapping) form.append('mapping', JSON.stringify(opts.mapping))
  if (opts.dryRun !== undefined) form.append('dryRun', String(opts.dryRun))
  if (opts.override !== undefined) form.append('override', String(opts.override))
  const res = await fetch(`${baseUrl()}/api/imports`, {
    method: 'POST',
    body: form,
    headers: { ...(session ? { cookie: session.cookie } : {}), ...(opts.headers ?? {}) },
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers }
}

/** An import record as GET /api/imports/:id answers it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ImportDoc = Record<string, any>

/**
 * Polls GET /api/imports/:id until a background import has finished (any status but queued or
 * running), calling `onEach` with every answer. The deadline only stops a hung test; no test
 * asserts on how long an import takes.
 */
export async function waitForImport(session: Session, importId: number, onEach?: (doc: ImportDoc) => void, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await session.request('GET', `/api/imports/${importId}?depth=0`)
    if (res.status !== 200) throw new Error(`GET /api/imports/${importId}: ${res.status} ${JSON.stringify(res.body)}`)
    const doc = res.body as ImportDoc
    onEach?.(doc)
    if (doc.status !== 'queued' && doc.status !== 'running') return doc
    if (Date.now() > deadline) throw new Error(`import #${importId} still ${doc.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
