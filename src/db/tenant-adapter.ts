import type { BaseDatabaseAdapter, DatabaseAdapterObj as DatabaseAdapterResult, PayloadRequest, Where } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../access/tenant'
import { isTenantCollection } from '../access/roles'
import { applyTenantSettings, openTransactionDb, settingValue, type SqlExecutor } from './session'

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

/** Insert-only tables whose per-organization row count a trigger keeps (migration 20261125_210000_row_counts). */
const COUNTED = new Set(['conversions', 'commissions'])

/**
 * When a list's where clause names nothing but the organization, the organizations it names
 * (none: the RLS scope alone); null when it names anything else, so the exact count is needed.
 */
export function organizationScope(where: Where | undefined): number[] | null {
  const ids: number[] = []
  const visit = (w: unknown): boolean => {
    if (w === null || typeof w !== 'object' || Array.isArray(w)) return false
    for (const [key, value] of Object.entries(w)) {
      if (key === 'and') {
        if (!Array.isArray(value) || !value.every(visit)) return false
        continue
      }
      if (key !== 'organization' || value === null || typeof value !== 'object') return false
      const ops = Object.entries(value as Record<string, unknown>)
      if (ops.length !== 1 || ops[0]?.[0] !== 'equals') return false
      const raw = ops[0][1]
      const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN
      if (!Number.isSafeInteger(id)) return false
      ids.push(id)
    }
    return true
  }
  return visit(where ?? {}) ? ids : null
}

interface FindArgs {
  collection?: string
  req?: PayloadRequest
  where?: Where
  limit?: number
  page?: number
  pagination?: boolean
}

interface PaginatedDocs {
  docs: unknown[]
  [key: string]: unknown
}

/**
 * Payload counts every list for its total (`count(*)`): a parallel scan of a million
 * conversions, 0.3-0.5 s, for a page that itself takes 0.1 ms. For the two insert-only ledger
 * tables, when the list is filtered by nothing but the organization, the total is the sum of
 * the trigger-kept per-organization counts, read in the list's own RLS transaction (so it sees
 * the same rows the count would). Any other filter, and an empty page, take the exact path.
 */
function withOrganizationCounts<T>(original: (this: T, a: FindArgs) => Promise<PaginatedDocs>) {
  return async function (this: T, a: FindArgs): Promise<PaginatedDocs> {
    const limit = a?.limit
    if (!a?.collection || !COUNTED.has(a.collection) || a.pagination === false || !a.req || !limit || limit < 1) {
      return original.call(this, a)
    }
    const orgs = organizationScope(a.where)
    if (orgs === null || new Set(orgs).size > 1) return original.call(this, a)
    const db = await openTransactionDb(a.req)
    if (!db) return original.call(this, a)
    const page = a.page ?? 1
    const out = await original.call(this, { ...a, pagination: false })
    const { rows } = await db.execute(
      orgs.length === 0
        ? sql`select coalesce(sum(rows), 0)::text as n from tenant_row_counts where table_name = ${a.collection}`
        : sql`select coalesce(sum(rows), 0)::text as n from tenant_row_counts where table_name = ${a.collection} and organization_id = ${orgs[0]}`,
    )
    const totalDocs = Number(rows[0]?.n ?? 0)
    if (out.docs.length === 0 || totalDocs === 0) return original.call(this, a)
    const totalPages = Math.ceil(totalDocs / limit)
    return {
      ...out,
      totalDocs,
      totalPages,
      limit,
      page,
      pagingCounter: (page - 1) * limit + 1,
      hasPrevPage: page > 1,
      hasNextPage: totalPages > page,
      prevPage: page > 1 ? page - 1 : null,
      nextPage: totalPages > page ? page + 1 : null,
    }
  }
}

export function withTenantReads<T extends BaseDatabaseAdapter>(result: DatabaseAdapterResult<T>): DatabaseAdapterResult<T> {
  return {
    ...result,
    init: (args: Parameters<DatabaseAdapterResult<T>['init']>[0]) => {
      const adapter = result.init(args)
      // Innermost, so a read the loop below puts in a transaction of its own also gets the count.
      const find = (adapter as unknown as { find: (a: FindArgs) => Promise<PaginatedDocs> }).find
      ;(adapter as unknown as Record<string, unknown>).find = withOrganizationCounts(find)
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
