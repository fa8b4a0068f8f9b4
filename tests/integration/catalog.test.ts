import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { createOrgFixture, type OrgFixture } from '../helpers/fixtures'

/**
 * CI catalog lint (checklist rows 2, 3, 6, 7, 8), read from pg_catalog rather than from a list in
 * the code, so a table, view or function added by a later migration is checked without anyone
 * remembering to add it. rls.test.ts covers the same ground for partners / partner_codes by hand;
 * this file generalises it to every table the catalog reports.
 */
let owner: pg.Client
let app: pg.Client
let a: OrgFixture
let b: OrgFixture
let tenantTables: string[]

beforeAll(async () => {
  owner = new pg.Client({ connectionString: inject('ownerUrl') })
  app = new pg.Client({ connectionString: inject('appUrl') })
  await owner.connect()
  await app.connect()
  a = await createOrgFixture(owner, 'Catalog A')
  b = await createOrgFixture(owner, 'Catalog B')
  const { rows } = await owner.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and c.column_name = 'organization_id' and t.table_type = 'BASE TABLE' order by 1`,
  )
  tenantTables = rows.map((r) => r.table_name)
})

afterAll(async () => {
  await app?.end()
  await owner?.end()
})

async function asTenant<T>(orgId: number | null, fn: () => Promise<T>): Promise<T> {
  await app.query('begin')
  try {
    await app.query(`select set_config('app.org_id', $1, true)`, [orgId == null ? '' : String(orgId)])
    return await fn()
  } finally {
    await app.query('rollback')
  }
}

describe('catalog', () => {
  test('the tables carrying organization_id are found (the checks below are not vacuous)', () => {
    expect(tenantTables).toEqual(expect.arrayContaining(['partners', 'conversions', 'audit_events', 'imports', 'memberships']))
  })

  test('every table with organization_id (and organizations) has RLS enabled AND forced', async () => {
    const { rows } = await owner.query(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any($1) order by 1`,
      [[...tenantTables, 'organizations']],
    )
    expect(rows).toHaveLength(tenantTables.length + 1)
    const weak = rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity).map((r) => r.relname)
    expect(weak, 'tables without ENABLE + FORCE ROW LEVEL SECURITY').toEqual([])
  })

  test('every RLS table has a policy, and every tenant policy names the organization setting', async () => {
    const { rows } = await owner.query(
      `select c.relname, count(p.polname)::int as policies from pg_class c join pg_namespace n on n.oid = c.relnamespace
         left join pg_policy p on p.polrelid = c.oid
        where n.nspname = 'public' and c.relrowsecurity group by 1 order by 1`,
    )
    expect(rows.filter((r) => r.policies === 0).map((r) => r.relname)).toEqual([])
    const policies = await owner.query(
      `select tablename, policyname, qual, with_check from pg_policies where schemaname = 'public' and tablename = any($1)`,
      [tenantTables],
    )
    for (const p of policies.rows) {
      const text = `${p.qual ?? ''} ${p.with_check ?? ''}`
      expect(text, `${p.tablename}.${p.policyname}`).toMatch(/organization_id/)
      expect(text, `${p.tablename}.${p.policyname}`).toMatch(/app\.(org_id|user_id)/)
    }
  })

  test('no policy anywhere is USING (true) or WITH CHECK (true), nor permissive without a condition', async () => {
    const { rows } = await owner.query(
      `select schemaname, tablename, policyname, cmd, qual, with_check from pg_policies
        where schemaname not in ('pg_catalog', 'information_schema')`,
    )
    expect(rows.length).toBeGreaterThan(0)
    const trivial = (e: string | null) => e != null && /^\s*\(?\s*true\s*\)?\s*$/i.test(e)
    const bad = rows.filter((p) => trivial(p.qual) || trivial(p.with_check) || (p.qual == null && p.with_check == null))
    expect(bad.map((p) => `${p.tablename}.${p.policyname}`)).toEqual([])
  })

  test('every view is security_invoker; no materialized view is readable by the app role', async () => {
    const { rows } = await owner.query(
      `select c.relname, c.relkind, coalesce(c.reloptions, '{}') as options,
              has_table_privilege('ledger_app', c.oid, 'SELECT') as app_reads
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and c.relkind in ('v', 'm')`,
    )
    const definerViews = rows.filter((r) => r.relkind === 'v' && !r.options.some((o: string) => /^security_invoker=(true|on|1)$/i.test(o)))
    expect(
      definerViews.map((r) => r.relname),
      'views without security_invoker=true run with their owner’s rights',
    ).toEqual([])
    // A materialized view has no RLS at all: whoever may SELECT it sees every organization.
    expect(rows.filter((r) => r.relkind === 'm' && r.app_reads).map((r) => r.relname)).toEqual([])
  })

  test('every SECURITY DEFINER function pins search_path', async () => {
    const { rows } = await owner.query(
      `select n.nspname, p.proname, coalesce(p.proconfig, '{}') as config
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')`,
    )
    const unpinned = rows.filter((r) => !r.config.some((c: string) => /^search_path=/.test(c)))
    expect(unpinned.map((r) => `${r.nspname}.${r.proname}`)).toEqual([])
  })

  test('every unique key on a tenant table includes organization_id (a duplicate never reveals another organization)', async () => {
    const { rows } = await owner.query(
      `select c.relname as table, i.relname as index, ix.indisprimary,
              array(select a.attname from unnest(ix.indkey) k join pg_attribute a on a.attrelid = c.oid and a.attnum = k)::text[] as columns
         from pg_index ix join pg_class c on c.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and ix.indisunique and c.relname = any($1)`,
      [tenantTables],
    )
    expect(rows.length).toBeGreaterThan(0)
    // The serial primary key is the one exception: ids are assigned by the sequence, never chosen by a caller.
    const leaky = rows.filter((r) => !r.indisprimary && !r.columns.includes('organization_id'))
    expect(leaky.map((r) => `${r.table}.${r.index} (${r.columns.join(', ')})`)).toEqual([])
  })

  test('every foreign key between tenant tables is composite with organization_id', async () => {
    const { rows } = await owner.query(
      `select con.conname, src.relname as from_table, dst.relname as to_table,
              array(select a.attname from unnest(con.conkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o)::text[] as from_cols,
              array(select a.attname from unnest(con.confkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o)::text[] as to_cols
         from pg_constraint con join pg_class src on src.oid = con.conrelid join pg_class dst on dst.oid = con.confrelid
         join pg_namespace n on n.oid = src.relnamespace
        where con.contype = 'f' and n.nspname = 'public' and src.relname = any($1) and dst.relname = any($1)`,
      [tenantTables],
    )
    expect(rows.length).toBeGreaterThan(0)
    // Payload declares its own single-column key beside ours; that is fine as long as the same
    // columns are also covered by a key that carries organization_id on both sides.
    const composite = (r: (typeof rows)[number]) => {
      const at = r.from_cols.indexOf('organization_id')
      return at >= 0 && r.to_cols[at] === 'organization_id'
    }
    const others = (r: (typeof rows)[number]) => (r.from_cols as string[]).filter((c) => c !== 'organization_id').join(',')
    const uncovered = rows.filter(
      (r) =>
        !composite(r) &&
        !rows.some((c) => composite(c) && c.from_table === r.from_table && c.to_table === r.to_table && others(c) === others(r)),
    )
    expect(rows.some(composite)).toBe(true)
    expect(uncovered.map((r) => `${r.conname}: ${r.from_table}(${r.from_cols}) -> ${r.to_table}(${r.to_cols})`)).toEqual([])
  })
})

describe('the app role (the one `next start` connects as)', () => {
  test('is ledger_app: not superuser, no BYPASSRLS, owns nothing, and is not a member of a role that does', async () => {
    const me = await app.query(
      `select current_user as name, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user`,
    )
    expect(me.rows[0]).toEqual({ name: 'ledger_app', rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false })
    // Every role ledger_app can act as (itself and, transitively, the roles granted to it).
    const roles = await owner.query(
      `with recursive r(oid) as (select oid from pg_roles where rolname = 'ledger_app'
         union select m.roleid from pg_auth_members m join r on m.member = r.oid)
       select ro.rolname, ro.rolsuper, ro.rolbypassrls from r join pg_roles ro on ro.oid = r.oid`,
    )
    expect(roles.rows.filter((r) => r.rolsuper || r.rolbypassrls)).toEqual([])
    const owned = await owner.query(
      `select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relowner in (select oid from pg_roles where rolname = any($1))
          and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
      [roles.rows.map((r) => r.rolname)],
    )
    expect(owned.rows).toEqual([])
    const schemas = await owner.query(
      `select nspname from pg_namespace where nspowner = (select oid from pg_roles where rolname = 'ledger_app')`,
    )
    expect(schemas.rows).toEqual([])
  })

  test('cannot switch RLS off, nor truncate the trail', async () => {
    await expect(app.query(`alter table partners disable row level security`)).rejects.toMatchObject({ code: '42501' })
    await expect(app.query(`alter table partners no force row level security`)).rejects.toMatchObject({ code: '42501' })
    await expect(app.query(`truncate audit_events`)).rejects.toMatchObject({ code: '42501' })
  })

  test('with no organization set, every tenant table reads as empty', async () => {
    for (const t of tenantTables) {
      const n = await asTenant(null, async () => (await app.query(`select count(*)::int as n from ${t}`)).rows[0].n)
      expect(n, t).toBe(0)
    }
  })
})

describe('writes across organizations, as the app role', () => {
  test('UPDATE moving organization_id to another organization is rejected on every tenant table', async () => {
    for (const t of tenantTables) {
      const [row] = (await owner.query(`select id from ${t} where organization_id = $1 limit 1`, [a.organizationId])).rows
      expect(row, `fixture row in ${t}`).toBeTruthy()
      // WITH CHECK (42501 "new row violates row-level security policy"), or, for history tables,
      // no UPDATE grant / an immutability trigger (also 42501): never a moved row.
      const err = await asTenant(a.organizationId, () =>
        app.query(`update ${t} set organization_id = $1 where id = $2`, [b.organizationId, row.id]),
      ).then(
        () => null,
        (e: { code?: string; message?: string }) => e,
      )
      expect(err, `${t}: the update went through`).not.toBeNull()
      expect(err!.code, `${t}: ${err!.message}`).toBe('42501')
      const after = await owner.query(`select organization_id from ${t} where id = $1`, [row.id])
      expect(after.rows[0].organization_id, t).toBe(a.organizationId)
    }
  })

  test('the WITH CHECK itself refuses the move where UPDATE is granted (partners, conversions, imports, outbox)', async () => {
    for (const t of ['partners', 'conversions', 'imports', 'outbox']) {
      await expect(
        asTenant(a.organizationId, () => app.query(`update ${t} set organization_id = $1 where id = $2`, [b.organizationId, a.ids[t]])),
        t,
        // A conversion's organization is one of its facts: the history trigger refuses the move before RLS does.
      ).rejects.toThrow(t === 'conversions' ? /is history/ : /row-level security/)
    }
  })

  test('a conversion key (code, order_id) that exists only in another organization inserts fine (no 23505 oracle)', async () => {
    const theirs = (await owner.query(`select code, order_id from conversions where id = $1`, [b.ids.conversions])).rows[0]
    const res = await asTenant(a.organizationId, () =>
      app.query(
        `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
         values ($1, $2, 1, 'USD', now(), 'unattributed', $3) returning id`,
        [theirs.code, theirs.order_id, a.organizationId],
      ),
    )
    expect(res.rowCount).toBe(1)
  })

  test('an import of the same file bytes as another organization’s completed import inserts fine', async () => {
    const theirs = (await owner.query(`select kind, file_sha256 from imports where id = $1`, [b.ids.imports])).rows[0]
    const res = await asTenant(a.organizationId, () =>
      app.query(
        `insert into imports (kind, status, file_name, file_sha256, rows_in, organization_id) values ($1, 'completed', 'x.csv', $2, 0, $3) returning id`,
        [theirs.kind, theirs.file_sha256, a.organizationId],
      ),
    )
    expect(res.rowCount).toBe(1)
  })

  test.each([
    ['partner_codes', `insert into partner_codes (code, partner_id, organization_id) values ('XORG1', $1, $2)`],
    [
      'conversions',
      `insert into conversions (code, order_id, partner_id, value_minor, currency, occurred_at, status, organization_id)
       values ('XORG2', 'xorg-2', $1, 1, 'USD', now(), 'attributed', $2)`,
    ],
    [
      'commissions',
      `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, reason, organization_id)
       values ($1, 'adjustment', 1, 'USD', now(), 'pending', 'catalog check', $2)`,
    ],
  ])('%s: a foreign key to another organization’s partner is rejected as the app role', async (_t, text) => {
    const err = await asTenant(a.organizationId, () => app.query(text, [b.ids.partners, a.organizationId])).then(
      () => null,
      (e: { code?: string }) => e,
    )
    // The composite key (organization_id, partner_id) has no target in A: 23503, naming nothing of B.
    expect(err).toMatchObject({ code: '23503' })
  })

  test('COPY FROM into an RLS table fails for the app role; COPY into a temporary staging table works', async () => {
    for (const t of tenantTables) {
      await expect(
        asTenant(a.organizationId, () => app.query(`copy ${t} from stdin`)),
        t,
      ).rejects.toMatchObject({ code: '0A000' })
    }
    // The staging path: a temp table (no RLS) then INSERT … SELECT under the policies.
    const n = await asTenant(a.organizationId, async () => {
      await app.query(`create temp table stage (name text) on commit drop`)
      await app.query(`insert into stage values ('Staged one'), ('Staged two')`)
      const ins = await app.query(`insert into partners (name, status, organization_id) select name, 'active', $1 from stage`, [
        a.organizationId,
      ])
      await expect(
        app.query(`insert into partners (name, status, organization_id) select name, 'active', $1 from stage`, [b.organizationId]),
      ).rejects.toMatchObject({ code: '42501' })
      return ins.rowCount
    })
    expect(n).toBe(2)
  })
})
