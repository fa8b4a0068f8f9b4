/**
 * Google Sheets share link -> its CSV export URL. The server fetches that URL, so whatever
 * this accepts is a request our server makes: only https://docs.google.com, no credentials,
 * no port, no IP, no look-alike host (`docs.google.com@evil.example`, `docs.google.com.evil`),
 * and the URL we return is rebuilt from the parsed id, never the person's text (SSRF).
 */

export type SheetLinkErrorCode =
  | 'sheet_link_invalid'
  | 'sheet_link_not_https'
  | 'sheet_link_credentials'
  | 'sheet_link_port'
  | 'sheet_link_host'
  | 'sheet_link_not_spreadsheet'

export type SheetLinkResult =
  | { ok: true; url: string; spreadsheetId: string; gid: string | null; published: boolean }
  | { ok: false; code: SheetLinkErrorCode; message: string }

const HOST = 'docs.google.com'
const ID = /^[A-Za-z0-9_-]{20,128}$/
const GID = /^\d{1,12}$/

function fail(code: SheetLinkErrorCode, message: string): SheetLinkResult {
  return { ok: false, code, message }
}

function gidOf(url: URL): string | null | 'bad' {
  const fromQuery = url.searchParams.get('gid')
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get('gid')
  const gid = fromHash ?? fromQuery
  if (gid === null || gid === '') return null
  return GID.test(gid) ? gid : 'bad'
}

/**
 * Accepts `/spreadsheets/d/<id>/edit#gid=N` (also `?gid=N`, `/view`, `/u/0/d/...`) and published
 * links `/spreadsheets/d/e/<pubid>/pubhtml|pub`. Returns
 * `https://docs.google.com/spreadsheets/d/<id>/export?format=csv[&gid=N]`, or for a published
 * sheet `.../d/e/<pubid>/pub?output=csv[&gid=N]` (published ids only work there).
 * Without a gid, Google exports the first sheet.
 */
export function googleSheetCsvUrl(link: string): SheetLinkResult {
  const trimmed = link.trim()
  if (trimmed === '' || trimmed.length > 2048 || /[\s\\]/.test(trimmed))
    return fail('sheet_link_invalid', 'This is not a link to a Google Sheet.')
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return fail('sheet_link_invalid', 'This is not a link to a Google Sheet.')
  }
  if (url.protocol !== 'https:') return fail('sheet_link_not_https', 'Only https:// links to docs.google.com can be imported.')
  if (url.username !== '' || url.password !== '')
    return fail('sheet_link_credentials', 'A link with a user name or password in it cannot be imported.')
  if (url.port !== '') return fail('sheet_link_port', 'A link with a port number cannot be imported.')
  // URL lower-cases and IDNA-normalises the host; anything else (IPs, subdomains, a trailing dot) is refused.
  if (url.hostname !== HOST) return fail('sheet_link_host', `Only Google Sheets links (https://${HOST}/spreadsheets/...) can be imported.`)

  const gid = gidOf(url)
  if (gid === 'bad') return fail('sheet_link_not_spreadsheet', 'The sheet number (gid) in this link is not valid.')
  const segments = url.pathname.split('/').filter((s) => s !== '')
  if (segments[0] !== 'spreadsheets') return fail('sheet_link_not_spreadsheet', 'This Google link is not a spreadsheet.')
  let rest = segments.slice(1)
  if (rest[0] === 'u' && /^\d+$/.test(rest[1] ?? '')) rest = rest.slice(2) // /u/0/: multi-account links
  if (rest[0] !== 'd') return fail('sheet_link_not_spreadsheet', 'This Google link is not a spreadsheet.')

  const published = rest[1] === 'e'
  const id = published ? rest[2] : rest[1]
  if (id === undefined || !ID.test(id)) return fail('sheet_link_not_spreadsheet', 'The spreadsheet id in this link is not valid.')
  const gidParam = gid === null ? '' : `&gid=${gid}`
  const out = published
    ? `https://${HOST}/spreadsheets/d/e/${id}/pub?output=csv${gidParam}`
    : `https://${HOST}/spreadsheets/d/${id}/export?format=csv${gidParam}`
  return { ok: true, url: out, spreadsheetId: id, gid, published }
}

/**
 * For the fetcher, at every redirect hop: Google answers the export URL with a redirect to a
 * `*.googleusercontent.com` host that serves the file. Any other host, scheme, port or
 * credentials ends the fetch.
 */
export function isAllowedSheetFetchUrl(href: string): boolean {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return false
  return url.hostname === HOST || /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.googleusercontent\.com$/.test(url.hostname)
}
