import { describe, expect, test } from 'vitest'

import { googleSheetCsvUrl, isAllowedSheetFetchUrl } from './sheets'

const ID = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms'

describe('googleSheetCsvUrl accepts share links', () => {
  test.each([
    [`https://docs.google.com/spreadsheets/d/${ID}/edit#gid=0`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=0`],
    [
      `https://docs.google.com/spreadsheets/d/${ID}/edit?usp=sharing#gid=123456789`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=123456789`,
    ],
    [
      `https://docs.google.com/spreadsheets/d/${ID}/edit?gid=42#gid=42`,
      `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=42`,
    ],
    [`https://docs.google.com/spreadsheets/d/${ID}/view?gid=7`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=7`],
    [`https://docs.google.com/spreadsheets/d/${ID}/edit`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`],
    [`https://docs.google.com/spreadsheets/d/${ID}`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`],
    [`https://docs.google.com/spreadsheets/u/0/d/${ID}/edit#gid=5`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=5`],
    [`  https://DOCS.Google.com/spreadsheets/d/${ID}/edit#gid=0  `, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv&gid=0`],
    [`https://docs.google.com:443/spreadsheets/d/${ID}/edit`, `https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`],
    [
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnopqrstuvwxyz0123456789/pubhtml',
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnopqrstuvwxyz0123456789/pub?output=csv',
    ],
    [
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnopqrstuvwxyz0123456789/pub?gid=3&single=true&output=csv',
      'https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnopqrstuvwxyz0123456789/pub?output=csv&gid=3',
    ],
  ])('%s', (link, url) => {
    expect(googleSheetCsvUrl(link)).toMatchObject({ ok: true, url })
  })
})

describe('googleSheetCsvUrl refuses, with a named code', () => {
  test.each([
    ['', 'sheet_link_invalid'],
    ['not a url', 'sheet_link_invalid'],
    [`docs.google.com/spreadsheets/d/${ID}/edit`, 'sheet_link_invalid'],
    [`http://docs.google.com/spreadsheets/d/${ID}/edit`, 'sheet_link_not_https'],
    [`file:///etc/passwd`, 'sheet_link_not_https'],
    [`https://docs.google.com@evil.example/spreadsheets/d/${ID}/edit`, 'sheet_link_credentials'],
    [`https://user:pass@docs.google.com/spreadsheets/d/${ID}/edit`, 'sheet_link_credentials'],
    [`https://docs.google.com:8443/spreadsheets/d/${ID}/edit`, 'sheet_link_port'],
    [`https://docs.google.com.evil.example/spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://docs.google.com./spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://evil.example/docs.google.com/spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://sheets.google.com/spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://127.0.0.1/spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://[::1]/spreadsheets/d/${ID}/edit`, 'sheet_link_host'],
    [`https://169.254.169.254/latest/meta-data`, 'sheet_link_host'],
    [`https://docs.google.com\\@evil.example/spreadsheets/d/${ID}`, 'sheet_link_invalid'],
    [`https://docs.google.com/document/d/${ID}/edit`, 'sheet_link_not_spreadsheet'],
    [`https://docs.google.com/spreadsheets/d/short/edit`, 'sheet_link_not_spreadsheet'],
    [`https://docs.google.com/spreadsheets/d/${ID}%2F..%2F/edit`, 'sheet_link_not_spreadsheet'],
    [`https://docs.google.com/spreadsheets/d/${ID}/edit#gid=abc`, 'sheet_link_not_spreadsheet'],
  ])('%s -> %s', (link, code) => {
    const r = googleSheetCsvUrl(link)
    expect(r.ok ? 'ok' : r.code).toBe(code)
  })
})

describe('isAllowedSheetFetchUrl (each redirect hop)', () => {
  test.each([
    [`https://docs.google.com/spreadsheets/d/${ID}/export?format=csv`, true],
    ['https://doc-0s-8c-sheets.googleusercontent.com/export/abc', true],
    ['https://googleusercontent.com.evil.example/x', false],
    ['https://evil-googleusercontent.com/x', false],
    ['http://doc-0s-8c-sheets.googleusercontent.com/export/abc', false],
    ['https://x@doc-0s.googleusercontent.com/export', false],
    ['https://169.254.169.254/', false],
    ['not a url', false],
  ])('%s -> %s', (href, ok) => {
    expect(isAllowedSheetFetchUrl(href)).toBe(ok)
  })
})
