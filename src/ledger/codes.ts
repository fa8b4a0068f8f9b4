/**
 * The canonical form of a referral code. Codes reach us typed by partners, pasted from links,
 * copied out of spreadsheets with stray spaces and full-width characters; every one of those
 * forms must meet the same partner, so lookups, dedupe keys and the unique index all use this.
 */
import { DEFAULT_PROGRAM_SETTINGS, type ProgramSettings } from './settings'

export type LinkSettings = Pick<ProgramSettings, 'linkParams' | 'linkPathPrefixes'>

export type CanonicalCodeResult =
  { ok: true; code: string; source: 'plain' | 'query' | 'path' } | { ok: false; code: 'empty_code' | 'no_code_in_link' }

const WHITESPACE = /\s+/gu
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const PLACEHOLDER_ORIGIN = 'https://link.invalid'

function squash(value: string): string {
  // NFKC first: it turns full-width letters and ideographic spaces into the ASCII ones below.
  return value.normalize('NFKC').replace(WHITESPACE, '').toUpperCase()
}

/**
 * A value is read as a link when it has a scheme, starts with `/` or `?`, contains `?`, or has a
 * `/` after a dotted host (`shop.example/r/x`). A bare `A/B` stays a code: codes may contain `/`.
 */
function toUrl(value: string): URL | null {
  let href: string
  if (SCHEME.test(value) || value.startsWith('/') || value.startsWith('?')) href = value
  else if (value.includes('?') || /^[^/]+\.[^/.]+\//.test(value)) href = 'https://' + value
  else return null
  try {
    return new URL(href, PLACEHOLDER_ORIGIN)
  } catch {
    return null
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function codeFromUrl(url: URL, link: LinkSettings): { raw: string; source: 'query' | 'path' } | null {
  // Names match case-insensitively (`?REF=`); an empty value (`?ref=&via=x`) counts as absent.
  const params = [...url.searchParams.entries()]
  for (const name of link.linkParams) {
    const hit = params.find(([k, v]) => k.toLowerCase() === name.toLowerCase() && squash(v) !== '')
    if (hit) return { raw: hit[1], source: 'query' }
  }
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(safeDecode)
  const prefixes = new Set(link.linkPathPrefixes.map((p) => p.toLowerCase()))
  const at = segments.findIndex((s) => prefixes.has(s.toLowerCase()))
  const last = segments[segments.length - 1]
  // The rules say "the last path segment after /r/": /r/a/b gives b, and /r/ alone gives nothing.
  if (at === -1 || last === undefined || at === segments.length - 1) return null
  return { raw: last, source: 'path' }
}

export function canonicalCode(raw: string, link: LinkSettings = DEFAULT_PROGRAM_SETTINGS): CanonicalCodeResult {
  const squashed = squash(raw)
  if (squashed === '') return { ok: false, code: 'empty_code' }
  const url = toUrl(raw.normalize('NFKC').replace(WHITESPACE, ''))
  if (!url) return { ok: true, code: squashed, source: 'plain' }
  const found = codeFromUrl(url, link)
  if (!found) return { ok: false, code: 'no_code_in_link' }
  // Decoded values are normalized again: %EF%BC%AA is a full-width J.
  const code = squash(found.raw)
  return code === '' ? { ok: false, code: 'no_code_in_link' } : { ok: true, code, source: found.source }
}
