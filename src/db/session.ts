import type { PayloadRequest } from 'payload'

/** Minimal shape of the drizzle transaction handle Payload keeps per request. */
export interface SqlExecutor {
  execute: (query: unknown) => Promise<{ rows: Record<string, unknown>[] }>
}

/**
 * The drizzle handle of the request's open transaction. Services that need raw SQL
 * (locks, bulk inserts) use it so their statements share the operation's transaction
 * and its tenant settings.
 */
export async function transactionDb(req: PayloadRequest): Promise<SqlExecutor> {
  const id = await req.transactionID
  if (id == null) throw new Error('no open transaction on this request')
  const sessions = (req.payload.db as unknown as { sessions: Record<string, { db: SqlExecutor }> }).sessions
  const session = sessions[String(id)]
  if (!session) throw new Error(`transaction ${String(id)} not found`)
  return session.db
}
