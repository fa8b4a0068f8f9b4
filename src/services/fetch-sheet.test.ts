import { describe, expect, test } from 'vitest'

import { fetchSheetCsv, sheetsFetchBaseUrl } from './fetch-sheet'

describe('SHEETS_FETCH_BASE_URL (tests only)', () => {
  test('is honoured outside production, and in production only with the explicit flag', () => {
    const base = 'http://127.0.0.1:4555/ignored/path'
    expect(sheetsFetchBaseUrl({ NODE_ENV: 'test', SHEETS_FETCH_BASE_URL: base })).toBe('http://127.0.0.1:4555')
    expect(sheetsFetchBaseUrl({ NODE_ENV: 'production', SHEETS_FETCH_BASE_URL: base })).toBeNull()
    expect(sheetsFetchBaseUrl({ NODE_ENV: 'production', SHEETS_FETCH_BASE_URL: base, SHEETS_FETCH_BASE_URL_ALLOWED: 'true' })).toBe(
      'http://127.0.0.1:4555',
    )
    expect(sheetsFetchBaseUrl({ NODE_ENV: 'production' })).toBeNull()
    expect(() => sheetsFetchBaseUrl({ NODE_ENV: 'test', SHEETS_FETCH_BASE_URL: 'file:///etc/passwd' })).toThrow()
  })
})

describe('fetchSheetCsv refuses before any request', () => {
  test.each([
    ['https://evil.example/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit', 'sheet_link_host', 'evil.example'],
    ['https://169.254.169.254/latest/meta-data', 'sheet_link_host', '169.254.169.254'],
    ['http://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit', 'sheet_link_not_https', null],
    ['not a link', 'sheet_link_invalid', null],
  ])('%s', async (link, code, host) => {
    // baseUrl points nowhere reachable: a request would fail differently than a refusal.
    const r = await fetchSheetCsv(link, { maxBytes: 1000, baseUrl: 'http://127.0.0.1:1' })
    expect(r).toMatchObject({ ok: false, status: 400, code })
    if (host && !r.ok) expect(r.message).toContain(`"${host}"`)
  })
})
