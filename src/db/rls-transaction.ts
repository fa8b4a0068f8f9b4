import type { CollectionAfterOperationHook, CollectionBeforeOperationHook, PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'
import { commitTransaction, initTransaction } from 'payload'

import { resolveTenant } from '../access/tenant'
import { transactionDb } from './session'

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

export const openTenantTransaction: CollectionBeforeOperationHook = async ({ args, req }) => {
  const tenant = await resolveTenant(req)
  const st = state(req)
  if (!req.transactionID) {
    const began = await initTransaction(req)
    if (began) {
      st.ownedTransactionId = req.transactionID as string | number
      st.depth = 0
    }
  }
  if (st.ownedTransactionId !== null && st.ownedTransactionId === req.transactionID) st.depth++
  await setTenantSettings(req, tenant.organizationId, tenant.userId)
  return args
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
  const db = await transactionDb(req)
  await db.execute(
    sql`select set_config('app.org_id', ${organizationId == null ? '' : String(organizationId)}, true), set_config('app.user_id', ${userId == null ? '' : String(userId)}, true)`,
  )
}
