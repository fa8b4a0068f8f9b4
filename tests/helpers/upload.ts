import { baseUrl, type ApiResponse, type Session } from './http'

export interface UploadOptions {
  kind?: string
  fileName?: string
  mapping?: Record<string, string>
  dryRun?: boolean
  override?: boolean
  headers?: Record<string, string>
}

export async function upload(session: Session | null, bytes: Buffer | string, opts: UploadOptions = {}): Promise<ApiResponse> {
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
