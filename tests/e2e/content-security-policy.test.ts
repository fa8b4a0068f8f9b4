import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { baseUrl } from '../helpers/http'

/**
 * The CSP of src/security/headers.mjs must not break the Payload admin: every page below loads,
 * renders its content and raises no CSP violation (the browser's securitypolicyviolation event,
 * recorded from before the first script, and console errors naming the policy).
 */
let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
})

async function recordViolations(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] }
    w.__csp = []
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`))
  })
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)

test('the admin loads under the CSP: login, dashboard, lists, the create form and the audit trail', async () => {
  const { page, errors } = await newPage(browser)
  await recordViolations(page)
  const response = await page.goto(`${baseUrl()}/admin/login`)
  expect(response?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/)
  expect(await violations(page)).toEqual([])
  await loginInBrowser(page, 'admin@demo.test')

  const seen: Record<string, string[]> = {}
  for (const [path, selector] of [
    ['/admin', 'a[href*="/admin/collections/partners"]'],
    ['/admin/collections/partners', 'table tbody tr'],
    ['/admin/collections/conversions', 'table tbody tr'],
    ['/admin/collections/audit-events', '[data-testid="verify-chain"]'],
    ['/admin/account', 'input[name="email"]'],
  ] as const) {
    await page.goto(`${baseUrl()}${path}`)
    await page.waitForSelector(selector, { timeout: 30_000 })
    seen[path] = await violations(page)
  }
  // The create form: the edit view's fields and client components, without reading a stored row.
  await page.goto(`${baseUrl()}/admin/collections/partners/create`)
  await page.waitForSelector('#field-name', { timeout: 30_000 })
  await page.fill('#field-name', 'Typed under the CSP')
  seen['partner create form'] = await violations(page)
  await screenshot(page, 'csp-partner-create')

  expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, []])))
  expect(errors.filter((e) => /content security policy|csp/i.test(e))).toEqual([])
  expect(errors).toEqual([])
})

test('the admin refuses to be framed by another page', async () => {
  const { page } = await newPage(browser)
  const blocked: string[] = []
  page.on('console', (msg) => {
    if (/frame-ancestors|refused to (display|frame)/i.test(msg.text())) blocked.push(msg.text())
  })
  await page.setContent(`<iframe id="f" src="${baseUrl()}/admin/login" width="600" height="400"></iframe>`)
  await expect.poll(() => blocked.length, { timeout: 15_000 }).toBeGreaterThan(0)
  const frame = page.frames().find((f) => f.url().includes('/admin/login'))
  const inputs = frame ? await frame.$$('input[name="email"]').catch(() => []) : []
  expect(inputs).toHaveLength(0)
})
