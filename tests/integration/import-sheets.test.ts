import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type net from 'node:net'

import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { ownerQuery } from '../helpers/accounts'
import { baseUrl, login, type ApiResponse, type Session } from '../helpers/http'

/**
 * Google Sheets links over real HTTP. The test server fetches sheets from SHEETS_FETCH_BASE_URL
 * (tests/setup/global-setup.ts), which is this file's local HTTP server standing in for
 * docs.google.com: only the scheme and host are replaced, the path is the export URL the app
 * built from the link.
 */
const tag = randomUUID().slice(0, 6).toUpperCase()
const oid = (n: number) => `S${tag}-${n}`
const sheetId = (name: string) => `${name}${tag}`.padEnd(30, 'x')
const link = (id: string, gid = '0') => `https://docs.google.com/spreadsheets/d/${id}/edit#gid=${gid}`

const OK = sheetId('okSheet')
const VIA_REDIRECT = sheetId('redirect')
const OFF_HOST_REDIRECT = sheetId('offHost')
const PRIVATE = sheetId('private')
const SLOW = sheetId('slow')
const HUGE = sheetId('huge')
const HUGE_DECLARED = sheetId('declared')
const HTML = sheetId('html')

const CSV = [
  'Code,Order ID,Amount,Date',
  `JANE10,${oid(1)},10.00,2026-11-01`,
  `https://shop.example/?ref=maya,${oid(2)},20.50,2026-11-02`,
  `JANE10,${oid(1)},10.00,2026-11-01`,
  `NOBODY${tag},${oid(3)},5.00,2026-11-03`,
  `JANE10,${oid(4)},abc,2026-11-04`,
  '',
].join('\n')
const REDIRECT_CSV = ['Code,Order ID,Amount,Date', `MAYA,${oid(10)},1.00,2026-11-05`, ''].join('\n')

let ops: Session
let demoOrg: number
let sheets: http.Server
let elsewhere: http.Server
let elsewhereHits = 0
const requested: string[] = []
const sockets = new Set<net.Socket>()

beforeAll(async () => {
  ops = await login('ops@demo.test')
  demoOrg = Number((await ownerQuery<{ id: number }>(`select id from organizations where slug = 'demo'`))[0]!.id)

  elsewhere = http.createServer((_req, res) => {
    elsewhereHits++
    res.end('Code,Order ID,Amount,Date\n')
  })
  elsewhere.listen(0, '127.0.0.1')
  await once(elsewhere, 'listening')
  const elsewherePort = (elsewhere.address() as net.AddressInfo).port

  sheets = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sheets.local')
    requested.push(url.pathname + url.search)
    const id = /^\/spreadsheets\/d\/([^/]+)\/export$/.exec(url.pathname)?.[1]
    if (url.searchParams.get('format') !== 'csv' || !id) {
      res.writeHead(400).end()
      return
    }
    if (id === OK) {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(CSV)
    } else if (id === VIA_REDIRECT) {
      if (url.searchParams.get('hop') === '1') res.writeHead(200, { 'content-type': 'text/csv' }).end(REDIRECT_CSV)
      else res.writeHead(307, { location: `/spreadsheets/d/${id}/export?format=csv&gid=0&hop=1` }).end()
    } else if (id === OFF_HOST_REDIRECT) {
      res.writeHead(302, { location: `http://127.0.0.1:${elsewherePort}/stolen.csv` }).end()
    } else if (id === PRIVATE) {
      res.writeHead(302, { location: 'https://accounts.google.com/ServiceLogin?continue=x' }).end()
    } else if (id === SLOW) {
      res.writeHead(200, { 'content-type': 'text/csv' })
      res.write('Code,Order ID,Amount,Date\n') // ... and never ends
    } else if (id === HUGE) {
      res.writeHead(200, { 'content-type': 'text/csv' })
      const line = Buffer.from(`JANE10,${oid(9)},1.00,2026-11-01\n`.repeat(16 * 1024))
      const pump = () => {
        while (!res.destroyed && res.write(line));
        if (!res.destroyed) res.once('drain', pump)
      }
      res.write('Code,Order ID,Amount,Date\n')
      pump()
    } else if (id === HUGE_DECLARED) {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(200 * 1024 * 1024) })
      res.write('Code,Order ID,Amount,Date\n')
    } else if (id === HTML) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>')
    } else {
      res.writeHead(404).end()
    }
  })
  sheets.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  sheets.listen(inject('sheetsPort'), '127.0.0.1')
  await once(sheets, 'listening')
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await Promise.all([new Promise((r) => sheets?.close(r)), new Promise((r) => elsewhere?.close(r))])
})

async function post(path: string, fields: Record<string, string>, session: Session | null = ops): Promise<ApiResponse> {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', body: form, headers: session ? { cookie: session.cookie } : {} })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers }
}

async function storedState() {
  const [imports] = await ownerQuery<{ n: string }>(`select count(*) as n from imports where organization_id = $1`, [demoOrg])
  // A refused role is audited (authz.denied, endpoint-matrix.test.ts) and a login is (auth.login,
  // audit-completeness.test.ts); nothing else may be written.
  const [events] = await ownerQuery<{ n: string }>(
    `select count(*) as n from audit_events where organization_id = $1 and action <> 'authz.denied' and action not like 'auth.%'`,
    [demoOrg],
  )
  const [convs] = await ownerQuery<{ n: string }>(`select count(*) as n from conversions where order_id like $1`, [`S${tag}-%`])
  return { imports: Number(imports!.n), events: Number(events!.n), conversions: Number(convs!.n) }
}

describe('a Google Sheets link', () => {
  test('is inspected: headers and first rows come from the fetched sheet; nothing is stored', async () => {
    const before = await storedState()
    const res = await post('/api/imports/inspect', { kind: 'conversions', sheetUrl: link(OK) })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      fileName: `Google Sheet ${OK} (gid 0)`,
      headers: ['Code', 'Order ID', 'Amount', 'Date'],
      suggested: { mapping: { code: 'Code', order_id: 'Order ID', amount: 'Amount', occurred_at: 'Date' }, missingRequired: [] },
    })
    expect(res.body.sampleRows[0]).toEqual({ row: 2, values: ['JANE10', oid(1), '10.00', '2026-11-01'] })
    expect(requested).toContain(`/spreadsheets/d/${OK}/export?format=csv&gid=0`)
    expect(await storedState()).toEqual(before)
  })

  test('is imported like an uploaded file (dry run, then for real)', async () => {
    const dry = await post('/api/imports', { kind: 'conversions', sheetUrl: link(OK), dryRun: 'true' })
    expect(dry.status, JSON.stringify(dry.body)).toBe(200)
    expect(dry.body.counts).toMatchObject({ rowsIn: 5, created: 2, duplicate: 1, unattributed: 1, rejected: 1 })
    expect((await storedState()).conversions).toBe(0)

    const res = await post('/api/imports', { kind: 'conversions', sheetUrl: link(OK) })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      status: 'completed',
      counts: { rowsIn: 5, created: 2, duplicate: 1, unattributed: 1, rejected: 1 },
      doc: { fileName: `Google Sheet ${OK} (gid 0)`, kind: 'conversions', organization: demoOrg },
    })
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 6, column: 'Amount', value: 'abc' })])
    const rows = await ownerQuery<{ order_id: string; code: string; status: string }>(
      `select order_id, code, status from conversions where order_id like $1 order by order_id`,
      [`S${tag}-%`],
    )
    expect(rows.map((r) => [r.order_id, r.code, r.status])).toEqual([
      [oid(1), 'JANE10', 'attributed'],
      [oid(2), 'MAYA', 'attributed'],
      [oid(3), `NOBODY${tag}`, 'unattributed'],
    ])
    // The same sheet content again is the same file (SHA-256): refused, naming the import.
    const again = await post('/api/imports', { kind: 'conversions', sheetUrl: link(OK) })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain(`import #${res.body.importId}`)
  })

  test('follows a redirect on the allowed host and imports what it serves', async () => {
    const res = await post('/api/imports', { kind: 'conversions', sheetUrl: link(VIA_REDIRECT) })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 1, created: 1 })
    expect(requested).toContain(`/spreadsheets/d/${VIA_REDIRECT}/export?format=csv&gid=0&hop=1`)
  })

  describe('refusals store nothing', () => {
    let before: Awaited<ReturnType<typeof storedState>>
    beforeAll(async () => {
      before = await storedState()
    })

    test('a link to another host is refused with 400 naming the host, and never fetched', async () => {
      const count = requested.length
      for (const path of ['/api/imports', '/api/imports/inspect']) {
        const res = await post(path, { kind: 'conversions', sheetUrl: `https://evil.example.com/spreadsheets/d/${OK}/edit#gid=0` })
        expect(res.status).toBe(400)
        expect(res.body.error.code).toBe('sheet_link_host')
        expect(res.body.error.message).toContain('"evil.example.com"')
      }
      for (const bad of [
        `http://docs.google.com/spreadsheets/d/${OK}/edit`,
        `https://docs.google.com@127.0.0.1/spreadsheets/d/${OK}/edit`,
        `https://docs.google.com.evil.example/spreadsheets/d/${OK}/edit`,
        `https://docs.google.com/document/d/${OK}/edit`,
      ]) {
        const res = await post('/api/imports', { kind: 'conversions', sheetUrl: bad })
        expect(res.status, bad).toBe(400)
        expect(res.body.error.code, bad).toMatch(/^sheet_link_/)
      }
      expect(requested.length).toBe(count)
    })

    test('a redirect to any other host is not followed', async () => {
      const res = await post('/api/imports', { kind: 'conversions', sheetUrl: link(OFF_HOST_REDIRECT) })
      expect(res.status).toBe(502)
      expect(res.body.error).toMatchObject({
        code: 'sheet_redirect_refused',
        details: { host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      })
      expect(elsewhereHits).toBe(0)
    })

    test('a sheet that is not shared says so', async () => {
      const signIn = await post('/api/imports', { kind: 'conversions', sheetUrl: link(PRIVATE) })
      expect(signIn.status).toBe(403)
      expect(signIn.body.error.code).toBe('sheet_not_shared')
      const html = await post('/api/imports/inspect', { kind: 'conversions', sheetUrl: link(HTML) })
      expect(html.status).toBe(502)
      expect(html.body.error.code).toBe('sheet_not_csv')
      const missing = await post('/api/imports', { kind: 'conversions', sheetUrl: link(sheetId('missing')) })
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('sheet_not_found')
    })

    test('a sheet that does not arrive in time is refused with 504', async () => {
      const res = await post('/api/imports', { kind: 'conversions', sheetUrl: link(SLOW) })
      expect(res.status).toBe(504)
      expect(res.body.error.code).toBe('sheet_fetch_timeout')
      expect(res.body.error.message).toMatch(/did not deliver the sheet within \d+ seconds/)
    })

    test('a sheet over the size limit is refused with 413, declared or streamed', async () => {
      const declared = await post('/api/imports', { kind: 'conversions', sheetUrl: link(HUGE_DECLARED) })
      expect(declared.status).toBe(413)
      expect(declared.body.error).toMatchObject({ code: 'file_too_large', details: { maxBytes: 50 * 1024 * 1024 } })
      const streamed = await post('/api/imports', { kind: 'conversions', sheetUrl: link(HUGE) })
      expect(streamed.status).toBe(413)
      expect(streamed.body.error.code).toBe('file_too_large')
    })

    test('a file and a link together are refused', async () => {
      const form = new FormData()
      form.append('kind', 'conversions')
      form.append('sheetUrl', link(OK))
      form.append('file', new Blob(['Code,Order ID,Amount,Date\n']), 'x.csv')
      const res = await fetch(`${baseUrl()}/api/imports`, { method: 'POST', body: form, headers: { cookie: ops.cookie } })
      expect(res.status).toBe(400)
    })

    test('only admins and ops may have a sheet fetched', async () => {
      const count = requested.length
      const manager = await login('manager@demo.test')
      expect((await post('/api/imports', { kind: 'conversions', sheetUrl: link(OK) }, manager)).status).toBe(403)
      expect((await post('/api/imports/inspect', { kind: 'conversions', sheetUrl: link(OK) }, null)).status).toBe(401)
      expect(requested.length).toBe(count)
    })

    test('nothing was stored by any refusal', async () => {
      expect(await storedState()).toEqual(before)
    })
  })
})
