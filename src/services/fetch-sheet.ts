import { googleSheetCsvUrl, isAllowedSheetFetchUrl } from '../ledger'

/**
 * Fetches a Google Sheet as CSV for an import. The person's text never becomes the URL: the
 * export URL is rebuilt from the parsed spreadsheet id (src/ledger/import/sheets.ts), fetched
 * over https from docs.google.com only, and every redirect hop is checked again before it is
 * followed (Google answers with a redirect to *.googleusercontent.com), so a link cannot make
 * the server call anything else (SSRF). Bounded in time and size like an upload.
 *
 * SHEETS_FETCH_BASE_URL (tests only) replaces the scheme and host of the export URL, so tests
 * can serve the sheet from a local HTTP server. It is honoured only outside production, or
 * with SHEETS_FETCH_BASE_URL_ALLOWED=true beside it (the test server runs a production build).
 */

export const SHEET_FETCH_TIMEOUT_MS = 15_000
const MAX_REDIRECTS = 5

export type SheetFetchErrorCode =
  | 'sheet_link_invalid'
  | 'sheet_link_not_https'
  | 'sheet_link_credentials'
  | 'sheet_link_port'
  | 'sheet_link_host'
  | 'sheet_link_not_spreadsheet'
  | 'sheet_redirect_refused'
  | 'sheet_not_shared'
  | 'sheet_not_found'
  | 'sheet_not_csv'
  | 'sheet_fetch_failed'
  | 'sheet_fetch_timeout'
  | 'file_too_large'

export type SheetFetchResult =
  | { ok: true; bytes: Uint8Array; fileName: string; spreadsheetId: string; gid: string | null }
  | { ok: false; status: number; code: SheetFetchErrorCode; message: string; details?: Record<string, unknown> }

export interface SheetFetchOptions {
  readonly maxBytes: number
  readonly timeoutMs?: number
  /** Defaults to the environment (see above); null: fetch from Google. */
  readonly baseUrl?: string | null
}

let warnedIgnoredBase = false

/** The test base URL when it may be used, else null. */
export function sheetsFetchBaseUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const base = env.SHEETS_FETCH_BASE_URL?.trim()
  if (!base) return null
  if (env.NODE_ENV === 'production' && env.SHEETS_FETCH_BASE_URL_ALLOWED !== 'true') {
    if (!warnedIgnoredBase) {
      warnedIgnoredBase = true
      console.warn('SHEETS_FETCH_BASE_URL is ignored in production (it is for tests); sheets are fetched from Google.')
    }
    return null
  }
  const url = new URL(base)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('SHEETS_FETCH_BASE_URL: http(s) URL expected')
  return url.origin
}

function timeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.SHEETS_FETCH_TIMEOUT_MS)
  return Number.isSafeInteger(v) && v > 0 ? v : SHEET_FETCH_TIMEOUT_MS
}

function hostOf(link: string): string | null {
  try {
    return new URL(link.trim()).host || null
  } catch {
    return null
  }
}

function refuse(status: number, code: SheetFetchErrorCode, message: string, details?: Record<string, unknown>): SheetFetchResult {
  return { ok: false, status, code, message, ...(details ? { details } : {}) }
}

function tooLarge(maxBytes: number): SheetFetchResult {
  return refuse(
    413,
    'file_too_large',
    `The sheet's CSV is larger than ${Math.floor(maxBytes / (1024 * 1024))} MB (${maxBytes} bytes); split it into smaller sheets.`,
    { maxBytes },
  )
}

export async function fetchSheetCsv(link: string, options: SheetFetchOptions): Promise<SheetFetchResult> {
  const parsed = googleSheetCsvUrl(link)
  if (!parsed.ok) {
    const host = hostOf(link)
    const message =
      parsed.code === 'sheet_link_host' && host ? `${parsed.message} This link points to "${host}", which is not fetched.` : parsed.message
    return refuse(400, parsed.code, message, host ? { host } : undefined)
  }
  const base = options.baseUrl === undefined ? sheetsFetchBaseUrl() : options.baseUrl
  const exportUrl = new URL(parsed.url)
  const first = base ? new URL(exportUrl.pathname + exportUrl.search, base).href : exportUrl.href
  // The test base stands in for Google; a redirect back to it is allowed, anything else is checked as in production.
  const allowed = (href: string) => isAllowedSheetFetchUrl(href) || (base !== null && new URL(href).origin === base)

  const limitMs = options.timeoutMs ?? timeoutMs()
  const signal = AbortSignal.timeout(limitMs)
  const gidText = parsed.gid === null ? 'first sheet' : `gid ${parsed.gid}`
  const fileName = `Google Sheet ${parsed.spreadsheetId} (${gidText})`
  try {
    let url = first
    for (let hop = 0; ; hop++) {
      const res = await fetch(url, {
        redirect: 'manual',
        signal,
        headers: { accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' },
        credentials: 'omit',
      })
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel().catch(() => undefined)
        const next = new URL(res.headers.get('location') as string, url).href
        const nextHost = new URL(next).host
        // A sheet that is not shared answers with Google's sign-in page.
        if (nextHost === 'accounts.google.com') {
          return refuse(
            403,
            'sheet_not_shared',
            'Google asks to sign in for this sheet: share it as "Anyone with the link can view" (or download it as CSV and upload the file).',
          )
        }
        if (!allowed(next)) {
          return refuse(
            502,
            'sheet_redirect_refused',
            `Google redirected the download to "${nextHost}", which is not a Google host we fetch from; nothing was imported.`,
            { host: nextHost },
          )
        }
        if (hop >= MAX_REDIRECTS) return refuse(502, 'sheet_fetch_failed', 'Google redirected the download too many times.')
        url = next
        continue
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => undefined)
        return refuse(403, 'sheet_not_shared', 'Google refused the download: share the sheet as "Anyone with the link can view".')
      }
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined)
        return refuse(404, 'sheet_not_found', 'Google has no sheet at this link (check the link and the tab).')
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined)
        return refuse(502, 'sheet_fetch_failed', `Google answered the download with HTTP ${res.status}; try again later.`, {
          httpStatus: res.status,
        })
      }
      if (/text\/html/i.test(res.headers.get('content-type') ?? '')) {
        await res.body?.cancel().catch(() => undefined)
        return refuse(
          502,
          'sheet_not_csv',
          'Google sent a web page instead of the CSV: the sheet is probably not shared as "Anyone with the link can view".',
        )
      }
      const declared = Number(res.headers.get('content-length') ?? NaN)
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        await res.body?.cancel().catch(() => undefined)
        return tooLarge(options.maxBytes)
      }
      const bytes = await readCapped(res.body, options.maxBytes)
      if (bytes === null) return tooLarge(options.maxBytes)
      return { ok: true, bytes, fileName, spreadsheetId: parsed.spreadsheetId, gid: parsed.gid }
    }
  } catch (err) {
    if (signal.aborted) {
      return refuse(
        504,
        'sheet_fetch_timeout',
        `Google did not deliver the sheet within ${Math.round(limitMs / 1000)} seconds; try again.`,
        {
          timeoutMs: limitMs,
        },
      )
    }
    return refuse(502, 'sheet_fetch_failed', `The sheet could not be downloaded (${err instanceof Error ? err.message : String(err)}).`)
  }
}

/** The body, or null once it passes `cap` bytes (reading stops there). */
export async function readCapped(body: ReadableStream<Uint8Array> | null | undefined, cap: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array()
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > cap) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
