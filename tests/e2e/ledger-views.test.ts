import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'

import Papa from 'papaparse'
import pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { formatMinor } from '../../src/ledger/money'
import { launchBrowser, loginInBrowser, newPage, screenshot } from '../helpers/browser'
import { createOrgFixture } from '../helpers/fixtures'
import { baseUrl, login, type Session } from '../helpers/http'
import { ambiguousRefund, negativeBalancePartnerId } from '../helpers/ledger-fixtures'
import { upload } from '../helpers/upload'

/**
 * The ledger in the admin, in Debian's chromium against the production build: stored documents
 * open (the 404 the admin used to give), a conversion's commission explained, a manager clearing
 * a flag in the review view, finance downloading a partner statement from the partner page, and
 * ops assigning an unattributed code. Data is prepared over HTTP as ops (partner, code, import).
 */
let browser: Browser
let owner: pg.Client
let ops: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const email = `ada.${tag.toLowerCase()}@partner.test`
const code = `ADA${tag}`
const orphan = `NOBODY${tag}`
const order = (n: number) => `E${tag}-${n}`
let partnerId: number
let otherPartnerId: number
const conversions: Record<string, number> = {}
let flagId: number
let ambiguous: { refundId: number; conversionId: number }

async function one<T = Record<string, unknown>>(text: string, values: unknown[]): Promise<T> {
  return (await owner.query(text, values)).rows[0] as T
}

/** Opens a page and waits until the admin has rendered it (not just the document shell). */
async function open(page: Page, path: string) {
  const res = await page.goto(`${baseUrl()}${path}`)
  await page.waitForLoadState('networkidle')
  return res
}

beforeAll(async () => {
  browser = await launchBrowser()
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  org = (await one<{ id: number }>(`select id from organizations where slug = 'demo'`, [])).id
  ops = await login('ops@demo.test')
  const p = await ops.request('POST', '/api/partners', { name: `Ada ${tag}`, email, status: 'active' })
  expect(p.status, JSON.stringify(p.body)).toBe(201)
  partnerId = p.body.doc.id
  const c = await ops.request('POST', '/api/partner-codes', { code, partner: partnerId })
  expect(c.status, JSON.stringify(c.body)).toBe(201)
  const other = await ops.request('POST', '/api/partners', { name: `Bea ${tag}`, status: 'active' })
  otherPartnerId = other.body.doc.id
  const today = new Date().toISOString().slice(0, 10)
  const csv = [
    'code,order_id,amount,date,customer_email',
    // 1999 x 10% = 199.9 -> 200 (program default, half away from zero); past the 30-day hold.
    `${code},${order(1)},19.99,2026-01-10,c1@shop.test`,
    // Today: pending for the hold period.
    `${code},${order(2)},12.25,${today},c2@shop.test`,
    // The partner's own address with a +tag: self-referral, flagged and held.
    `${code},${order(3)},50.00,2026-01-11,ADA.${tag}+deal@partner.test`,
    // A code nobody has: waits in the unattributed queue.
    `${orphan},${order(4)},30.00,2026-01-14,c4@shop.test`,
  ].join('\n')
  const res = await upload(ops, csv, { fileName: `ledger-views-${tag}.csv` })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body.counts).toMatchObject({ created: 3, unattributed: 1 })
  const { rows } = await owner.query(`select id, order_id from conversions where organization_id = $1 and order_id like $2`, [
    org,
    `E${tag}-%`,
  ])
  for (const r of rows) conversions[r.order_id] = r.id
  flagId = (await one<{ id: number }>(`select id from flags where conversion_id = $1`, [conversions[order(3)]])).id
  // Something to show in the refunds and negative-balance views.
  ambiguous = await ambiguousRefund(owner, org)
  await negativeBalancePartnerId(owner, org)
})

afterAll(async () => {
  await browser?.close()
  await owner?.end()
})

describe('stored documents open in the admin', () => {
  test('a partner, a conversion and a flag open from their links; another organization’s partner is not found', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'ops@demo.test')
    await open(page, '/admin/collections/partners')
    await page.click(`text=Ada ${tag}`)
    await page.waitForURL(new RegExp(`/admin/collections/partners/${partnerId}$`))
    await expect.poll(() => page.locator('input[name="name"]').inputValue()).toBe(`Ada ${tag}`)
    for (const [path, title] of [
      [`/admin/collections/conversions/${conversions[order(1)]}`, order(1)],
      [`/admin/collections/flags/${flagId}`, 'self_referral_email'],
    ] as const) {
      const res = await open(page, path)
      expect(res?.status(), path).toBe(200)
      await expect.poll(() => page.locator('h1').first().textContent(), { message: path }).toContain(title)
      expect(await page.innerText('body')).not.toMatch(/Nothing found/i)
    }
    const foreign = await createOrgFixture(owner, 'Foreign views')
    const { name } = await one<{ name: string }>(`select name from partners where id = $1`, [foreign.ids.partners])
    // Payload sends a document it cannot read back to the list with a "not found" notice.
    await open(page, `/admin/collections/partners/${foreign.ids.partners}`)
    expect(page.url()).toMatch(new RegExp(`/admin/collections/partners\\?notFound=${foreign.ids.partners}(&|$)`))
    expect(await page.innerText('body')).not.toContain(name)
    expect(errors).toEqual([])
  })
})

describe('the ledger views', () => {
  test('(a) a conversion’s page explains its commission', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'ops@demo.test')
    await open(page, `/admin/collections/conversions/${conversions[order(1)]}`)
    const explanation = page.getByTestId('entry-explanation').first()
    await explanation.waitFor()
    const text = (await explanation.textContent()) ?? ''
    expect(text).toContain('percent of the order value, from the program default')
    expect(text).toContain('19.99 USD on 2026-01-10')
    expect(text).toContain('10% (1000 basis points)')
    expect(text).toContain('199.9 minor units, rounded half away from zero')
    expect(await page.getByTestId('entry-amount').first().textContent()).toBe('2.00 USD')
    // The stored minor units are read back as money under the input, too.
    expect(await page.getByTestId('money-valueMinor').textContent()).toContain('= 19.99 USD')
    await screenshot(page, 'ledger-conversion')
    // The self-referral conversion shows its flag with the evidence in words.
    await open(page, `/admin/collections/conversions/${conversions[order(3)]}`)
    const flag = page.getByTestId('conversion-flag').first()
    await flag.waitFor()
    expect(await flag.textContent()).toContain(`matches the partner's ${email}`)
    await screenshot(page, 'ledger-conversion-flagged')
    expect(errors).toEqual([])
  })

  test('(b) a manager clears a flag with a reason and the held commission follows the normal rules', async () => {
    const { page: readOnly } = await newPage(browser)
    await loginInBrowser(readOnly, 'ops@demo.test')
    await open(readOnly, '/admin/review/flags')
    await readOnly.locator(`[data-flag-id="${flagId}"]`).waitFor()
    expect(await readOnly.getByTestId('read-only-note').textContent()).toContain('Only a manager')
    expect(await readOnly.getByTestId(`clear-${flagId}`).count()).toBe(0)

    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'manager@demo.test')
    await open(page, '/admin/review/flags')
    const row = page.locator(`[data-flag-id="${flagId}"]`)
    await row.waitFor()
    expect((await row.textContent())?.toLowerCase()).toContain(
      `customer email ada.${tag.toLowerCase()}+deal@partner.test matches the partner's ${email}`,
    )
    expect(await row.textContent()).toContain('5.00 USD')
    expect(await page.locator('#nav-review-flags').count()).toBe(1)
    await screenshot(page, 'review-flags')
    expect((await one(`select status from commissions where conversion_id = $1`, [conversions[order(3)]])).status).toBe('held')
    await page.getByTestId(`clear-${flagId}`).click()
    // No reason, no decision.
    expect(await page.getByTestId(`clear-${flagId}-confirm`).isDisabled()).toBe(true)
    await page.getByTestId(`clear-${flagId}-reason`).fill('customer is her sister; allowed by the program terms')
    await page.getByTestId(`clear-${flagId}-confirm`).click()
    await expect.poll(() => page.getByTestId('flag-decided').textContent()).toContain(`Flag #${flagId} cleared`)
    await expect.poll(() => row.count()).toBe(0)
    await screenshot(page, 'review-flags-cleared')
    const flag = await one(`select f.status, f.reason, u.email from flags f join users u on u.id = f.decided_by_id where f.id = $1`, [
      flagId,
    ])
    expect(flag).toEqual({ status: 'cleared', reason: 'customer is her sister; allowed by the program terms', email: 'manager@demo.test' })
    // Occurred 2026-01-11, 30 days of hold long past: eligible.
    expect((await one(`select status from commissions where conversion_id = $1`, [conversions[order(3)]])).status).toBe('eligible')
    expect(errors).toEqual([])
  })

  test('(c) finance downloads a partner statement whose last balance is the sum of the partner’s entries', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'finance@demo.test')
    await open(page, `/admin/collections/partners/${partnerId}`)
    const total = page.locator('[data-testid="balance-table"] tr[data-status="total"] td[data-currency="USD"]')
    await total.waitFor()
    const { sum } = await one<{ sum: string }>(`select sum(amount_minor)::bigint::text as sum from commissions where partner_id = $1`, [
      partnerId,
    ])
    // 200 + 123 + 500 = 8.23
    expect(sum).toBe('823')
    expect(await total.textContent()).toBe(`${formatMinor(BigInt(sum), 'USD')} USD`)
    expect(await page.getByTestId('partner-line').count()).toBe(3)
    await page.getByTestId('statement-from').fill('2020-01-01')
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    await page.getByTestId('statement-to').fill(tomorrow)
    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, 'ledger-partner')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statement-download').click()])
    expect(download.suggestedFilename()).toBe(`partner-${partnerId}-statement-2020-01-01-${tomorrow}.csv`)
    const csv = await readFile((await download.path()) as string, 'utf8')
    const [header, ...lines] = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data
    const balance = header!.indexOf('Balance')
    expect(lines).toHaveLength(3)
    expect(lines.at(-1)![balance]).toBe(formatMinor(BigInt(sum), 'USD'))
    const audited = await one(
      `select count(*)::int as n from audit_events e join users u on u.id = e.actor_id
        where e.action = 'partner.statement_downloaded' and e.entity_id = $1 and u.email = 'finance@demo.test'`,
      [String(partnerId)],
    )
    expect(audited.n).toBe(1)
    expect(errors).toEqual([])
  })

  test('(d) ops assigns an unattributed code to a partner from the queue', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'ops@demo.test')
    await open(page, '/admin/review/unattributed')
    const row = page.locator(`[data-testid="unattributed-row"][data-code="${orphan}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain('30.00 USD')
    await screenshot(page, 'review-unattributed')
    await page.getByTestId(`partner-select-${orphan}`).selectOption(String(otherPartnerId))
    await page.getByTestId(`assign-${orphan}`).click()
    await expect.poll(() => page.getByTestId('assign-done').textContent()).toContain(`${orphan}: 1 conversion assigned`)
    await expect.poll(() => row.count()).toBe(0)
    const conv = await one(`select status, partner_id from conversions where id = $1`, [conversions[order(4)]])
    expect(conv).toEqual({ status: 'attributed', partner_id: otherPartnerId })
    // 3000 x 10% = 300, accrued on assignment.
    const entry = await one(`select kind, amount_minor::bigint::text as amount from commissions where conversion_id = $1`, [
      conversions[order(4)],
    ])
    expect(entry).toEqual({ kind: 'accrual', amount: '300' })
    expect(errors).toEqual([])
  })

  test('ops edits a partner’s rate history as JSON text (no CDN editor) and it is stored', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'ops@demo.test')
    await open(page, `/admin/collections/partners/${otherPartnerId}`)
    const history = page.getByTestId('json-rateHistory')
    await history.fill('[{"effectiveFrom":"2026-02-01","rule":{"kind":"percent","rateBps":1500}}]')
    await page.click('#action-save')
    await expect
      .poll(async () => (await one<{ h: unknown }>(`select rate_history as h from partners where id = $1`, [otherPartnerId])).h)
      .toEqual([{ effectiveFrom: '2026-02-01', rule: { kind: 'percent', rateBps: 1500 } }])
    await history.fill('[{"effectiveFrom": "2026-02-01",')
    expect(await page.textContent('body')).toContain('Not valid JSON yet')
    expect(errors).toEqual([])
  })

  test('the negative-balance queue shows its rows; ops chooses the conversion an ambiguous refund belongs to', async () => {
    const { page, errors } = await newPage(browser)
    await loginInBrowser(page, 'manager@demo.test')
    await open(page, '/admin/review/negative-balances')
    await page.getByTestId('negative-row').first().waitFor()
    // The fixture partner: a -5.00 adjustment (its 1.00 accrual sits in the fixture's draft batch).
    expect(await page.getByTestId('negative-table').textContent()).toContain('-5.00 USD')
    await screenshot(page, 'review-negative-balances')

    const { page: opsPage, errors: opsErrors } = await newPage(browser)
    await loginInBrowser(opsPage, 'ops@demo.test')
    await open(opsPage, '/admin/review/refunds')
    const row = opsPage.locator(`[data-refund-id="${ambiguous.refundId}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain('the order is under several codes')
    await screenshot(opsPage, 'review-refunds')
    await opsPage.getByTestId(`choose-${ambiguous.refundId}`).click()
    const select = opsPage.getByTestId(`conversion-select-${ambiguous.refundId}`)
    // The placeholder and the order's two conversions.
    await expect.poll(() => select.locator('option').count()).toBe(3)
    await select.selectOption(String(ambiguous.conversionId))
    await opsPage.getByTestId(`apply-${ambiguous.refundId}`).click()
    await expect.poll(() => opsPage.getByTestId('refund-done').textContent()).toContain(`conversion #${ambiguous.conversionId}`)
    await expect.poll(() => row.count()).toBe(0)
    const refund = await one(`select status, conversion_id from refunds where id = $1`, [ambiguous.refundId])
    expect(refund).toEqual({ status: 'matched', conversion_id: ambiguous.conversionId })
    expect(errors).toEqual([])
    expect(opsErrors).toEqual([])
  })
})
