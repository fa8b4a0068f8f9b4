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

async function orderIdsOnPage(page: import('playwright-core').Page): Promise<string[]> {
  await page.waitForSelector('table tbody tr')
  return page.$$eval('table tbody tr td:nth-child(2)', (cells) => cells.map((c) => c.textContent?.trim() ?? ''))
}

test('ops logs in, switches organization, and sees only that organization’s conversions', async () => {
  const { page, errors } = await newPage(browser)
  await loginInBrowser(page, 'ops@demo.test')

  await page.goto(`${baseUrl()}/admin/collections/conversions?limit=100`)
  const switcher = page.getByTestId('org-switcher')
  await expect.poll(() => switcher.locator('option:checked').textContent()).toBe('Demo Outfitters')
  const demoOrders = await orderIdsOnPage(page)
  await screenshot(page, 'conversions-demo-outfitters')
  expect(demoOrders.length).toBeGreaterThan(5)
  // Other browser tests add orders of their own to Demo Outfitters; none of Northwind's (#2…) may show.
  expect(demoOrders.some((id) => id.startsWith('#1'))).toBe(true)
  expect(demoOrders.some((id) => id.startsWith('#2'))).toBe(false)

  await Promise.all([page.waitForEvent('load'), switcher.selectOption({ label: 'Northwind Referrals' })])
  await expect.poll(() => page.getByTestId('org-switcher').locator('option:checked').textContent()).toBe('Northwind Referrals')
  const northwindOrders = await orderIdsOnPage(page)
  await screenshot(page, 'conversions-northwind-referrals')
  expect(northwindOrders.length).toBeGreaterThan(0)
  expect(northwindOrders.every((id) => id.startsWith('#2'))).toBe(true)
  expect(northwindOrders.some((id) => demoOrders.includes(id))).toBe(false)

  // Switch back so later tests start where the seed left the user.
  await Promise.all([page.waitForEvent('load'), page.getByTestId('org-switcher').selectOption({ label: 'Demo Outfitters' })])
  expect(errors).toEqual([])
})
