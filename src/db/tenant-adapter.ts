import type { BaseDatabaseAdapter, DatabaseAdapterObj as DatabaseAdapterResult, PayloadRequest } from 'payload'

import { resolveTenant } from '../access/tenant'
import { isTenantCollection } from '../access/roles'
import { applyTenantSettings, settingValue, type SqlExecutor } from './session'

/**
 * Payload itself sometimes reads through the database adapter directly, without an operation
 * and so without the collection hooks that open the RLS transaction: the admin's document
 * permissions (`docAccessOperation` → `entityDocExists` → `db.count`) are one. Such a read ran on
 * a pooled connection with no `app.org_id`, saw no rows, and the admin answered "Nothing found"
 * for a document the REST API returned. This wrapper gives those reads the same tenant settings:
 * a read on an RLS table from a request with no open transaction runs in a short transaction of
 * its own (not put on the request, so parallel reads of one request never share or commit each
 * other's), with the request's tenant set transaction-locally.
 */
const READS = ['count', 'countVersions', 'find', 'findOne', 'findDistinct', 'findVersions', 'queryDrafts'] as const

/** Tables under row-level security: every tenant collection and organizations. */
export function isRlsCollection(slug: unknown): boolean {
  return typeof slug === 'string' && (isTenantCollection(slug) || slug === 'organizations')
}

interface Sessions {
  sessions: Record<string, { db: SqlExecutor }>
}

export function withTenantReads<T extends BaseDatabaseAdapter>(result: DatabaseAdapterResult<T>): DatabaseAdapterResult<T> {
  return {
    ...result,
    init: (args: Parameters<DatabaseAdapterResult<T>['init']>[0]) => {
      const adapter = result.init(args)
      for (const name of READS) {
        const original = adapter[name] as unknown as
          ((this: T, a: { collection?: string; req?: PayloadRequest }) => Promise<unknown>) | undefined
        if (typeof original !== 'function') continue
        const wrapped = async function (this: T, a: { collection?: string; req?: PayloadRequest }) {
          const req = a?.req
          if (!req || req.transactionID || !isRlsCollection(a.collection)) return original.call(this, a)
          const tenant = await resolveTenant(req)
          const id = await adapter.beginTransaction()
          if (id == null) return original.call(this, a)
          try {
            const db = (adapter as unknown as Sessions).sessions[String(id)]?.db
            if (!db) throw new Error(`transaction ${String(id)} not found`)
            await applyTenantSettings(db, settingValue(tenant.organizationId), settingValue(tenant.userId))
            // The request itself stays without a transaction; only this read sees this one.
            const scoped = Object.create(req, { transactionID: { value: id } }) as PayloadRequest
            const out = await original.call(this, { ...a, req: scoped })
            await adapter.commitTransaction(id)
            return out
          } catch (err) {
            await adapter.rollbackTransaction(id)
            throw err
          }
        }
        ;(adapter as unknown as Record<string, unknown>)[name] = wrapped
      }
      return adapter
    },
  }
}
