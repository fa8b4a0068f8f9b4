import type { PayloadRequest } from 'payload'

import { scopedRows } from '../db/scoped-query'

/** Ids of the users who belong to an organization, read under that organization's RLS context. */
export async function organizationMemberIds(req: PayloadRequest, organizationId: number): Promise<number[]> {
  const cacheKey = `members:${organizationId}`
  req.context = req.context ?? {}
  const cached = req.context[cacheKey] as number[] | undefined
  if (cached) return cached
  const rows = await scopedRows<{ user_id: number }>(
    req,
    { orgId: organizationId },
    {
      text: 'select distinct user_id from memberships where organization_id = $1',
      values: [organizationId],
    },
  )
  const ids = rows.map((r) => r.user_id)
  req.context[cacheKey] = ids
  return ids
}
