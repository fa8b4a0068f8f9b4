import type { CollectionAfterOperationHook, CollectionBeforeOperationHook, PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'
import { commitTransaction, initTransaction, NotFound } from 'payload'

import { isTenantCollection, roleAllows, roleMayCall } from '../access/roles'
import { resolveTenant, type TenantContext } from '../access/tenant'
import { applyTenantSettings, settingValue, transactionDb } from './session'

/**
 * Row-level security needs `app.org_id` set on the very connection that runs each query.
 * Payload's adapter has no per-request connection hook, so every operation on a tenant
 * collection runs inside a transaction: write operations already open one; for reads we open
 * it here and commit it when the outermost operation finishes. `set_config(..., true)` is
 * transaction-local, so a pooled connection never carries one organization into the next request.
 */
interface RlsState {
  ownedTransactionId: string | number | null
  depth: number
}

const STATE_KEY = 'rlsState'

function state(req: PayloadRequest): RlsState {
  req.context = req.context ?? {}
  const existing = req.context[STATE_KEY] as RlsState | undefined
  if (existing) return existing
  const fresh: RlsState = { ownedTransactionId: null, depth: 0 }
  req.context[STATE_KEY] = fresh
  return fresh
}

const READ_OPERATIONS = new Set([
  'read',
  'find',
  'findByID',
  'count',
  'countVersions',
  'findDistinct',
  'readDistinct',
  'findVersions',
  'findVersionByID',
])

export const openTenantTransaction: CollectionBeforeOperationHook = async ({ args, collection, operation, overrideAccess, req }) => {
  const tenant = await resolveTenant(req)
  const st = state(req)
  // A read the role table denies never reaches the database, and Payload may return early
  // (disableErrors) without afterOperation: opening a transaction for it would leak a connection.
  if (READ_OPERATIONS.has(operation) && !overrideAccess && !req.transactionID && !mayRead(tenant, collection.slug)) return args
  if (!req.transactionID) {
    const began = await initTransaction(req)
    if (began) {
      st.ownedTransactionId = req.transactionID as string | number
      st.depth = 0
    }
  }
  if (st.ownedTransactionId !== null && st.ownedTransactionId === req.transactionID) st.depth++
  await setTenantSettings(req, tenant.organizationId, tenant.userId)
  await refuseInvisibleTarget(req, tenant, collection.slug, operation, args, overrideAccess)
  return args
}

/**
 * Payload answers 403 when an update or delete by id misses its access filter; a row of another
 * organization must look exactly like a missing one (404), so the id reveals nothing. Only for
 * roles allowed the action: a denied role keeps its 403.
 */
async function refuseInvisibleTarget(
  req: PayloadRequest,
  tenant: TenantContext,
  slug: string,
  operation: string,
  args: unknown,
  overrideAccess: boolean | undefined,
) {
  const id = (args as { id?: unknown }).id
  if (overrideAccess || (operation !== 'update' && operation !== 'delete') || (typeof id !== 'number' && typeof id !== 'string')) return
  const allowed = isTenantCollection(slug)
    ? roleAllows(tenant.role, slug, operation)
    : slug === 'organizations' && operation === 'update' && roleMayCall(tenant.role, 'organization.update')
  if (!allowed) return
  const db = await transactionDb(req)
  const { rows } = await db.execute(sql`select 1 from ${sql.identifier(slug.replace(/-/g, '_'))} where id = ${Number(id)}`)
  if (rows.length === 0) throw new NotFound(req.t)
}

export const closeTenantTransaction: CollectionAfterOperationHook = async ({ req, result }) => {
  const st = state(req)
  if (st.ownedTransactionId !== null && st.ownedTransactionId === req.transactionID) {
    st.depth--
    if (st.depth <= 0) {
      st.ownedTransactionId = null
      st.depth = 0
      await commitTransaction(req)
    }
  }
  return result
}

export async function setTenantSettings(req: PayloadRequest, organizationId: number | null, userId: number | null) {
  await applyTenantSettings(await transactionDb(req), settingValue(organizationId), settingValue(userId))
}

function mayRead(tenant: TenantContext, slug: string): boolean {
  if (tenant.organizationId == null) return tenant.system != null
  return !isTenantCollection(slug) || roleAllows(tenant.role, slug, 'read')
}
