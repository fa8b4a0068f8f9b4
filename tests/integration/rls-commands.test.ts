import { createHash, randomUUID } from 'node:crypto'

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { createOrgFixture, createUser, type OrgFixture } from '../helpers/fixtures'

/**
 * Checklist rows 5 and 9, pgTAP style: every tenant table the catalog reports × SELECT, INSERT,
 * UPDATE, DELETE × {own organization, foreign organization, no organization}, as the app role.
 * Allowed writes are proven with RETURNING; refused ones with SQLSTATE 42501 (missing grant,
 * WITH CHECK, or an immutability trigger). Every case runs in a transaction that is rolled back.
 *
 * The grant table below is written out by hand on purpose: a migration that grants more (or
 * adds a table) fails here until someone decides it is right and says so in this file.
 */
type Command = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
const GRANTS: Record<string, Command[]> = {
  audit_events: ['SELECT', 'INSERT'],
  batch_lines: ['SELECT', 'INSERT', 'UPDATE'],
  batches: ['SELECT', 'INSERT', 'UPDATE'],
  commissions: ['SELECT', 'INSERT', 'UPDATE'],
  conversions: ['SELECT', 'INSERT', 'UPDATE'],
  flags: ['SELECT', 'INSERT', 'UPDATE'],
  // Stored answers of Idempotency-Key requests: written once, replayed, purged when expired.
  idempotency_keys: ['SELECT', 'INSERT', 'DELETE'],
  imports: ['SELECT', 'INSERT', 'UPDATE'],
  memberships: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  outbox: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  partner_codes: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  partners: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  payout_exports: ['SELECT', 'INSERT'],
  refunds: ['SELECT', 'INSERT', 'UPDATE'],
  // Count rows are appended by the insert trigger (as the inserting role) and folded with DELETE; never updated.
  tenant_row_counts: ['SELECT', 'INSERT', 'DELETE'],
}
const IDENTITIES = ['own', 'foreign', 'none'] as const
type Identity = (typeof IDENTITIES)[number]

let owner: pg.Client
let app: pg.Client
let a: OrgFixture
let b: OrgFixture
let spareUser: number
let tenantTables: string[]
/** One row of organization A per tenant table (the fixture's). */
const rowOfA: Record<string, number> = {}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  app = new pg.Client({ connectionString: inject('appUrl') })
  await owner.connect()
  await app.connect()
  a = await createOrgFixture(owner, 'Commands A')
  b = await createOrgFixture(owner, 'Commands B')
  spareUser = await createUser(owner)
  const { rows } = await owner.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and c.column_name = 'organization_id' and t.table_type = 'BASE TABLE' order by 1`,
  )
  tenantTables = rows.map((r) => r.table_name)
  for (const t of tenantTables) {
    const r = await owner.query<{ id: number }>(`select min(id)::int as id from ${t} where organization_id = $1`, [a.organizationId])
    rowOfA[t] = r.rows[0]!.id
  }
})

afterAll(async () => {
  await app?.end()
  await owner?.end()
})

/** Runs `fn` as the app role with the given organization set (or none), always rolled back. */
async function as<T>(orgId: number | null, fn: () => Promise<T>): Promise<T> {
  await app.query('begin')
  try {
    await app.query(`select set_config('app.org_id', $1, true)`, [orgId == null ? '' : String(orgId)])
    return await fn()
  } finally {
    await app.query('rollback')
  }
}

function orgFor(identity: Identity): number | null {
  return identity === 'own' ? a.organizationId : identity === 'foreign' ? b.organizationId : null
}

/** A valid new row of organization A for each table (its references are A's fixture rows). */
function insertFor(table: string): [string, unknown[]] {
  const tag = randomUUID().slice(0, 8)
  const org = a.organizationId
  const sha = createHash('sha256').update(tag).digest('hex')
  const ids = a.ids as Record<string, number>
  const statements: Record<string, [string, unknown[]]> = {
    partners: [`insert into partners (name, status, organization_id) values ($1, 'active', $2)`, [`Cmd ${tag}`, org]],
    partner_codes: [
      `insert into partner_codes (code, partner_id, organization_id) values ($1, $2, $3)`,
      [`CMD${tag.toUpperCase()}`, ids.partners, org],
    ],
    conversions: [
      `insert into conversions (code, order_id, partner_id, value_minor, currency, occurred_at, status, organization_id)
       values ($1, $2, $3, 500, 'USD', now(), 'attributed', $4)`,
      [`CMD${tag.toUpperCase()}`, `cmd-${tag}`, ids.partners, org],
    ],
    commissions: [
      `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, reason, organization_id)
       values ($1, 'adjustment', 1, 'USD', now(), 'pending', 'rls commands', $2)`,
      [ids.partners, org],
    ],
    batches: [
      `insert into batches (reference, status, as_of, totals, line_count, organization_id) values ($1, 'draft', now(), '[]', 0, $2)`,
      [`CMD-${tag}`, org],
    ],
    batch_lines: [
      `insert into batch_lines (batch_id, line_no, partner_id, partner_name, amount_minor, currency, entry_count, organization_id)
       values ($1, 1000 + floor(random() * 100000), $2, 'Cmd partner', 100, 'USD', 1, $3)`,
      [ids.batches, ids.partners, org],
    ],
    audit_events: [
      `insert into audit_events (organization_id, seq, occurred_at, actor_label, action, entity_type, entity_id, prev_hash, hash)
       values ($1, 3000000 + floor(random() * 1000000), now(), 'rls', 'rls.commands', 'fixture', '0', 'x', 'x')`,
      [org],
    ],
    outbox: [`insert into outbox (recipient, subject, organization_id) values ('cmd@fixture.test', $1, $2)`, [`Cmd ${tag}`, org]],
    imports: [
      `insert into imports (kind, status, file_name, file_sha256, rows_in, organization_id) values ('conversions', 'completed', $1, $2, 0, $3)`,
      [`cmd-${tag}.csv`, sha, org],
    ],
    refunds: [
      `insert into refunds (order_id, amount_minor, refunded_at, status, organization_id) values ($1, 100, now(), 'unmatched', $2)`,
      [`cmd-${tag}`, org],
    ],
    flags: [
      `insert into flags (conversion_id, partner_id, rule, evidence, status, organization_id) values ($1, $2, 'employee_domain', '{}', 'open', $3)`,
      [ids.conversions, ids.partners, org],
    ],
    payout_exports: [
      `insert into payout_exports (batch_id, format, file_name, sha256, totals, organization_id) values ($1, 'generic', $2, $3, '[]', $4)`,
      [ids.batches, `cmd-${tag}.csv`, sha, org],
    ],
    memberships: [`insert into memberships (user_id, role, organization_id) values ($1, 'auditor', $2)`, [spareUser, org]],
    idempotency_keys: [
      `insert into idempotency_keys (organization_id, user_id, route, key, request_hash, response_status, response_body, expires_at)
       values ($1, $2, 'POST /api/batches/draft', $3, $4, 200, '{}', now() + interval '1 day')`,
      [org, spareUser, `cmd-${tag}`, sha],
    ],
    tenant_row_counts: [`insert into tenant_row_counts (organization_id, table_name, rows) values ($1, 'conversions', 0)`, [org]],
  }
  const s = statements[table]
  if (!s) throw new Error(`no insert statement for ${table}: add one here (and its grants above)`)
  return [`${s[0]} returning id, organization_id`, s[1]]
}

async function sqlstate(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: { code?: string }) => e.code ?? 'no-code',
  )
}

describe('the grant table', () => {
  test('the catalog’s tenant tables are exactly the ones this file knows (a new table must be added here)', () => {
    expect(tenantTables).toEqual(Object.keys(GRANTS).sort())
  })

  test('ledger_app holds exactly the listed table privileges, and nothing like TRUNCATE, REFERENCES or TRIGGER', async () => {
    const { rows } = await owner.query<{ table_name: string; privilege_type: string }>(
      `select table_name, privilege_type from information_schema.table_privileges
        where grantee = 'ledger_app' and table_schema = 'public' and table_name = any($1)`,
      [tenantTables],
    )
    const actual: Record<string, string[]> = {}
    for (const r of rows) (actual[r.table_name] ??= []).push(r.privilege_type)
    const expected = Object.fromEntries(Object.entries(GRANTS).map(([t, c]) => [t, [...c].sort()]))
    for (const t of Object.keys(actual)) actual[t]!.sort()
    expect(actual).toEqual(expected)
  })
})

describe.each(Object.keys(GRANTS))('%s', (table) => {
  const granted = (c: Command) => GRANTS[table]!.includes(c)

  test.each(IDENTITIES)('SELECT as %s', async (identity) => {
    const rows = await as(orgFor(identity), async () => (await app.query(`select id from ${table} where id = $1`, [rowOfA[table]])).rows)
    expect(rows).toHaveLength(identity === 'own' ? 1 : 0)
  })

  test.each(IDENTITIES)('INSERT as %s: RETURNING the row, or 42501', async (identity) => {
    const [text, values] = insertFor(table)
    const outcome = await as(orgFor(identity), () =>
      app.query(text, values).then(
        // bigserial ids arrive as digit strings
        (r) => ({ rows: r.rows.map((x) => ({ ...x, id: /^\d+$/.test(String(x.id)) ? 'number' : typeof x.id })), code: null }),
        (e: { code?: string; message?: string }) => ({ rows: [], code: e.code ?? e.message }),
      ),
    )
    if (identity === 'own' && granted('INSERT')) {
      expect(outcome).toEqual({ rows: [{ id: 'number', organization_id: a.organizationId }], code: null })
    } else {
      // Acting as B (or as nobody) with a row of A: the WITH CHECK refuses it before any key is looked at.
      expect(outcome).toEqual({ rows: [], code: '42501' })
    }
  })

  test.each(IDENTITIES)('UPDATE as %s: RETURNING the own row only, or 42501 where not granted', async (identity) => {
    const touch =
      table === 'tenant_row_counts' ? 'rows = rows' : table === 'idempotency_keys' ? 'expires_at = expires_at' : 'updated_at = updated_at'
    const run = () => app.query(`update ${table} set ${touch} where id = $1 returning id`, [rowOfA[table]])
    if (!granted('UPDATE')) {
      expect(await as(orgFor(identity), () => sqlstate(run()))).toBe('42501')
      return
    }
    const res = await as(orgFor(identity), run)
    expect(res.rows).toEqual(identity === 'own' ? [{ id: rowOfA[table] }] : [])
  })

  test.each(IDENTITIES)('DELETE as %s: RETURNING a new own row only, or 42501 where not granted', async (identity) => {
    if (!granted('DELETE')) {
      expect(await as(orgFor(identity), () => sqlstate(app.query(`delete from ${table} where id = $1`, [rowOfA[table]])))).toBe('42501')
      return
    }
    // A fresh row of A (inserted by the owner in this transaction-less setup, removed again below),
    // so the delete is not refused by rows that reference the fixture.
    const [text, values] = insertFor(table)
    const fresh = (await owner.query<{ id: number }>(text, values)).rows[0]!.id
    try {
      const res = await as(orgFor(identity), () => app.query(`delete from ${table} where id = $1 returning id`, [fresh]))
      expect(res.rows).toEqual(identity === 'own' ? [{ id: fresh }] : [])
      // Rolled back: still there for the owner either way.
      expect((await owner.query(`select 1 from ${table} where id = $1`, [fresh])).rowCount).toBe(1)
    } finally {
      await owner.query(`delete from ${table} where id = $1`, [fresh])
    }
  })

  test('UPDATE moving the row to another organization: 42501 (WITH CHECK, or no grant / trigger)', async () => {
    const code = await as(a.organizationId, () =>
      sqlstate(app.query(`update ${table} set organization_id = $1 where id = $2`, [b.organizationId, rowOfA[table]])),
    )
    expect(code).toBe('42501')
  })

  test('TRUNCATE: 42501', async () => {
    expect(await sqlstate(app.query(`truncate ${table}`))).toBe('42501')
  })
})

/**
 * Row 9: ledger and audit history as the app role. The grants refuse DELETE on all of them and
 * UPDATE on audit_events and payout_exports; where UPDATE is granted (for status and payment
 * columns) the triggers refuse any change to the recorded facts. A correction is a new entry.
 */
describe('history tables refuse edits and deletes as the app role', () => {
  const FACTS: [string, string][] = [
    ['commissions', 'amount_minor = amount_minor + 1'],
    ['commissions', `currency = 'EUR'`],
    ['commissions', 'partner_id = null'],
    ['conversions', 'value_minor = value_minor + 1'],
    ['conversions', `order_id = order_id || '-x'`],
    ['conversions', "occurred_at = occurred_at - interval '1 day'"],
    ['refunds', 'amount_minor = amount_minor + 1'],
    ['audit_events', `action = 'forged'`],
    ['audit_events', `hash = 'x'`],
    ['payout_exports', `sha256 = 'x'`],
  ]

  test.each(FACTS)('%s: UPDATE set %s → 42501, row unchanged', async (table, set) => {
    const before = (await owner.query(`select to_jsonb(t) as row from ${table} t where id = $1`, [rowOfA[table]])).rows[0].row
    const code = await as(a.organizationId, () => sqlstate(app.query(`update ${table} set ${set} where id = $1`, [rowOfA[table]])))
    expect(code).toBe('42501')
    const after = (await owner.query(`select to_jsonb(t) as row from ${table} t where id = $1`, [rowOfA[table]])).rows[0].row
    expect(after).toEqual(before)
  })

  test.each(['commissions', 'conversions', 'refunds', 'audit_events', 'payout_exports', 'batches', 'batch_lines', 'flags'])(
    '%s: DELETE → 42501, row still there',
    async (table) => {
      const code = await as(a.organizationId, () => sqlstate(app.query(`delete from ${table} where id = $1`, [rowOfA[table]])))
      expect(code).toBe('42501')
      expect((await owner.query(`select 1 from ${table} where id = $1`, [rowOfA[table]])).rowCount).toBe(1)
    },
  )

  test('an entry in an approved batch cannot be moved out or re-priced, even where UPDATE is granted', async () => {
    // An approved batch stays approved (the trigger refuses the way back even to the owner): this
    // file's own organization, and the last test to touch its batch.
    await owner.query(`update batches set status = 'approved' where id = $1`, [a.ids.batches])
    for (const set of ['batch_id = null', `status = 'pending'`]) {
      const code = await as(a.organizationId, () => sqlstate(app.query(`update commissions set ${set} where id = $1`, [a.ids.commissions])))
      expect(code, set).toBe('42501')
    }
    const line = await as(a.organizationId, () =>
      sqlstate(app.query(`update batch_lines set amount_minor = 1 where id = $1`, [a.ids['batch-lines']])),
    )
    expect(line).toBe('42501')
    const added = await as(a.organizationId, () => sqlstate(app.query(insertFor('batch_lines')[0], insertFor('batch_lines')[1])))
    expect(added).toBe('42501')
  })
})
