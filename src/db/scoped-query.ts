import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'
import type { Pool, PoolClient } from 'pg'

import { applyTenantSettings, databasePool, openTransactionDb, settingValue } from './session'

/**
 * Runs one read under explicit tenant settings. Inside an open transaction it reuses that
 * transaction's connection: taking a second pooled connection while holding one deadlocks the
 * pool under load (every request holding one and waiting for another).
 */
export async function scopedRows<T>(
  req: PayloadRequest,
  settings: { orgId?: number | null; userId?: number | null },
  query: { text: string; values: unknown[] },
): Promise<T[]> {
  const tx = await openTransactionDb(req)
  if (tx) {
    // The surrounding operation keeps its own settings: put them back afterwards.
    const saved = (await tx.execute(sql`select current_setting('app.org_id', true) as o, current_setting('app.user_id', true) as u`))
      .rows[0] as { o: string | null; u: string | null }
    await applyTenantSettings(tx, settingValue(settings.orgId), settingValue(settings.userId))
    try {
      return (await tx.execute(toSql(query))).rows as T[]
    } finally {
      await applyTenantSettings(tx, saved.o ?? '', saved.u ?? '')
    }
  }
  return withTenantClient(
    databasePool(req.payload),
    { ...settings, readOnly: true },
    async (client) => (await client.query(query.text, query.values)).rows as T[],
  )
}

/**
 * A pooled connection in its own transaction with the tenant settings applied, for work that has
 * no Payload request (email adapter, CLI, verifier). Commits on success, rolls back on error.
 */
export async function withTenantClient<T>(
  pool: Pool,
  settings: { orgId?: number | null; userId?: number | null; readOnly?: boolean },
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query(settings.readOnly ? 'begin read only' : 'begin')
    await client.query(`select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`, [
      settingValue(settings.orgId),
      settingValue(settings.userId),
    ])
    const result = await fn(client)
    await client.query('commit')
    return result
  } catch (err) {
    await client.query('rollback').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

/** `$1`-style text and values as a drizzle query, so both paths run the very same statement. */
function toSql(query: { text: string; values: unknown[] }) {
  const parts = query.text.split(/\$(\d+)/)
  const chunks = [sql.raw(parts[0] ?? '')]
  for (let i = 1; i < parts.length; i += 2) {
    chunks.push(sql`${query.values[Number(parts[i]) - 1]}`, sql.raw(parts[i + 1] ?? ''))
  }
  return sql.join(chunks)
}
