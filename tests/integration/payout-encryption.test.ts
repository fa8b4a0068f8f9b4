import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'

import { decryptPayout, keyIdOf, keyringFromEnv } from '../../src/security/payout-crypto'
import { login, type Session } from '../helpers/http'
import { upload } from '../helpers/upload'
import { TEST_PAYOUT_KEY } from '../setup/global-setup'

/**
 * Payout details at rest (checklist row 26): AES-256-GCM with a key from the environment; the
 * database, and a dump of it, hold no plain account number or payout address; the API masks to
 * the last 4; a full reveal is allowed to admin and finance only and is audited; a key rotation
 * re-encrypts every value.
 */
const run = promisify(execFile)
let owner: pg.Client
let ops: Session
let finance: Session
let org: number
const tag = randomUUID().slice(0, 6).toUpperCase()
// Valid IBANs no other test or fixture uses, so the dump check can only find these rows.
const IBAN = 'GB33BUKB20201555555555'
const ACCOUNT = '004455667788'
const PAYPAL = `paid.${tag.toLowerCase()}@paypal.test`
const ring = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY, PAYOUT_ENCRYPTION_KEY_ID: 'test1' })
let partnerId: number

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  ops = await login('ops@demo.test')
  finance = await login('finance@demo.test')
  org = (await owner.query(`select id from organizations where slug = 'demo'`)).rows[0].id
  const res = await ops.request('POST', '/api/partners', {
    name: `Secret ${tag}`,
    status: 'active',
    payoutMethod: 'bank',
    payoutEmail: PAYPAL,
    payoutDetails: { iban: IBAN, accountNumber: ACCOUNT, holderName: `Holder ${tag}` },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  partnerId = res.body.doc.id
})

afterAll(async () => {
  await owner?.end()
})

test('stored encrypted under the configured key; the API shows only the last 4', async () => {
  const { rows } = await owner.query(
    `select payout_email, payout_details_iban, payout_details_account_number from partners where id = $1`,
    [partnerId],
  )
  for (const v of Object.values(rows[0]) as string[]) {
    expect(v).toMatch(/^pl1:test1:/)
    expect(v).not.toContain(IBAN)
  }
  expect(decryptPayout(rows[0].payout_details_iban, ring)).toBe(IBAN)
  const read = await ops.request('GET', `/api/partners/${partnerId}`)
  expect(read.body.payoutDetails).toMatchObject({ iban: '•••• 5555', accountNumber: '•••• 7788' })
  expect(read.body.payoutEmail).toBe('•••• test')
})

test('saving the form with the masked values shown keeps the stored details', async () => {
  const read = await ops.request('GET', `/api/partners/${partnerId}`)
  const res = await ops.request('PATCH', `/api/partners/${partnerId}`, {
    name: `Secret ${tag} renamed`,
    payoutEmail: read.body.payoutEmail,
    payoutDetails: read.body.payoutDetails,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  const { rows } = await owner.query(`select name, payout_details_iban, payout_email from partners where id = $1`, [partnerId])
  expect(rows[0].name).toBe(`Secret ${tag} renamed`)
  expect(decryptPayout(rows[0].payout_details_iban, ring)).toBe(IBAN)
  expect(decryptPayout(rows[0].payout_email, ring)).toBe(PAYPAL)
})

test('the full details are revealed to finance, audited, and refused to ops', async () => {
  expect((await ops.request('GET', `/api/partners/${partnerId}/payout-details`)).status).toBe(403)
  const res = await finance.request('GET', `/api/partners/${partnerId}/payout-details`)
  expect(res.status).toBe(200)
  expect(res.body).toMatchObject({ payoutEmail: PAYPAL, payoutDetails: { iban: IBAN, accountNumber: ACCOUNT } })
  const { rows } = await owner.query(
    `select e.action, u.email from audit_events e join users u on u.id = e.actor_id
      where e.organization_id = $1 and e.action = 'partner.payout_details_revealed' and e.entity_id = $2`,
    [org, String(partnerId)],
  )
  expect(rows).toEqual([{ action: 'partner.payout_details_revealed', email: 'finance@demo.test' }])
})

test('a partner list import stores bank details encrypted too', async () => {
  const res = await upload(ops, `name,code,iban,payout_email\nImported ${tag},ENC${tag},BE68539007547034,imp.${tag}@pay.test\n`, {
    kind: 'partners',
    fileName: `enc-${tag}.csv`,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  const { rows } = await owner.query(
    `select p.payout_details_iban, p.payout_email from partners p join partner_codes c on c.partner_id = p.id where c.code = $1`,
    [`ENC${tag}`],
  )
  expect(rows[0].payout_details_iban).toMatch(/^pl1:/)
  expect(decryptPayout(rows[0].payout_details_iban, ring)).toBe('BE68539007547034')
  const audit = await owner.query(
    `select changes::text from audit_events where organization_id = $1 and action = 'partner.created' order by id desc limit 1`,
    [org],
  )
  expect(audit.rows[0].changes).not.toContain('BE68539007547034')
})

test('a dump of the database holds no plain payout detail', async () => {
  let dump: string
  if (inject('dbKind') === 'server') {
    dump = (
      await run('pg_dump', ['--data-only', '--table=partners', '--table=audit_events', inject('ownerUrl')], {
        maxBuffer: 256 * 1024 * 1024,
      })
    ).stdout
  } else {
    // The embedded PostgreSQL ships no pg_dump (and Debian's is older than its server): the
    // same rows as text, which is what a data-only dump writes.
    const { rows } = await owner.query(
      `select (select string_agg(t::text, E'\n') from partners t) || E'\n' || (select string_agg(t::text, E'\n') from audit_events t) as dump`,
    )
    dump = rows[0].dump
  }
  expect(dump).toContain(`Secret ${tag}`)
  for (const secret of [IBAN, ACCOUNT, PAYPAL, 'BE68539007547034']) expect(dump).not.toContain(secret)
})

test('rotating the key re-encrypts every value; the old key still reads until then', async () => {
  const next = Buffer.alloc(32, 9).toString('base64')
  const env = {
    ...process.env,
    DATABASE_OWNER_URL: inject('ownerUrl'),
    PAYOUT_ENCRYPTION_KEY: next,
    PAYOUT_ENCRYPTION_KEY_ID: 'test2',
    PAYOUT_ENCRYPTION_OLD_KEYS: `test1:${TEST_PAYOUT_KEY}`,
  }
  const { stdout } = await run('npx', ['tsx', 'scripts/rotate-payout-keys.ts'], { env })
  expect(stdout).toMatch(/Re-encrypted \d+ payout detail values under key "test2"/)
  const { rows } = await owner.query(`select payout_details_iban from partners where id = $1`, [partnerId])
  expect(keyIdOf(rows[0].payout_details_iban)).toBe('test2')
  const rotated = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: next, PAYOUT_ENCRYPTION_KEY_ID: 'test2' })
  expect(decryptPayout(rows[0].payout_details_iban, rotated)).toBe(IBAN)
  // Back to the test server's key, so the rest of the suite reads what it wrote.
  const back = {
    ...env,
    PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
    PAYOUT_ENCRYPTION_KEY_ID: 'test1',
    PAYOUT_ENCRYPTION_OLD_KEYS: `test2:${next}`,
  }
  await run('npx', ['tsx', 'scripts/rotate-payout-keys.ts'], { env: back })
  const after = await owner.query(`select payout_details_iban from partners where id = $1`, [partnerId])
  expect(keyIdOf(after.rows[0].payout_details_iban)).toBe('test1')
})
