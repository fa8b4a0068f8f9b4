import { createHash } from 'node:crypto'

import { sql } from '@payloadcms/db-postgres'
import type { PayloadRequest } from 'payload'

import type { SqlExecutor } from '../db/session'
import { decryptPayout, encryptPayout } from '../security/payout-crypto'

/**
 * Idempotency-Key for mutating endpoints (docs/api.md "Idempotency-Key"), the way Stripe does it:
 * the first request with a key runs and its answer is stored; the same key with the same request
 * gets that answer again (header `Idempotent-Replayed: true`) without running anything; the same
 * key with another request is refused (422); a duplicate arriving while the first still runs is
 * refused (409) rather than queued behind it.
 *
 * How: everything happens in the caller's tenant transaction. A transaction-level advisory lock on
 * (organization, user, route, key) is *tried* first (busy: 409 in flight); holding it, the stored
 * row is looked up; when there is none the work runs and the row is inserted in the same
 * transaction. So the stored answer exists exactly when the work committed: a crash or a refusal
 * rolls both back and leaves the key free to retry, and there is never a stale "in flight" row.
 *
 * Only successful answers are stored (the work threw otherwise and its transaction rolled back).
 * Bodies are stored encrypted like payout details (an export file holds account numbers). Keys
 * live KEY_TTL_HOURS; an expired key is a new key. Expired rows are purged as new keys arrive.
 */

export const IDEMPOTENCY_HEADER = 'Idempotency-Key'
export const KEY_TTL_HOURS = 24
const PURGE_BATCH = 100

export interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

export interface IdempotencyScope {
  organizationId: number
  userId: number
  /** The route template with its method, e.g. `POST /api/batches/:id/approve`. */
  route: string
  key: string
  /** requestHashOf(method, path, payload) of this request. */
  requestHash: string
}

export type IdempotencyRefusalCode = 'invalid_idempotency_key' | 'idempotency_key_in_use' | 'idempotency_key_reused'

/** The header's key: null when absent; a 400 naming the header when it is not 1-255 printable ASCII characters. */
export function readIdempotencyKey(
  req: Pick<PayloadRequest, 'headers'>,
): { ok: true; key: string | null } | { ok: false; response: Response } {
  const raw = req.headers.get(IDEMPOTENCY_HEADER)
  if (raw === null) return { ok: true, key: null }
  if (!/^[\x20-\x7E]{1,255}$/.test(raw)) {
    return {
      ok: false,
      response: refusal(
        400,
        'invalid_idempotency_key',
        `${IDEMPOTENCY_HEADER}: must be 1 to 255 printable ASCII characters (a UUID is a good choice); got ${raw.length} characters.`,
      ),
    }
  }
  return { ok: true, key: raw }
}

/** Same method, same path, same parameters (key order and whitespace do not matter): same hash. */
export function requestHashOf(method: string, path: string, payload: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method.toUpperCase(), path, canonical(payload)]))
    .digest('hex')
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    )
  }
  return v
}

export type IdempotentOutcome<T> =
  | { kind: 'fresh'; value: T; response: StoredResponse }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'refused'; response: Response }

/**
 * Runs `work` at most once per key, in the caller's open transaction (`db`). Without a scope (no
 * header) it simply runs. `respond` turns the work's value into the answer that is stored.
 */
export async function runIdempotent<T>(
  db: SqlExecutor,
  scope: IdempotencyScope | null,
  work: () => Promise<T>,
  respond: (value: T) => StoredResponse,
): Promise<IdempotentOutcome<T>> {
  if (scope === null) {
    const value = await work()
    return { kind: 'fresh', value, response: respond(value) }
  }
  const lockKey = `idempotency:${scope.organizationId}:${scope.userId}:${scope.route}:${scope.key}`
  const { rows: locked } = await db.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${lockKey}, 0)) as ok`)
  if (locked[0]?.ok !== true) {
    return {
      kind: 'refused',
      response: refusal(
        409,
        'idempotency_key_in_use',
        `A request with this ${IDEMPOTENCY_HEADER} is still being processed. Retry once it has finished to get its answer.`,
      ),
    }
  }
  const { rows } = await db.execute(sql`
    select id, request_hash, response_status, response_headers, response_body, expires_at > now() as live
      from idempotency_keys
     where organization_id = ${scope.organizationId} and user_id = ${scope.userId} and route = ${scope.route} and key = ${scope.key}`)
  const stored = rows[0]
  if (stored && stored.live === true) {
    if (stored.request_hash !== scope.requestHash) {
      return {
        kind: 'refused',
        response: refusal(
          422,
          'idempotency_key_reused',
          `This ${IDEMPOTENCY_HEADER} was already used for a different request (another method, path or parameters). Use a new key for a new request.`,
        ),
      }
    }
    return { kind: 'replay', response: decode(stored) }
  }
  if (stored) await db.execute(sql`delete from idempotency_keys where id = ${stored.id as number}`)
  // One purger per organization at a time (the lock is the transaction's): not FOR UPDATE SKIP
  // LOCKED, which needs the UPDATE privilege the app role must not hold on stored answers.
  await db.execute(sql`
    delete from idempotency_keys where id in (
      select id from idempotency_keys where expires_at < now() order by expires_at limit ${PURGE_BATCH})
      and pg_try_advisory_xact_lock(hashtext('idempotency_keys:purge'), ${scope.organizationId})`)

  const value = await work()
  const response = respond(value)
  await db.execute(sql`
    insert into idempotency_keys (organization_id, user_id, route, key, request_hash, response_status, response_headers, response_body, expires_at)
    values (${scope.organizationId}, ${scope.userId}, ${scope.route}, ${scope.key}, ${scope.requestHash}, ${response.status},
            ${JSON.stringify(response.headers)}::jsonb, ${encryptPayout(Buffer.from(response.body).toString('base64'))},
            now() + make_interval(hours => ${KEY_TTL_HOURS}))`)
  return { kind: 'fresh', value, response }
}

function decode(row: Record<string, unknown>): StoredResponse {
  const headers = (typeof row.response_headers === 'string' ? JSON.parse(row.response_headers) : row.response_headers) as Record<
    string,
    string
  >
  return {
    status: Number(row.response_status),
    headers,
    body: Buffer.from(decryptPayout(String(row.response_body)), 'base64'),
  }
}

export function jsonStored(status: number, value: unknown): StoredResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value), 'utf8') }
}

/** The HTTP answer; a replay says so in `Idempotent-Replayed: true`. */
export function toResponse(r: StoredResponse, replayed: boolean): Response {
  return new Response(new Uint8Array(r.body), {
    status: r.status,
    headers: { ...r.headers, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
  })
}

function refusal(status: number, code: IdempotencyRefusalCode, message: string): Response {
  return Response.json({ error: { code, message } }, { status })
}
