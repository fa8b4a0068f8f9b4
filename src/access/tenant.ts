import type { PayloadRequest } from 'payload'

import { scopedRows } from '../db/scoped-query'
import { isRole, type Role } from './roles'

export interface Membership {
  organizationId: number
  role: Role
}

/** Who is acting and in which organization. Derived on the server, never taken from the body. */
export interface TenantContext {
  userId: number | null
  organizationId: number | null
  role: Role | null
  memberships: Membership[]
  /** Set for server-side work (seed, jobs) acting in one organization without a user. */
  system?: string
}

/** Header that selects another of the user's organizations for one API request. */
export const ORG_HEADER = 'x-organization-id'

const CONTEXT_KEY = 'tenant'

/**
 * Marks a Local API request as server-side work in one organization (seed, jobs, services).
 * The reason is kept so audit events say which job acted.
 */
export function asSystem(req: Partial<PayloadRequest>, organizationId: number, reason: string) {
  req.context = req.context ?? {}
  req.context[CONTEXT_KEY] = {
    userId: null,
    organizationId,
    role: 'admin',
    memberships: [{ organizationId, role: 'admin' }],
    system: reason,
  } satisfies TenantContext
  return req
}

/**
 * Resolves the acting user's memberships and active organization once per request.
 * Memberships are read on a connection scoped to the user (RLS lets a user see their own rows).
 */
/** Drops the request's cached tenant, for code that changes who the request acts as (a login). */
export function forgetTenant(req: PayloadRequest): void {
  if (req.context) delete req.context[CONTEXT_KEY]
}

export async function resolveTenant(req: PayloadRequest): Promise<TenantContext> {
  const cached = req.context?.[CONTEXT_KEY] as TenantContext | undefined
  if (cached) return cached
  req.context = req.context ?? {}
  // The admin checks every collection's access at once: without sharing the read in flight,
  // each of those parallel checks loaded the memberships again (a hundred transactions a page).
  const context = req.context
  let pending = inFlight.get(context)
  if (!pending) {
    pending = loadTenant(req).finally(() => inFlight.delete(context))
    inFlight.set(context, pending)
  }
  return pending
}

const inFlight = new WeakMap<object, Promise<TenantContext>>()

async function loadTenant(req: PayloadRequest): Promise<TenantContext> {
  const user = req.user as { id: number; collection?: string; activeOrganization?: unknown } | null
  if (!user || (user.collection && user.collection !== 'users')) {
    return { userId: null, organizationId: null, role: null, memberships: [] }
  }
  const memberships = await loadMemberships(req, user.id)
  const requested = parseOrgId(req.headers?.get?.(ORG_HEADER)) ?? relationId(user.activeOrganization)
  const active = memberships.find((m) => m.organizationId === requested) ?? (requested == null ? memberships[0] : undefined)
  const ctx: TenantContext = {
    userId: user.id,
    organizationId: active?.organizationId ?? null,
    role: active?.role ?? null,
    memberships,
  }
  req.context = req.context ?? {}
  req.context[CONTEXT_KEY] = ctx
  return ctx
}

async function loadMemberships(req: PayloadRequest, userId: number): Promise<Membership[]> {
  const rows = await scopedRows<{ organization_id: number; role: string }>(
    req,
    { userId },
    {
      text: 'select organization_id, role from memberships where user_id = $1 order by organization_id',
      values: [userId],
    },
  )
  return rows.filter((r) => isRole(r.role)).map((r) => ({ organizationId: r.organization_id, role: r.role as Role }))
}

export function relationId(value: unknown): number | null {
  if (typeof value === 'number') return value
  if (value && typeof value === 'object' && 'id' in value) return relationId((value as { id: unknown }).id)
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return null
}

/** The organization an API request names in x-organization-id, if any (membership not checked). */
export function requestedOrganization(req: PayloadRequest): number | null {
  return parseOrgId(req.headers?.get?.(ORG_HEADER))
}

function parseOrgId(value: string | null | undefined): number | null {
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null
}

/** Local API `context` for server-side work in one organization (seed, jobs), named for the audit trail. */
export function systemContext(organizationId: number, reason: string): Record<string, unknown> {
  return asSystem({}, organizationId, reason).context as Record<string, unknown>
}
