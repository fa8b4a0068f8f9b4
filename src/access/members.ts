import type { PayloadRequest } from 'payload'

/** Ids of the users who belong to an organization, read under that organization's RLS context. */
export async function organizationMemberIds(req: PayloadRequest, organizationId: number): Promise<number[]> {
  const cacheKey = `members:${organizationId}`
  req.context = req.context ?? {}
  const cached = req.context[cacheKey] as number[] | undefined
  if (cached) return cached
  const pool = (req.payload.db as unknown as { pool: import('pg').Pool }).pool
  const client = await pool.connect()
  try {
    await client.query('begin read only')
    await client.query(`select set_config('app.org_id', $1, true)`, [String(organizationId)])
    const { rows } = await client.query<{ user_id: number }>(
      'select distinct user_id from memberships where organization_id = $1',
      [organizationId],
    )
    await client.query('commit')
    const ids = rows.map((r) => r.user_id)
    req.context[cacheKey] = ids
    return ids
  } catch (err) {
    await client.query('rollback').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
