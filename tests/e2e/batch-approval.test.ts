import { readFileSync } from 'node:fs'

import Papa from 'papaparse'
import pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { parseDecimalMinor } from '../../src/ledger/export/sample-batch.fixture'
import { addEntry, BANK, createPartner } from '../helpers/batches'
import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { baseUrl } from '../helpers/http'

/**
 * The approval gate in the browser: ops drafts and submits, the same ops user is refused approval,
 * a manager approves in the Review tab, finance downloads a file whose total is the batch's.
 */
let browser: Browser
let owner: pg.Client
let organizationId: number

beforeAll(async () => {
  browser = await launchBrowser()
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  organizationId = Number((await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id)
  const paypal = await createPartner(owner, organizationId, {
    name: 'Jane Doe Media',
    payoutMethod: 'paypal',
    payoutEmail: 'jane@example.com',
  })
  const ach = await createPartner(owner, organizationId, {
    name: 'Roe Referrals LLC',
    payoutMethod: 'bank',
    routingNumber: BANK.routing,
    accountNumber: '000987654321',
    accountType: 'checking',
  })
  const blocked = await createPartner(owner, organizationId, { name: 'No Details Ltd', payoutMethod: null })
  await addEntry(owner, organizationId, paypal, 11800)
  await addEntry(owner, organizationId, paypal, -1250)
  await addEntry(owner, organizationId, ach, 40000)
  await addEntry(owner, organizationId, blocked, 5000)
})

afterAll(async () => {
  await browser?.close()
  await owner?.end()
})

async function openReview(page: Page, batchId: number) {
  await page.goto(`${baseUrl()}/admin/batches/${batchId}/review`)
  await page.getByTestId('batch-review').waitFor({ timeout: 30_000 })
}

const status = (page: Page) => page.getByTestId('batch-status').textContent()

test('ops drafts and submits, is refused approval; a manager approves; finance downloads the batch total', async () => {
  // ops: draft from the list, land on the review, submit
  const ops = await newPage(browser)
  await loginInBrowser(ops.page, 'ops@demo.test')
  await ops.page.goto(`${baseUrl()}/admin/collections/batches`)
  await ops.page.getByTestId('draft-batch').waitFor()
  await screenshot(ops.page, 'batch-list-draft-button')
  await ops.page.getByRole('button', { name: 'Draft batch' }).click()
  await ops.page.waitForURL(/\/admin\/batches\/\d+\/review$/, { timeout: 30_000 })
  const batchId = Number(/batches\/(\d+)\/review/.exec(ops.page.url())![1])
  await ops.page.getByTestId('batch-review').waitFor()
  expect(await status(ops.page)).toBe('draft')
  await expect.poll(() => ops.page.getByTestId('batch-blocked').textContent()).toMatch(/No Details Ltd.*no payout method set/)
  await screenshot(ops.page, 'batch-review-draft-ops')
  await ops.page.getByRole('button', { name: 'Submit for approval' }).click()
  await expect.poll(() => status(ops.page)).toBe('submitted')

  // the same ops user tries to approve: the server refuses and the view says why
  await ops.page.getByRole('button', { name: 'Approve' }).click()
  await ops.page.getByRole('button', { name: 'Confirm approval' }).click()
  await expect.poll(() => ops.page.getByTestId('batch-message').textContent()).toMatch(/Only a manager approves/)
  await screenshot(ops.page, 'batch-review-ops-refused')
  expect((await owner.query(`select status from batches where id = $1`, [batchId])).rows[0].status).toBe('submitted')
  expect(ops.errors.filter((e) => !/403/.test(e))).toEqual([])

  // manager: reviews and approves with confirmation
  const manager = await newPage(browser)
  await loginInBrowser(manager.page, 'manager@demo.test')
  await openReview(manager.page, batchId)
  const lines = await manager.page.getByTestId('batch-lines').textContent()
  expect(lines).toContain('Jane Doe Media')
  expect(lines).toContain('105.50 USD')
  expect(lines).toContain('400.00 USD')
  expect(lines).not.toContain('000987654321') // account numbers are masked on screen
  await screenshot(manager.page, 'batch-review-manager')
  await manager.page.getByRole('button', { name: 'Approve' }).click()
  // The demo organization's own seeded commissions are in the batch too: the total is the batch's.
  const drafted = (await owner.query(`select totals from batches where id = $1`, [batchId])).rows[0].totals
  const usdTotal = BigInt(drafted.find((t: { currency: string }) => t.currency === 'USD').totalMinor)
  expect(usdTotal).toBeGreaterThanOrEqual(50550n)
  const shown = `${usdTotal / 100n}.${String(usdTotal % 100n).padStart(2, '0')} USD`
  await expect.poll(() => manager.page.getByTestId('confirm-panel').textContent()).toContain(shown)
  await screenshot(manager.page, 'batch-review-manager-confirm')
  await manager.page.getByRole('button', { name: 'Confirm approval' }).click()
  await expect.poll(() => status(manager.page)).toBe('approved')
  await screenshot(manager.page, 'batch-review-approved')
  expect(manager.errors).toEqual([])

  // finance: downloads the generic CSV; its amounts add up to the batch total
  const finance = await newPage(browser)
  await loginInBrowser(finance.page, 'finance@demo.test')
  await openReview(finance.page, batchId)
  await finance.page.locator('select[name="format"]').selectOption('generic-csv')
  await screenshot(finance.page, 'batch-review-finance')
  const [download] = await Promise.all([
    finance.page.waitForEvent('download'),
    finance.page.getByRole('button', { name: 'Download' }).click(),
  ])
  const file = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '')
  const rows = Papa.parse<string[]>(file, { skipEmptyLines: 'greedy' }).data
  const amount = rows[0]!.findIndex((h) => /amount/i.test(h))
  const fileTotal = rows.slice(1).reduce((s, r) => s + parseDecimalMinor(r[amount]!, 2), 0n)
  const totals = (await owner.query(`select totals, status from batches where id = $1`, [batchId])).rows[0]
  expect(totals.status).toBe('exported')
  expect(fileTotal).toBe(BigInt(totals.totals.find((t: { currency: string }) => t.currency === 'USD').totalMinor))
  expect(fileTotal).toBe(usdTotal)
  await expect.poll(() => status(finance.page)).toBe('exported')
  await screenshot(finance.page, 'batch-review-exported')
  expect(finance.errors).toEqual([])
})
