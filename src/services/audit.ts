import { randomUUID } from 'node:crypto'
import type { PayloadRequest } from 'payload'

import { resolveTenant } from '../access/tenant'
import type { AuditEvent } from '../payload-types'

export interface AuditInput {
  action: string
  entityType: string
  entityId: string | number
  changes?: unknown
  /** Defaults to the acting tenant's organization. */
  organizationId?: number
}

/** One request id per request, so every event a request caused can be found together. */
export function requestMeta(req: PayloadRequest) {
  req.context = req.context ?? {}
  if (typeof req.context.requestId !== 'string') {
    req.context.requestId = req.headers?.get?.('x-request-id')?.slice(0, 100) || randomUUID()
  }
  const forwarded = req.headers?.get?.('x-forwarded-for')?.split(',')[0]?.trim()
  return {
    requestId: req.context.requestId as string,
    ip: forwarded || req.headers?.get?.('x-real-ip') || '',
    userAgent: (req.headers?.get?.('user-agent') ?? '').slice(0, 500),
  }
}

/**
 * The one way anything writes an audit event: in the caller's transaction (same `req`),
 * so the event exists exactly when the change does. Hash-chaining happens in the
 * collection's beforeChange hook under a per-organization lock.
 */
export async function writeAudit(req: PayloadRequest, input: AuditInput): Promise<void> {
  const tenant = await resolveTenant(req)
  const organization = input.organizationId ?? tenant.organizationId
  if (organization == null) throw new Error(`audit ${input.action}: no organization`)
  await req.payload.create({
    collection: 'audit-events',
    overrideAccess: true,
    req,
    depth: 0,
    // seq, actor, hashes and request metadata are filled in by the chain-link hook.
    data: {
      organization,
      action: input.action,
      entityType: input.entityType,
      entityId: String(input.entityId),
      changes: toJsonSafe(input.changes ?? null) as Record<string, unknown> | null,
    } as AuditEvent,
  })
}

/**
 * Runs `fn`, Payload writes whose rows the caller records in one named event of its own
 * (`membership.invited`, `conversion.assigned`), without the collections' generic
 * created/updated events: one fact, one event.
 */
export async function underNamedEvent<T>(req: PayloadRequest, fn: () => Promise<T>): Promise<T> {
  req.context = { ...req.context, skipAudit: true }
  try {
    return await fn()
  } finally {
    // Payload's local API replaces req.context with a merged copy: clear the current one.
    delete req.context.skipAudit
  }
}

/** bigint and Date values become strings so the stored JSON hashes the same after a round trip. */
export function toJsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null') as unknown
}
