import type { CollectionBeforeChangeHook } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../access/tenant'
import { transactionDb } from '../db/session'
import { auditHash, GENESIS_HASH } from '../ledger/audit-chain'
import { requestMeta } from '../services/audit'

/**
 * Links a new audit event to its organization's chain. The transaction-scoped advisory lock
 * serialises writers per organization, so two concurrent requests can never both extend the
 * same previous hash (the unique (organization, seq) key would refuse it anyway).
 */
export const linkAuditEvent: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  const organization = Number(data.organization)
  const db = await transactionDb(req)
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('audit_chain'), ${organization}::int)`)
  const { rows } = await db.execute(
    sql`select seq, hash from audit_events where organization_id = ${organization} order by seq desc limit 1`,
  )
  const last = rows[0] as { seq: number; hash: string } | undefined
  const tenant = await resolveTenant(req)
  const user = req.user as { id: number; email?: string } | null
  const meta = requestMeta(req)
  const fields = {
    organization,
    seq: (last ? Number(last.seq) : 0) + 1,
    actor: tenant.system ? null : (user?.id ?? null),
    actorLabel: tenant.system ? `system:${tenant.system}` : (user?.email ?? 'anonymous'),
    action: String(data.action),
    entityType: String(data.entityType),
    entityId: String(data.entityId),
    changes: data.changes ?? null,
    requestId: meta.requestId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    occurredAt: new Date().toISOString(),
    prevHash: last?.hash ?? GENESIS_HASH,
  }
  return { ...data, ...fields, hash: auditHash(fields) }
}
