import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { STEP_UP_WINDOW_MS } from '../../src/security/step-up'
import { batchInState } from '../helpers/batches'
import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { baseUrl, login, withHeaders, type Session } from '../helpers/http'
import { SEED_PASSWORD } from '../setup/global-setup'

/**
 * Step-up in the browser: a manager whose sign-in is older than the window is asked for the
 * password in the batch review's confirmation panel, and ops importing partners (a file can set
 * payout details) in the import wizard; each action goes through once the password is entered.
 */
let browser: Browser
let owner: pg.Client
let organizationId: number

beforeAll(async () => {
  browser = await launchBrowser()
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  organizationId = Number((await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id)
})

afterAll(async () => {
  await browser?.close()
  await owner?.end()
})

test('a manager with an old sign-in confirms the password in place, then the batch is approved', async () => {
  const headers = { 'x-organization-id': String(organizationId) }
  const sessions = new Map<string, Session>()
  for (const role of ['ops', 'manager', 'finance'] as const) {
    const s = await login(`${role}@demo.test`)
    sessions.set(role, withHeaders(s, headers))
  }
  const batchId = await batchInState(owner, organizationId, (role) => sessions.get(role)!, 'submitted')

  const manager = await newPage(browser)
  await loginInBrowser(manager.page, 'manager@demo.test')
  const token = (await manager.page.context().cookies()).find((c) => c.name.endsWith('-token'))!.value
  const sid = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sid
  const minutes = Math.ceil(STEP_UP_WINDOW_MS / 60_000) + 1
  const aged = await owner.query(`update users_sessions set created_at = now() - make_interval(mins => $2) where id = $1`, [sid, minutes])
  expect(aged.rowCount).toBe(1)

  await manager.page.goto(`${baseUrl()}/admin/batches/${batchId}/review`)
  await manager.page.getByTestId('batch-review').waitFor({ timeout: 30_000 })
  await manager.page.getByRole('button', { name: 'Approve' }).click()
  await manager.page.getByRole('button', { name: 'Confirm approval' }).click()
  await manager.page.getByTestId('step-up').waitFor({ timeout: 30_000 })
  expect(await manager.page.getByTestId('step-up').textContent()).toMatch(/password/i)
  expect((await owner.query(`select status from batches where id = $1`, [batchId])).rows[0].status).toBe('submitted')
  await screenshot(manager.page, 'batch-review-step-up')

  // A wrong password is refused and the batch stays as it was.
  await manager.page.fill('input[name="stepUpPassword"]', 'not-my-password-1')
  await manager.page.getByRole('button', { name: 'Confirm approval' }).click()
  await expect.poll(() => manager.page.getByTestId('batch-message').textContent(), { timeout: 30_000 }).toMatch(/not right/)
  expect((await owner.query(`select status from batches where id = $1`, [batchId])).rows[0].status).toBe('submitted')

  await manager.page.fill('input[name="stepUpPassword"]', SEED_PASSWORD)
  await manager.page.getByRole('button', { name: 'Confirm approval' }).click()
  // A sign-in (PBKDF2) and the approval: slower than expect.poll's default second on a busy machine.
  await expect.poll(() => manager.page.getByTestId('batch-status').textContent(), { timeout: 30_000 }).toBe('approved')
  expect((await owner.query(`select status from batches where id = $1`, [batchId])).rows[0].status).toBe('approved')
  // The refusals the panel handled (403 step-up, 401 wrong password) are the only console errors.
  expect(manager.errors.filter((e) => !/40[13]/.test(e))).toEqual([])
})

/** Makes the page's session look as if its password was entered longer ago than the window. */
async function ageBrowserSession(page: import('playwright-core').Page) {
  const token = (await page.context().cookies()).find((c) => c.name.endsWith('-token'))!.value
  const sid = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sid
  const minutes = Math.ceil(STEP_UP_WINDOW_MS / 60_000) + 1
  const aged = await owner.query(`update users_sessions set created_at = now() - make_interval(mins => $2) where id = $1`, [sid, minutes])
  expect(aged.rowCount).toBe(1)
}

test('ops with an old sign-in imports partners: the wizard asks for the password in place, then imports', async () => {
  const code = `STEPUP${Date.now().toString(36).toUpperCase()}`
  const file = path.join(os.tmpdir(), `step-up-partners-${code}.csv`)
  writeFileSync(file, `name,code,payout_method,payout_email\nStep-up Payee ${code},${code},paypal,${code.toLowerCase()}@example.test\n`)
  const stored = async () =>
    Number(
      (await owner.query(`select count(*) n from partner_codes where organization_id = $1 and code = $2`, [organizationId, code])).rows[0]
        .n,
    )

  const ops = await newPage(browser)
  await loginInBrowser(ops.page, 'ops@demo.test')
  await ageBrowserSession(ops.page)
  const page = ops.page
  await page.goto(`${baseUrl()}/admin/import`)
  await page.locator('label', { hasText: 'Partners' }).click()
  await page.setInputFiles('[data-testid="import-file"]', file)
  await page.waitForSelector('#wizard-inspect:not([disabled])')
  await page.click('#wizard-inspect')
  await page.waitForSelector('[data-testid="mapping-step"]')
  // The preview is a dry run: it changes nothing, so it needs no password.
  await page.click('#wizard-dry-run')
  await page.waitForSelector('[data-testid="preview-step"]')
  expect(await page.locator('#wizard-commit').textContent()).toBe('Import 1 row')
  await page.click('#wizard-commit')
  await page.getByTestId('step-up').waitFor({ timeout: 30_000 })
  expect(await page.getByTestId('step-up').textContent()).toMatch(/password/i)
  expect(await stored()).toBe(0)
  await screenshot(page, 'import-wizard-step-up')

  await page.fill('input[name="stepUpPassword"]', 'not-my-password-1')
  await page.getByRole('button', { name: 'Confirm password and import' }).click()
  await expect.poll(() => page.getByTestId('wizard-error').textContent(), { timeout: 30_000 }).toMatch(/not right/)
  expect(await stored()).toBe(0)

  await page.fill('input[name="stepUpPassword"]', SEED_PASSWORD)
  await page.getByRole('button', { name: 'Confirm password and import' }).click()
  await page.waitForSelector('[data-testid="report-step"]', { timeout: 30_000 })
  expect(await stored()).toBe(1)
  expect(ops.errors.filter((e) => !/40[13]/.test(e))).toEqual([])
})
