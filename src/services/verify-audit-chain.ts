import type { Pool } from 'pg'

import { withTenantClient } from '../db/scoped-query'
import { verifyChain, type ChainVerdict, type StoredAuditEvent } from '../ledger/audit-chain'

/**
 * Reads an organization's audit events in sequence order, under that organization's RLS
 * context, and verifies the chain.
 */
export async function verifyOrganizationChain(pool: Pool, organizationId: number): Promise<ChainVerdict> {
  const rows = await withTenantClient(
    pool,
    { orgId: organizationId, readOnly: true },
    async (client) =>
      (
        await client.query(
          `select id, organization_id, seq, actor_id, actor_label, action, entity_type, entity_id, changes,
                request_id, ip, user_agent, occurred_at, prev_hash, hash
           from audit_events where organization_id = $1 order by seq`,
          [organizationId],
        )
      ).rows,
  )
  const events: StoredAuditEvent[] = rows.map((r) => ({
    id: r.id,
    organization: r.organization_id,
    seq: Number(r.seq),
    actor: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    changes: r.changes,
    requestId: r.request_id ?? '',
    ip: r.ip ?? '',
    userAgent: r.user_agent ?? '',
    occurredAt: new Date(r.occurred_at).toISOString(),
    prevHash: r.prev_hash,
    hash: r.hash,
  }))
  return verifyChain(events)
}
