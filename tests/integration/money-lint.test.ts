import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { currencyExponent } from '../../src/ledger/currency'
import { login, type Session } from '../helpers/http'

/**
 * Checklist row 15, money lint, read from the live catalog and the live API so a new column or
 * endpoint is covered without being listed: no float column anywhere; every money column is an
 * integer type or a numeric held to whole minor units by a CHECK; every amount inside stored JSON
 * and inside API JSON is an integer or an integer string, never a float.
 */
let owner: pg.Client
let auditor: Session
let demo: number

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  await owner.connect()
  demo = (await owner.query<{ id: number }>(`select id from organizations where slug = 'demo'`)).rows[0]!.id
  auditor = await login('auditor@demo.test')
})

afterAll(async () => {
  await owner?.end()
})

/** Keys that carry money by the project's naming rule: `…Minor` in JSON, `…_minor` in SQL. */
const MONEY_KEY = /minor$/i
const MONEY_COLUMN = /(_minor|amount|price|balance|total)$/

/** Every (path, value) under a key that names money, anywhere in a JSON value. */
function moneyValues(value: unknown, at = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => moneyValues(v, `${at}[${i}]`))
  if (value == null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${at}.${k}`
    if (MONEY_KEY.test(k) && (v == null || typeof v !== 'object')) return [[here, v] as [string, unknown]]
    return moneyValues(v, here)
  })
}

/**
 * An amount is whole minor units: a safe integer or an integer string. The one exception is an
 * explanation's `exact…Minor` (the unrounded product a commission was rounded from, shown to
 * people): an exact decimal string, never a JSON number with a fraction.
 */
function isWholeMinor(at: string, v: unknown): boolean {
  if (v == null) return true
  if (typeof v === 'number') return Number.isSafeInteger(v)
  if (typeof v !== 'string') return false
  return /\.exact\w*$/i.test(at) ? /^-?\d+(\.\d+)?$/.test(v) : /^-?\d+$/.test(v)
}

describe('columns', () => {
  test('no real, double precision or money column anywhere in the schema', async () => {
    const { rows } = await owner.query(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' and data_type in ('real', 'double precision', 'money')`,
    )
    expect(rows).toEqual([])
  })

  test('every money column is whole minor units: an integer type, or numeric with a CHECK (col = trunc(col))', async () => {
    const { rows } = await owner.query<{ table_name: string; column_name: string; data_type: string; numeric_scale: number | null }>(
      `select table_name, column_name, data_type, numeric_scale from information_schema.columns
        where table_schema = 'public' and data_type <> 'jsonb' and column_name ~ $1 order by 1, 2`,
      [MONEY_COLUMN.source],
    )
    // Not vacuous: the ledger's amounts are among them.
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual(
      expect.arrayContaining(['commissions.amount_minor', 'conversions.value_minor', 'batch_lines.amount_minor', 'refunds.amount_minor']),
    )
    const checks = await owner.query<{ table: string; def: string }>(
      `select conrelid::regclass::text as table, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'c'`,
    )
    const bad = rows.filter((r) => {
      if (['bigint', 'integer', 'smallint'].includes(r.data_type)) return false
      if (r.data_type !== 'numeric') return true
      if (r.numeric_scale === 0) return false
      const held = new RegExp(`\\(${r.column_name} = trunc\\(${r.column_name}\\)\\)`)
      return !checks.rows.some((c) => c.table === r.table_name && held.test(c.def))
    })
    expect(bad.map((r) => `${r.table_name}.${r.column_name} (${r.data_type})`)).toEqual([])
  })

  test('the CHECK really refuses a fractional amount (so the lint above reads a live guard)', async () => {
    await expect(
      owner.query(
        `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, reason, organization_id)
         select id, 'adjustment', 1.5, 'USD', now(), 'pending', 'lint', organization_id from partners where organization_id = $1 limit 1`,
        [demo],
      ),
    ).rejects.toMatchObject({ code: '23514' })
  })
})

describe('JSON', () => {
  test('amounts inside every stored jsonb column (totals, explanations, reports, snapshots) are integers or integer strings', async () => {
    const { rows: cols } = await owner.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type = 'jsonb'
          and table_name not like 'payload\\_%' order by 1, 2`,
    )
    let seen = 0
    const bad: string[] = []
    for (const c of cols) {
      const { rows } = await owner.query(`select id, ${c.column_name} as v from ${c.table_name} where ${c.column_name} is not null`)
      for (const r of rows) {
        for (const [at, v] of moneyValues(r.v)) {
          seen++
          if (!isWholeMinor(at, v)) bad.push(`${c.table_name}.${c.column_name} id ${r.id} ${at} = ${JSON.stringify(v)}`)
        }
      }
    }
    // The seeded demo has batches with totals and entries with explanations: the walk found money.
    expect(seen).toBeGreaterThan(100)
    expect(bad.slice(0, 20)).toEqual([])
    console.log(`money lint: ${seen} amounts in ${cols.length} stored jsonb columns, all whole minor units`)
  })

  test('amounts in API responses are integers or integer strings, never floats', async () => {
    const { rows } = await owner.query<{ partner: number; batch: number }>(
      `select (select min(partner_id) from commissions where organization_id = $1) as partner,
              (select min(id) from batches where organization_id = $1) as batch`,
      [demo],
    )
    const { partner, batch } = rows[0]!
    const paths = [
      '/api/commissions?limit=200&depth=0',
      '/api/conversions?limit=200&depth=0',
      '/api/refunds?limit=200&depth=0',
      '/api/batches?limit=50&depth=0',
      '/api/batch-lines?limit=200&depth=0',
      '/api/payout-exports?limit=50&depth=0',
      '/api/commissions/negative-balances',
      '/api/conversions/unattributed',
      `/api/partners/${partner}/balance`,
      `/api/partners/${partner}/statement?from=2020-01-01&to=2030-12-31`,
      `/api/batches/${batch}/review`,
      '/api/dashboard',
      '/api/reconciliation?from=2020-01-01&to=2030-12-01',
    ]
    let seen = 0
    const bad: string[] = []
    for (const p of paths) {
      const res = await auditor.request('GET', p)
      expect(res.status, `${p}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(200)
      const found = moneyValues(res.body)
      seen += found.length
      for (const [at, v] of found) if (!isWholeMinor(at, v)) bad.push(`${p} ${at} = ${JSON.stringify(v)}`)
    }
    expect(seen).toBeGreaterThan(100)
    expect(bad.slice(0, 20)).toEqual([])
    console.log(`money lint: ${seen} amounts in ${paths.length} API responses, all whole minor units`)
  })
})

describe('currency exponents', () => {
  test.each([
    ['JPY', 0],
    ['USD', 2],
    ['EUR', 2],
    ['BHD', 3],
    ['KWD', 3],
  ])('%s has %i decimals', (code, exp) => {
    expect(currencyExponent(code)).toBe(exp)
  })

  test('an unknown currency is refused, not guessed', () => {
    expect(() => currencyExponent('XYZ')).toThrow(/unknown currency/)
  })
})
