import { createHash, randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'

/**
 * POST /api/imports over real HTTP: a messy conversions file, re-uploads, overlap, dry run,
 * roles, size, and what really landed in the database (checked as the owner).
 */
let owner: pg.Client
let ops: Session
let demoOrg: number
let northwindOrg: number
const tag = randomUUID().slice(0, 6).toUpperCase()
const oid = (n: number) => `T${tag}-${n}`

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  demoOrg = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
  northwindOrg = (await owner.query(`select id from organizations where slug = 'northwind'`)).rows[0].id
})

afterAll(async () => {
  await owner?.end()
})

async function conversionsFor(orderIds: string[]) {
  const { rows } = await owner.query(
    `select c.code, c.order_id, c.partner_id, c.value_minor::text as value_minor, c.currency, c.occurred_at, c.status, c.customer_name, c.organization_id, p.name as partner_name
       from conversions c left join partners p on p.id = c.partner_id
      where c.order_id = any($1) order by c.order_id`,
    [orderIds],
  )
  return rows
}

/**
 * BOM, `;` delimiter, CRLF, a quoted `;` and a quoted line break, a `?ref=jane10` link,
 * mixed-case codes, a duplicate within the file, an unknown code, a bad amount, an impossible date.
 */
const MESSY = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(
    [
      'Code;Order ID;Amount;Date;Customer Name;Customer Email',
      `https://shop.example/p?ref=jane10;${oid(1001)};49.99;2026-11-02;"Doe; Jane";jane.buyer@example.com`, // row 2: JANE10
      `trail15;${oid(1002)};"1,234.50";11/03/2026 14:05;"Line one\r\nLine two";`, // row 3: TRAIL15, value spans two lines
      `Maya;${oid(1003)};10.00;2026-11-04;;`, // row 4: MAYA
      `JANE10;${oid(1001)};49.99;2026-11-02;Again;`, // row 5: duplicate of row 2
      `NOBODY${tag};${oid(1004)};5.00;2026-11-05;;`, // row 6: unknown code -> unattributed
      `JANE10;${oid(1005)};12.345;2026-11-05;;`, // row 7: three decimals
      `MAYA;${oid(1006)};20.00;2026-02-30;;`, // row 8: February 30
      '',
    ].join('\r\n'),
    'utf8',
  ),
])

let firstImport: { importId: number; createdAt: string }

describe('a messy conversions file', () => {
  test('is imported with exact counts and errors naming row and column', async () => {
    const res = await upload(ops, MESSY, { fileName: 'Messy export.csv' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      status: 'completed',
      counts: { rowsIn: 7, created: 3, unattributed: 1, duplicate: 1, rejected: 2, updated: 0 },
      duplicates: { inFile: 1, existing: 0 },
      errorsTotal: 2,
      doc: { organization: demoOrg, kind: 'conversions', status: 'completed', fileName: 'Messy export.csv' },
    })
    const c = res.body.counts
    expect(c.created + c.unattributed + c.duplicate + c.rejected).toBe(c.rowsIn)
    expect(res.body.fileSha256).toBe(createHash('sha256').update(MESSY).digest('hex'))
    expect(res.body.errors).toEqual([
      expect.objectContaining({ row: 7, column: 'Amount', value: '12.345', code: 'amount_too_many_decimals' }),
      expect.objectContaining({ row: 8, column: 'Date', value: '2026-02-30', code: 'date_impossible' }),
    ])
    expect(res.body.errors[0].message).toMatch(/^Row 7, column "Amount"/)
    expect(res.body.errors[1].message).toMatch(/^Row 8, column "Date"/)
    firstImport = { importId: res.body.importId, createdAt: res.body.doc.createdAt }

    const stored = await conversionsFor([1001, 1002, 1003, 1004, 1005, 1006].map(oid))
    expect(stored.map((r) => [r.order_id, r.code, r.status, r.partner_name, r.value_minor])).toEqual([
      [oid(1001), 'JANE10', 'attributed', 'Jane Doe Media', '4999'],
      [oid(1002), 'TRAIL15', 'attributed', 'Trail Runners Club', '123450'],
      [oid(1003), 'MAYA', 'attributed', 'Maya Okafor', '1000'],
      [oid(1004), `NOBODY${tag}`, 'unattributed', null, '500'],
    ])
    expect(stored.every((r) => r.organization_id === demoOrg && r.currency === 'USD')).toBe(true)
    expect(stored[1].customer_name).toBe('Line one\r\nLine two')
    expect(new Date(stored[1].occurred_at).toISOString()).toBe('2026-11-03T14:05:00.000Z')
  })

  test('the import record keeps counts, errors, mapping and who uploaded it', async () => {
    const res = await ops.request('GET', `/api/imports/${firstImport.importId}?depth=0`)
    expect(res.status).toBe(200)
    const opsId = (await owner.query(`select id from users where email = 'ops@demo.test'`)).rows[0].id
    expect(res.body).toMatchObject({
      kind: 'conversions',
      status: 'completed',
      rowsIn: 7,
      organization: demoOrg,
      createdBy: opsId,
      override: false,
      mapping: { code: 'Code', order_id: 'Order ID', amount: 'Amount', occurred_at: 'Date' },
      counts: { created: 3, unattributed: 1, duplicate: 1, rejected: 2 },
    })
    expect(res.body.report.errors).toHaveLength(2)
    expect(res.body.report.samples.duplicate[0]).toMatchObject({ row: 5, detail: { of: 'row 2' } })
    expect(res.body.startedAt).toBeTruthy()
    expect(res.body.finishedAt).toBeTruthy()
  })

  test('one audit event records the import with its counts and SHA-256', async () => {
    const { rows } = await owner.query(
      `select * from audit_events where organization_id = $1 and entity_type = 'import' and entity_id = $2`,
      [demoOrg, String(firstImport.importId)],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ action: 'import.created', actor_label: 'ops@demo.test' })
    expect(rows[0].changes).toMatchObject({
      kind: 'conversions',
      sha256: createHash('sha256').update(MESSY).digest('hex'),
      counts: { rowsIn: 7, created: 3, unattributed: 1, duplicate: 1, rejected: 2 },
    })
    const admin = await login('admin@demo.test')
    expect((await admin.request('GET', '/api/audit-events/verify')).body).toMatchObject({ ok: true })
  })

  test('the same file again is refused with 409 naming the earlier import; nothing changes', async () => {
    const before = (await owner.query(`select count(*)::int n from conversions`)).rows[0].n
    const res = await upload(ops, MESSY, { fileName: 'renamed.csv' })
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(res.body.error).toMatchObject({
      code: 'already_imported',
      details: { importId: firstImport.importId, fileName: 'Messy export.csv', importedAt: firstImport.createdAt },
    })
    expect(res.body.error.message).toContain(`#${firstImport.importId}`)
    expect(res.body.error.message).toContain('Messy export.csv')
    expect((await owner.query(`select count(*)::int n from conversions`)).rows[0].n).toBe(before)
  })

  test('with override=true it is imported again, audited, and every stored key is a duplicate', async () => {
    const res = await upload(ops, MESSY, { fileName: 'again.csv', override: true })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 7, created: 0, unattributed: 0, duplicate: 5, rejected: 2 })
    expect(res.body.duplicates).toEqual({ inFile: 1, existing: 4 })
    expect(res.body.overrides).toMatchObject({ importId: firstImport.importId })
    const { rows } = await owner.query(`select override from imports where id = $1`, [res.body.importId])
    expect(rows[0].override).toBe(true)
    const event = (
      await owner.query(`select action, changes from audit_events where entity_type = 'import' and entity_id = $1`, [
        String(res.body.importId),
      ])
    ).rows[0]
    expect(event).toMatchObject({ action: 'import.created', changes: { override: true, overrides: { importId: firstImport.importId } } })
  })
})

describe('overlap, dry run and mapping', () => {
  test('an overlapping second file inserts only the new keys', async () => {
    const csv = [
      'code,order_id,amount,date',
      `JANE10,${oid(1001)},49.99,2026-11-02`, // stored by the first file
      `nobody${tag},${oid(1004)},5.00,2026-11-05`, // stored (unattributed) by the first file
      `JANE10,${oid(2001)},15.00,2026-11-06`,
      `MAYA,${oid(2002)},16.00,2026-11-06`,
      `JANE10,${oid(1005)},12.34,2026-11-05`, // rejected in the first file, fine now
    ].join('\n')
    const res = await upload(ops, csv, { fileName: 'overlap.csv' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 5, created: 3, unattributed: 0, duplicate: 2, rejected: 0 })
    expect(res.body.duplicates).toEqual({ inFile: 0, existing: 2 })
    const stored = await conversionsFor([1001, 1004, 1005, 2001, 2002].map(oid))
    expect(stored).toHaveLength(5)
    // The stored rows of the first file are untouched (value and name as first imported).
    expect(stored.find((r) => r.order_id === oid(1001))).toMatchObject({ value_minor: '4999', customer_name: 'Doe; Jane' })
  })

  test('a dry run reports the same counts and stores no conversion', async () => {
    const csv = [
      'code,order_id,amount,date',
      `JANE10,${oid(3001)},10.00,2026-11-07`,
      `ZZZ${tag},${oid(3002)},11.00,2026-11-07`,
      `JANE10,${oid(2001)},15.00,2026-11-06`,
      `JANE10,${oid(3003)},oops,2026-11-07`,
    ].join('\n')
    const before = (await owner.query(`select count(*)::int n from conversions`)).rows[0].n
    const res = await upload(ops, csv, { fileName: 'preview.csv', dryRun: true })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ status: 'dry_run', counts: { rowsIn: 4, created: 1, unattributed: 1, duplicate: 1, rejected: 1 } })
    expect(res.body.errors[0]).toMatchObject({ row: 5, column: 'amount', value: 'oops' })
    expect((await owner.query(`select count(*)::int n from conversions`)).rows[0].n).toBe(before)
    expect(await conversionsFor([oid(3001), oid(3002)])).toEqual([])
    const record = (await owner.query(`select status, rows_in::int from imports where id = $1`, [res.body.importId])).rows[0]
    expect(record).toEqual({ status: 'dry_run', rows_in: 4 })
    const event = (
      await owner.query(`select action from audit_events where entity_type = 'import' and entity_id = $1`, [String(res.body.importId)])
    ).rows
    expect(event).toEqual([{ action: 'import.dry_run' }])

    // A dry run does not count as an earlier import: the real one goes through.
    const real = await upload(ops, csv, { fileName: 'preview.csv' })
    expect(real.status, JSON.stringify(real.body)).toBe(201)
    expect(real.body.counts).toEqual(res.body.counts)
  })

  test('an explicit mapping reads a file with unfamiliar headers', async () => {
    const csv = ['Ref Thing;Bestellung;Summe;Wann', `maya;${oid(4001)};7.50;2026-11-08`].join('\n')
    const refused = await upload(ops, csv, { fileName: 'unfamiliar.csv' })
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('mapping_incomplete')
    expect(refused.body.error.details.missing).toEqual(['code', 'order_id', 'amount', 'occurred_at'])
    const wrong = await upload(ops, csv, {
      fileName: 'unfamiliar.csv',
      mapping: { code: 'Nope', order_id: 'Bestellung', amount: 'Summe', occurred_at: 'Wann' },
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toMatchObject({ code: 'mapping_invalid' })
    expect(wrong.body.error.message).toContain('"Nope"')
    const res = await upload(ops, csv, {
      fileName: 'unfamiliar.csv',
      mapping: { code: 'Ref Thing', order_id: 'Bestellung', amount: 'Summe', occurred_at: 'Wann' },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: 1, created: 1 })
  })
})

describe('refusals', () => {
  test('a manager, a finance user and an auditor get 403; no session gets 401', async () => {
    for (const email of ['manager@demo.test', 'finance@demo.test', 'auditor@demo.test']) {
      const s = await login(email)
      const res = await upload(s, `code,order_id,amount,date\nJANE10,${oid(5001)},1.00,2026-11-01\n`)
      expect(res.status, email).toBe(403)
    }
    expect((await upload(null, `code,order_id,amount,date\nJANE10,${oid(5001)},1.00,2026-11-01\n`)).status).toBe(401)
    expect(await conversionsFor([oid(5001)])).toEqual([])
  })

  test('a file over the size limit is refused with 413 before it is read', async () => {
    const big = Buffer.alloc(52 * 1024 * 1024, 'a')
    const res = await upload(ops, big, { fileName: 'huge.csv' })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('file_too_large')
  })

  test('not a .csv, another kind, an empty file', async () => {
    const xlsx = await upload(ops, 'code,order_id\n', { fileName: 'orders.xlsx' })
    expect(xlsx.status).toBe(415)
    const other = await upload(ops, 'name,code\nA,B\n', { kind: 'payouts', fileName: 'p.csv' })
    expect(other.status).toBe(400)
    expect(other.body.error).toMatchObject({ code: 'invalid_request', message: 'kind: must be one of partners, conversions, refunds.' })
    const empty = await upload(ops, '', { fileName: `empty-${tag}.csv` })
    expect(empty.status).toBe(422)
    expect(empty.body.error).toMatchObject({ code: 'invalid_file', details: { reason: 'empty_file' } })
    const failed = (await owner.query(`select status, report from imports where file_name = $1`, [`empty-${tag}.csv`])).rows
    expect(failed).toEqual([{ status: 'failed', report: { error: expect.objectContaining({ code: 'empty_file' }) } }])
  })

  test('a file-level error halfway leaves nothing behind', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `JANE10,${oid(60000 + i)},1.00,2026-11-01`)
    const csv = ['code,order_id,amount,date', ...rows, `JANE10,${oid(69999)},"1.00,2026-11-01`].join('\n')
    const res = await upload(ops, csv, { fileName: 'unterminated.csv' })
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect(res.body.error.details.reason).toBe('unterminated_quote')
    expect((await owner.query(`select count(*)::int n from conversions where order_id like $1`, [`T${tag}-6%`])).rows[0].n).toBe(0)
  })
})

describe('the same file twice at once', () => {
  test('two identical uploads racing: one is imported, the other is refused naming it', async () => {
    const csv = ['code,order_id,amount,date', ...Array.from({ length: 50 }, (_, i) => `JANE10,${oid(8000 + i)},2.00,2026-11-09`)].join('\n')
    const [a, b] = await Promise.all([upload(ops, csv, { fileName: 'race-a.csv' }), upload(ops, csv, { fileName: 'race-b.csv' })])
    const statuses = [a.status, b.status].sort()
    expect(statuses, JSON.stringify([a.body, b.body])).toEqual([201, 409])
    const winner = a.status === 201 ? a : b
    const loser = a.status === 201 ? b : a
    expect(loser.body.error.details.importId).toBe(winner.body.importId)
    expect(winner.body.counts).toMatchObject({ created: 50 })
    expect((await owner.query(`select count(*)::int n from conversions where order_id like $1`, [`T${tag}-80%`])).rows[0].n).toBe(50)
  })

  test('the database itself refuses a second completed import of the same bytes unless it is an override', async () => {
    const sha = createHash('sha256').update(`db-guard-${tag}`).digest('hex')
    const insert = (override: boolean) =>
      owner.query(
        `insert into imports (kind, status, file_name, file_sha256, override, organization_id) values ('conversions', 'completed', 'x.csv', $1, $2, $3)`,
        [sha, override, demoOrg],
      )
    await insert(false)
    await expect(insert(false)).rejects.toMatchObject({ code: '23505', constraint: 'imports_completed_file_key' })
    await expect(insert(true)).resolves.toBeTruthy()
    // Another kind, another organization, or a dry run is not the same import.
    await owner.query(
      `insert into imports (kind, status, file_name, file_sha256, organization_id) values ('refunds', 'completed', 'x.csv', $1, $2)`,
      [sha, demoOrg],
    )
    await owner.query(
      `insert into imports (kind, status, file_name, file_sha256, organization_id) values ('conversions', 'completed', 'x.csv', $1, $2)`,
      [sha, northwindOrg],
    )
    await owner.query(
      `insert into imports (kind, status, file_name, file_sha256, organization_id) values ('conversions', 'dry_run', 'x.csv', $1, $2)`,
      [sha, demoOrg],
    )
  })
})

describe('isolation', () => {
  test('imports and their conversions belong to the active organization only', async () => {
    const csv = `code,order_id,amount,date\nNORTH5,${oid(7001)},3.00,2026-11-01\nJANE10,${oid(7002)},4.00,2026-11-01\n`
    const res = await upload(ops, csv, { fileName: 'northwind.csv', headers: { 'x-organization-id': String(northwindOrg) } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.doc.organization).toBe(northwindOrg)
    // JANE10 is a demo partner's code: in Northwind it matches nobody.
    expect(res.body.counts).toMatchObject({ created: 1, unattributed: 1 })
    const stored = await conversionsFor([oid(7001), oid(7002)])
    expect(stored.map((r) => [r.organization_id, r.status])).toEqual([
      [northwindOrg, 'attributed'],
      [northwindOrg, 'unattributed'],
    ])
    // From the demo organization the Northwind import does not exist.
    expect((await ops.request('GET', `/api/imports/${res.body.importId}`)).status).toBe(404)
    const list = await ops.request('GET', '/api/imports?limit=1000&depth=0')
    expect(list.body.docs.every((d: { organization: number }) => d.organization === demoOrg)).toBe(true)
    // Every conversion this file's run stored belongs to the organization that imported it.
    const { rows } = await owner.query(`select distinct organization_id from conversions where order_id like $1 and order_id <> all($2)`, [
      `T${tag}-%`,
      [oid(7001), oid(7002)],
    ])
    expect(rows.map((r) => r.organization_id)).toEqual([demoOrg])
  })
})

describe('volume', () => {
  const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 12_000)
  test(`${ROWS} rows through the endpoint, in chunks, all or nothing`, async () => {
    const lines = ['code,order_id,amount,date,customer_email']
    for (let i = 0; i < ROWS; i++) {
      const code = i % 10 === 0 ? `UNK${tag}` : ['NORTH5', 'north5', 'https://northwind.example/r/north5'][i % 3]
      lines.push(
        `${code},V${tag}-${i},${(i % 500) + 1}.${String(i % 100).padStart(2, '0')},2026-10-${String((i % 28) + 1).padStart(2, '0')} 12:00,c${i}@example.com`,
      )
    }
    const csv = lines.join('\n')
    const t0 = performance.now()
    const res = await upload(ops, csv, { fileName: `volume-${ROWS}.csv`, headers: { 'x-organization-id': String(northwindOrg) } })
    const seconds = (performance.now() - t0) / 1000
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201)
    expect(res.body.counts).toMatchObject({ rowsIn: ROWS, created: ROWS - ROWS / 10, unattributed: ROWS / 10, duplicate: 0, rejected: 0 })
    const stored = (
      await owner.query(`select count(*)::int n from conversions where organization_id = $1 and order_id like $2`, [
        northwindOrg,
        `V${tag}-%`,
      ])
    ).rows[0].n
    expect(stored).toBe(ROWS)
    console.log(
      `import volume: ${ROWS} rows in ${seconds.toFixed(2)} s over HTTP = ${Math.round(ROWS / seconds)} rows/s (server ${res.body.durationMs} ms, of which inserts ${res.body.insertMs} ms)`,
    )
  })
})
