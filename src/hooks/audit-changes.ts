import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, CollectionAfterErrorHook } from 'payload'

import { relationId } from '../access/tenant'
import { auditDenied } from '../endpoints/guard'
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
    // A field absent on one side and null on the other did not change (Payload adds empty
    // fields like resetPasswordRequestedAt to one copy only); recording it made a no-op an event.
    const a = normalise(before?.[key]) ?? null
    const b = normalise(after[key]) ?? null
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { before: a, after: b }
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

const CRUD_BY_METHOD: Record<string, string> = { GET: 'read', POST: 'create', PATCH: 'update', PUT: 'update', DELETE: 'delete' }

/**
 * Payload's own REST routes refuse a role with 403 before any hook of ours runs; this records
 * that refusal as the custom endpoints' guard does (one `authz.denied`, checklist row 30).
 */
export const auditRefusedRoute: CollectionAfterErrorHook = async ({ error, req, collection }) => {
  if ((error as { status?: number }).status !== 403) return
  const action = CRUD_BY_METHOD[(req.method ?? 'GET').toUpperCase()] ?? 'read'
  await auditDenied(req, `${collection.slug}.${action}`)
}
