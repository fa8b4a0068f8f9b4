import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { beforeAll, describe, expect, test } from 'vitest'

import { ownerQuery } from '../helpers/accounts'
import { baseUrl, login, type ApiResponse, type Session } from '../helpers/http'

/** POST /api/imports/inspect over real HTTP: what the wizard is shown before mapping. */
const tag = randomUUID().slice(0, 6).toUpperCase()
const fixture = (name: string) => readFileSync(path.resolve('tests/fixtures/imports', name))

let ops: Session

beforeAll(async () => {
  ops = await login('ops@demo.test')
})

async function post(
  pathname: string,
  kind: string,
  bytes: Buffer | string,
  fileName = 'file.csv',
  session: Session | null = ops,
  headers = {},
) {
  const form = new FormData()
  form.append('kind', kind)
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  form.append('file', new Blob([new Uint8Array(data)], { type: 'text/csv' }), fileName)
  const res = await fetch(`${baseUrl()}${pathname}`, {
    method: 'POST',
    body: form,
    headers: { ...(session ? { cookie: session.cookie } : {}), ...headers },
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers } as ApiResponse
}
const inspect = (kind: string, bytes: Buffer | string, fileName?: string, session?: Session | null, headers?: Record<string, string>) =>
  post('/api/imports/inspect', kind, bytes, fileName, session, headers)

async function importCount() {
  return Number((await ownerQuery<{ n: string }>('select count(*) as n from imports'))[0]!.n)
}

describe('POST /api/imports/inspect', () => {
  test('a BOM, semicolon file with a quoted line break: headers, delimiter, encoding, the rows in header order', async () => {
    const before = await importCount()
    const res = await inspect('conversions', fixture('conversions-bom-semicolon.csv'), 'bom.csv')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      kind: 'conversions',
      fileName: 'bom.csv',
      headers: ['Code', 'Order ID', 'Amount', 'Date', 'Customer Name', 'Customer Email'],
      headerRow: 1,
      delimiter: ';',
      encoding: { name: 'utf-8', bom: true, decided: true },
      preset: null,
      suggested: {
        mapping: {
          code: 'Code',
          order_id: 'Order ID',
          amount: 'Amount',
          occurred_at: 'Date',
          customer_name: 'Customer Name',
          customer_email: 'Customer Email',
        },
        missingRequired: [],
      },
    })
    expect(res.body.sampleRows.map((r: { row: number }) => r.row)).toEqual([2, 3, 4, 5])
    expect(res.body.sampleRows[1]).toEqual({
      row: 3,
      values: ['https://shop.example/?ref=summer10', '1002', '12,50', '03/03/2026 14:05', 'Zoë\r\nSecond line', 'zoe@example.com'],
    })
    expect(res.body.fields.filter((f: { required: boolean }) => f.required).map((f: { key: string }) => f.key)).toEqual([
      'code',
      'order_id',
      'amount',
      'occurred_at',
    ])
    expect(await importCount()).toBe(before)
  })

  test('reads only the first rows: a broken quote further down does not stop the preview', async () => {
    // Far past what the parser looks at before its first rows (it sniffs 64 KiB).
    const rows = Array.from({ length: 20_000 }, (_, i) => `JANE10,${tag}-${i},1.00,2026-11-01`)
    const csv = ['code,order_id,amount,date', ...rows, `JANE10,${tag}-x,"1.00,2026-11-01`].join('\n')
    const res = await inspect('conversions', csv)
    expect(res.status).toBe(200)
    expect(res.body.sampleRows.map((r: { row: number }) => r.row)).toEqual([2, 3, 4, 5, 6])
  })

  test('every kind: fields, presets and Windows-1252', async () => {
    const partners = await inspect('partners', fixture('partners-full.csv'))
    expect(partners.status).toBe(200)
    expect(partners.body.suggested.mapping).toMatchObject({ name: 'Partner Name', code: 'Referral Link', email: 'Email' })
    expect(partners.body.fields[0]).toEqual({ key: 'name', label: 'Name', required: true })

    const win = await inspect('partners', fixture('partners-win1252.csv'))
    expect(win.status).toBe(200)
    expect(win.body.encoding).toMatchObject({ name: 'windows-1252', decided: true })

    const refunds = await inspect('refunds', fixture('refunds.csv'))
    expect(refunds.status).toBe(200)
    expect(refunds.body.suggested.mapping).toMatchObject({ order_id: 'order_id', refunded_at: 'refunded_at' })

    const shopify = await inspect('conversions', fixture('shopify-orders.csv'))
    expect(shopify.body.preset).toMatchObject({ id: 'shopify_orders', label: 'Shopify orders export' })
    expect(shopify.body.suggested.mapping).toMatchObject({ order_id: 'Name', code: 'Discount Code', amount: 'Total' })
    expect(shopify.body.suggested.sources.order_id).toBe('preset')
  })

  test("the organization's last completed mapping of the kind comes back and is suggested first", async () => {
    const headers = `Ref${tag};Bestellung;Betrag;Wann;Kunde`
    const mapping = { code: `Ref${tag}`, order_id: 'Bestellung', amount: 'Betrag', occurred_at: 'Wann', customer_name: 'Kunde' }
    const form = new FormData()
    form.append('kind', 'conversions')
    form.append('file', new Blob([`${headers}\nJANE10;${tag}-m1;1,00;2026-11-01;Ann\n`]), `saved-${tag}.csv`)
    form.append('mapping', JSON.stringify(mapping))
    const imported = await fetch(`${baseUrl()}/api/imports`, { method: 'POST', body: form, headers: { cookie: ops.cookie } })
    expect(imported.status).toBe(201)

    const res = await inspect('conversions', `${headers}\nJANE10;${tag}-m2;2,00;2026-11-02;Bo\n`)
    expect(res.status).toBe(200)
    expect(res.body.savedMapping).toEqual(mapping)
    expect(res.body.suggested.mapping).toEqual(mapping)
    expect(Object.values(res.body.suggested.sources)).toEqual(['saved', 'saved', 'saved', 'saved', 'saved'])

    // Another kind, and another organization of the same user, do not see it.
    expect((await inspect('refunds', 'order_id,refunded_at\n1,2026-01-01\n')).body.savedMapping).not.toEqual(mapping)
    const northwind = Number((await ownerQuery<{ id: number }>(`select id from organizations where slug = 'northwind'`))[0]!.id)
    const other = await inspect('conversions', `${headers}\n`, 'x.csv', ops, { 'x-organization-id': String(northwind) })
    expect(other.status).toBe(200)
    expect(other.body.savedMapping).not.toEqual(mapping)
  })

  test('refusals: roles, kind, file type, unreadable files', async () => {
    for (const email of ['manager@demo.test', 'finance@demo.test', 'auditor@demo.test']) {
      expect((await inspect('conversions', 'code\n', 'x.csv', await login(email))).status, email).toBe(403)
    }
    expect((await inspect('conversions', 'code\n', 'x.csv', null)).status).toBe(401)
    expect((await inspect('orders', 'code\n')).status).toBe(400)
    expect((await inspect('conversions', 'code\n', 'x.xlsx')).status).toBe(415)
    const binary = await inspect('conversions', fixture('binary.xlsx'), 'binary.csv')
    expect(binary.status).toBe(422)
    expect(binary.body.error).toMatchObject({ code: 'invalid_file', details: { reason: 'binary_file' } })
    const dupes = await inspect('conversions', fixture('duplicate-headers.csv'), 'dupes.csv')
    expect(dupes.status).toBe(422)
    expect(dupes.body.error.message).toMatch(/columns B, D/)
    const empty = await inspect('conversions', '', 'empty.csv')
    expect(empty.status).toBe(422)
    expect(empty.body.error.details.reason).toBe('empty_file')
  })
})
