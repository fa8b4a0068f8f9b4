import { readFileSync } from 'node:fs'
import path from 'node:path'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { ownerQuery } from '../helpers/accounts'
import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { baseUrl } from '../helpers/http'

/**
 * The whole import wizard in chromium: a messy conversions file (BOM, `;`, quoted line break,
 * links as codes, an in-file duplicate, a formula as an amount, February 30) is uploaded,
 * mapped by hand where the header is unknown, dry-run, its errors downloaded, and committed.
 */
const FIXTURE = path.resolve('tests/fixtures/imports/wizard-conversions.csv')
const ORDER_IDS = ['W-1001', 'W-1002', 'W-1003', 'W-1004', 'W-1005', 'W-1006']

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
})

async function count(page: Page, step: string, key: string): Promise<number> {
  const text = await page.locator(`[data-testid="${step}"] [data-count="${key}"] dd`).textContent()
  return Number((text ?? '').replace(/,/g, ''))
}

async function counts(page: Page, step: string) {
  const keys = ['rowsIn', 'created', 'updated', 'duplicate', 'unattributed', 'flagged', 'rejected'] as const
  const out: Record<string, number> = {}
  for (const k of keys) out[k] = await count(page, step, k)
  return out
}

async function chooseColumn(page: Page, field: string, header: string) {
  await page.locator(`#field-map-${field} .rs__control`).click()
  await page.locator('.rs__option', { hasText: new RegExp(`^${header}$`) }).click()
}

async function uploadAndMap(page: Page, shot?: string) {
  await page.goto(`${baseUrl()}/admin/import`)
  await page.locator('label', { hasText: 'Conversions' }).click()
  await page.setInputFiles('[data-testid="import-file"]', FIXTURE)
  await page.waitForSelector('#wizard-inspect:not([disabled])')
  if (shot) await screenshot(page, shot)
  await page.click('#wizard-inspect')
  await page.waitForSelector('[data-testid="mapping-step"]')
}

test('ops imports a messy conversions file through the wizard', async () => {
  const { page, errors } = await newPage(browser)
  await loginInBrowser(page, 'ops@demo.test')

  // The nav leads to the wizard, and so does the imports list.
  await page.goto(`${baseUrl()}/admin/collections/imports`)
  expect(await page.locator('#nav-import').getAttribute('href')).toBe('/admin/import')
  await page.getByTestId('open-import-wizard').click()
  await page.waitForURL((u) => u.pathname === '/admin/import')

  await uploadAndMap(page, 'import-wizard-source')
  expect(await page.getByTestId('file-meta').textContent()).toMatch(
    /wizard-conversions\.csv: 6 columns, semicolon separated, utf-8 with BOM/,
  )
  // Suggested from the header names; the order id column has an unfamiliar name, so it is missing.
  expect(await page.locator('#field-map-code .rs__single-value').textContent()).toBe('Referral Link')
  expect(await page.locator('#field-map-occurred_at .rs__single-value').textContent()).toBe('Order Date')
  expect(await page.getByTestId('missing-required').textContent()).toContain('Order ID')
  expect(await page.locator('#wizard-dry-run').isDisabled()).toBe(true)
  await chooseColumn(page, 'order_id', 'Bestellnummer')
  await page.waitForSelector('[data-testid="missing-required"]', { state: 'detached' })
  expect(await page.locator('tr[data-field="order_id"] .import-wizard__samples').textContent()).toContain('W-1001')
  await screenshot(page, 'import-wizard-mapping')

  await page.click('#wizard-dry-run')
  await page.waitForSelector('[data-testid="preview-step"]')
  await page.waitForSelector('[data-testid="errors"]')
  const shown = await counts(page, 'dry-counts')
  expect(shown).toEqual({ rowsIn: 7, created: 3, updated: 0, duplicate: 1, unattributed: 1, flagged: 0, rejected: 2 })
  // ... which is what the server stored on the dry-run record.
  const [dry] = await ownerQuery<{ counts: Record<string, number>; mapping: Record<string, string> }>(
    `select counts, mapping from imports where status = 'dry_run' and file_name = 'wizard-conversions.csv' order by id desc limit 1`,
  )
  for (const [k, v] of Object.entries(shown)) expect(dry!.counts[k], k).toBe(v)
  expect(dry!.mapping.order_id).toBe('Bestellnummer')
  expect(await ownerQuery(`select 1 from conversions where order_id = any($1)`, [ORDER_IDS])).toEqual([])
  const errorRows = await page.locator('[data-testid="errors"] tbody tr').allTextContents()
  expect(errorRows).toHaveLength(2)
  expect(errorRows[0]).toMatch(/^7Amount=SUM\(A1\)Row 7, column "Amount"/)
  expect(errorRows[1]).toMatch(/^8Order Date2026-02-30Row 8, column "Order Date"/)
  expect(await page.locator('[data-sample="duplicate"]').textContent()).toMatch(/5.*row 2/)
  expect(await page.locator('[data-sample="unattributed"]').textContent()).toContain('NOBODY7')
  expect(await page.locator('[data-sample="created"]').textContent()).toContain('Jane Doe Media')
  const willStore = dry!.counts.created! + dry!.counts.updated! + dry!.counts.unattributed!
  expect(await page.locator('#wizard-commit').textContent()).toBe(`Import ${willStore} rows`)
  await screenshot(page, 'import-wizard-preview')

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-errors')])
  expect(download.suggestedFilename()).toMatch(/^import-errors-\d+\.csv$/)
  const csv = readFileSync((await download.path()) as string, 'utf8')
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
  expect(lines[0]).toBe('row,column,value,message,code')
  expect(lines[1]).toMatch(/^7,Amount,'=SUM\(A1\),"?Row 7, column ""Amount""/)
  expect(lines[2]).toMatch(/^8,Order Date,2026-02-30,"Row 8, column ""Order Date""/)

  await page.click('#wizard-commit')
  await page.waitForSelector('[data-testid="report-step"]')
  expect(await counts(page, 'final-counts')).toEqual(shown)
  const href = await page.getByTestId('import-record-link').getAttribute('href')
  expect(href).toMatch(/^\/admin\/collections\/imports\/\d+$/)
  await screenshot(page, 'import-wizard-report')
  const stored = await ownerQuery<{ order_id: string; code: string; status: string }>(
    `select order_id, code, status from conversions where order_id = any($1) order by order_id`,
    [ORDER_IDS],
  )
  expect(stored.map((r) => `${r.order_id} ${r.code} ${r.status}`)).toEqual([
    'W-1001 JANE10 attributed',
    'W-1002 TRAIL15 attributed',
    'W-1003 MAYA attributed',
    'W-1004 NOBODY7 unattributed',
  ])

  // The linked record keeps the report. (Read over REST with the browser's session: the admin's
  // document view of tenant collections currently answers "Nothing found" for every record,
  // a problem of its own outside the wizard.)
  const recordRes = await page.request.get(`${baseUrl()}/api/imports/${href!.split('/').pop()}?depth=0`)
  expect(recordRes.status()).toBe(200)
  expect(await recordRes.json()).toMatchObject({ fileName: 'wizard-conversions.csv', status: 'completed', counts: { rowsIn: 7 } })
  expect(errors).toEqual([])
})

test('the same file again: the wizard shows the refusal and imports only with the override', async () => {
  const { page } = await newPage(browser)
  await loginInBrowser(page, 'ops@demo.test')
  await uploadAndMap(page)
  // The last completed import's mapping is preselected now.
  expect(await page.locator('#field-map-order_id .rs__single-value').textContent()).toBe('Bestellnummer')
  await page.click('#wizard-dry-run')
  await page.waitForSelector('[data-testid="already-imported"]')
  expect(await page.getByTestId('already-imported').textContent()).toMatch(/already imported as import #\d+ \("wizard-conversions\.csv"\)/)
  expect(await page.locator('#wizard-dry-run').isDisabled()).toBe(true)
  await page.click('#import-override')
  await page.click('#wizard-dry-run')
  await page.waitForSelector('[data-testid="preview-step"]')
  expect(await count(page, 'dry-counts', 'duplicate')).toBe(5)
  await page.click('#wizard-commit')
  await page.waitForSelector('[data-testid="report-step"]')
  const [rec] = await ownerQuery<{ n: string }>(
    `select count(*) as n from imports where file_name = 'wizard-conversions.csv' and status = 'completed' and override`,
  )
  expect(Number(rec!.n)).toBe(1)
})

test('a manager sees why the wizard is not offered', async () => {
  const { page } = await newPage(browser)
  await loginInBrowser(page, 'manager@demo.test')
  await page.goto(`${baseUrl()}/admin/import`)
  expect(await page.getByTestId('import-not-allowed').textContent()).toMatch(/Only admins and ops import files\. You are manager/)
  expect(await page.locator('[data-testid="import-wizard"]').count()).toBe(0)
})

test('without a session the wizard sends you to the login', async () => {
  const { page } = await newPage(browser)
  await page.goto(`${baseUrl()}/admin/import`)
  await page.waitForURL((u) => u.pathname === '/admin/login')
})
