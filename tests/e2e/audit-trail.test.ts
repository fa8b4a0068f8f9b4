import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { baseUrl } from '../helpers/http'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
})

test('an auditor reads the trail, verifies the chain and finds the export link', async () => {
  const { page, errors } = await newPage(browser)
  await loginInBrowser(page, 'auditor@demo.test')
  // The newest events are the logins of this run (each login is audited), so the page shows the
  // newest first; the filter in the address is the one the list's own filter control writes.
  await page.goto(`${baseUrl()}/admin/collections/audit-events`)
  await page.waitForSelector('table tbody tr')
  const newest = await page.$$eval('table tbody tr', (rows) => rows.map((r) => r.textContent ?? ''))
  expect(newest.some((a) => /auth\.login/.test(a))).toBe(true)
  await page.goto(`${baseUrl()}/admin/collections/audit-events?where[action][like]=.created`)
  await page.waitForSelector('table tbody tr')
  await screenshot(page, 'audit-trail-list')
  const actions = await page.$$eval('table tbody tr', (rows) => rows.map((r) => r.textContent ?? ''))
  expect(actions.length).toBeGreaterThan(0)
  expect(actions.every((a) => /\.created/.test(a))).toBe(true)
  expect(actions.some((a) => /(conversion|partner|membership)\.created/.test(a))).toBe(true)
  await page.getByTestId('verify-chain').click()
  await expect.poll(() => page.getByTestId('chain-verdict').textContent()).toMatch(/Chain intact: \d+ events verified/)
  expect(await page.getByTestId('export-audit').getAttribute('href')).toBe('/api/audit-events/export')
  await screenshot(page, 'audit-trail-verified')
  expect(errors).toEqual([])
})

test('ops has no audit trail in the admin', async () => {
  const { page } = await newPage(browser)
  await loginInBrowser(page, 'ops@demo.test')
  await page.goto(`${baseUrl()}/admin/collections/audit-events`)
  await screenshot(page, 'audit-trail-as-ops')
  const body = await page.textContent('body')
  expect(body).not.toMatch(/(conversion|partner|membership)\.created/)
  expect(body).toMatch(/not found|unauthorized|not allowed/i)
})
