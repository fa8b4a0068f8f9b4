import type { Payload, PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'
import type { Pool } from 'pg'

/** Minimal shape of the drizzle transaction handle Payload keeps per request. */
export interface SqlExecutor {
  execute: (query: unknown) => Promise<{ rows: Record<string, unknown>[] }>
}

/** The drizzle handle of the request's open transaction, or null when it has none. */
export async function openTransactionDb(req: PayloadRequest): Promise<SqlExecutor | null> {
  const id = await req.transactionID
  if (id == null) return null
  const sessions = (req.payload.db as unknown as { sessions: Record<string, { db: SqlExecutor }> }).sessions
  const session = sessions[String(id)]
  if (!session) throw new Error(`transaction ${String(id)} not found`)
  return session.db
}

/**
 * The drizzle handle of the request's open transaction. Services that need raw SQL
 * (locks, bulk inserts) use it so their statements share the operation's transaction
 * and its tenant settings.
 */
export async function transactionDb(req: PayloadRequest): Promise<SqlExecutor> {
  const db = await openTransactionDb(req)
  if (!db) throw new Error('no open transaction on this request')
  return db
}

/** The adapter's pg pool, for work outside any Payload request (email adapter, verifier). */
export function databasePool(payload: Payload): Pool {
  return (payload.db as unknown as { pool: Pool }).pool
}

/** A tenant id as the text `set_config` stores; empty means "none", which RLS treats as no rows. */
export function settingValue(id: number | null | undefined): string {
  return id == null ? '' : String(id)
}

/** Sets the transaction-local tenant settings that the RLS policies read. */
export async function applyTenantSettings(db: SqlExecutor, orgId: string, userId: string): Promise<void> {
  await db.execute(sql`select set_config('app.org_id', ${orgId}, true), set_config('app.user_id', ${userId}, true)`)
}
