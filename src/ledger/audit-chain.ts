import { createHash } from 'node:crypto'

/** The fields of an audit event that its hash covers: everything a reader relies on. */
export interface AuditChainFields {
  organization: number
  seq: number
  actor: number | null
  actorLabel: string
  action: string
  entityType: string
  entityId: string
  changes: unknown
  requestId: string
  ip: string
  userAgent: string
  occurredAt: string
  prevHash: string
}

/** The hash a chain starts from, so the first event is linked to something fixed. */
export const GENESIS_HASH = '0'.repeat(64)

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function auditHash(fields: AuditChainFields): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex')
}

export interface StoredAuditEvent extends AuditChainFields {
  id: number
  hash: string
}

export type ChainVerdict =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; brokenAtSeq: number; eventId: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' }

/** Walks one organization's events in sequence order and names the first broken link. */
export function verifyChain(events: readonly StoredAuditEvent[]): ChainVerdict {
  let prev = GENESIS_HASH
  let expectedSeq = 1
  let checked = 0
  for (const e of events) {
    if (e.seq !== expectedSeq) return { ok: false, checked, brokenAtSeq: e.seq, eventId: e.id, reason: 'seq_gap' }
    if (e.prevHash !== prev) return { ok: false, checked, brokenAtSeq: e.seq, eventId: e.id, reason: 'prev_hash_mismatch' }
    const { id: _id, hash, ...fields } = e
    if (auditHash(fields) !== hash) return { ok: false, checked, brokenAtSeq: e.seq, eventId: e.id, reason: 'hash_mismatch' }
    prev = hash
    expectedSeq++
    checked++
  }
  return { ok: true, checked, lastHash: prev }
}
