import { randomUUID } from 'node:crypto'

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

test('an admin invites a person from the memberships page and the mail lands in the outbox', async () => {
  const { page, errors } = await newPage(browser)
  await loginInBrowser(page, 'admin@demo.test')
  await page.goto(`${baseUrl()}/admin/collections/memberships`)
  const form = page.getByTestId('invite-form')
  await form.waitFor()
  const email = `analyst-${randomUUID().slice(0, 8)}@example.com`
  await form.getByLabel('Email').fill(email)
  await form.getByLabel('Role').selectOption('finance')
  await form.getByRole('button', { name: 'Send invitation' }).click()
  await expect.poll(() => form.getByRole('status').textContent()).toContain(`Invited ${email} as finance`)
  await screenshot(page, 'memberships-invite-sent')

  await page.goto(`${baseUrl()}/admin/collections/outbox`)
  await page.waitForSelector('table tbody tr')
  expect(await page.textContent('table')).toContain(email)
  await screenshot(page, 'outbox-invitation')
  expect(errors).toEqual([])
})

test('ops sees no invitation form', async () => {
  const { page } = await newPage(browser)
  await loginInBrowser(page, 'ops@demo.test')
  await page.goto(`${baseUrl()}/admin/collections/memberships`)
  await page.waitForSelector('table tbody tr')
  await page.waitForTimeout(500) // the form decides after one fetch; give it the chance to (wrongly) appear
  expect(await page.getByTestId('invite-form').count()).toBe(0)
})
