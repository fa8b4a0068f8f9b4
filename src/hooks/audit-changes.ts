import type { CollectionAfterChangeHook, CollectionAfterDeleteHook } from 'payload'

import { relationId } from '../access/tenant'
import { writeAudit } from '../services/audit'

const IGNORED = new Set([
  'updatedAt',
  'createdAt',
  'hash',
  'salt',
  'password',
  'sessions',
  'resetPasswordToken',
  'resetPasswordExpiration',
  'loginAttempts',
  'lockUntil',
  'apiKey',
  'apiKeyIndex',
])

/** Field-level before/after of what an edit changed; secrets are never copied into the trail. */
export function diffDocs(before: Record<string, unknown> | undefined, after: Record<string, unknown>) {
  const changes: Record<string, { before: unknown; after: unknown }> = {}
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)])
  for (const key of keys) {
    if (IGNORED.has(key)) continue
    const a = normalise(before?.[key])
    const b = normalise(after[key])
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { before: a ?? null, after: b ?? null }
  }
  return changes
}

function normalise(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'id' in v) return relationId(v)
  return v
}

/** `partner.created`, `partner.updated`: one event per ordinary edit of a ledger collection. */
export function auditChanges(entity: string): { afterChange: CollectionAfterChangeHook; afterDelete: CollectionAfterDeleteHook } {
  return {
    afterChange: async ({ doc, previousDoc, operation, req, context }) => {
      if (context?.skipAudit) return doc
      const changes = diffDocs(operation === 'create' ? undefined : previousDoc, doc)
      if (operation === 'update' && Object.keys(changes).length === 0) return doc
      await writeAudit(req, {
        action: `${entity}.${operation === 'create' ? 'created' : 'updated'}`,
        entityType: entity,
        entityId: doc.id,
        changes,
        organizationId: relationId(doc.organization) ?? undefined,
      })
      return doc
    },
    afterDelete: async ({ doc, req }) => {
      await writeAudit(req, {
        action: `${entity}.deleted`,
        entityType: entity,
        entityId: doc.id,
        changes: diffDocs(doc, {}),
        organizationId: relationId(doc.organization) ?? undefined,
      })
      return doc
    },
  }
}
