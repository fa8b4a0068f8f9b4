import { createHash } from 'node:crypto'
import type { Payee } from './payee'

/**
 * A canonical SHA-256 of what an approver actually approves: who gets how much, in which
 * currency, for which entries, paid to which account. Approval stores this hash; export
 * recomputes it from the stored lines and refuses on any difference, so an edit after
 * approval (a changed IBAN, an extra entry) voids the approval instead of riding on it.
 */

export interface HashableLine {
  readonly partnerId: string
  readonly currency: string
  readonly amountMinor: bigint
  readonly entryIds: readonly string[]
  readonly payee: Payee
}

export interface HashableBatch {
  readonly batchId: string
  readonly lines: readonly HashableLine[]
}

/** Bumped if the canonical form ever changes, so an old hash can never match a new form by accident. */
export const BATCH_HASH_VERSION = 'partner-ledger/batch/v1'

type Canonical = string | readonly Canonical[] | { readonly [key: string]: Canonical }

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** JSON with sorted keys and no whitespace: one byte string per meaning. */
function canonicalJson(value: Canonical): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as { readonly [key: string]: Canonical }
  const keys = Object.keys(obj).sort(compareText)
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as Canonical)}`).join(',')}}`
}

function payeeCanonical(payee: Payee): Canonical {
  // Nulls become '' so an absent BIC and a removed BIC hash the same, but any value differs.
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(payee)) out[k] = v === null || v === undefined ? '' : String(v)
  return out
}

export function canonicalBatchContent(batch: HashableBatch): string {
  // Lines are sorted by their own canonical text, so the order they were loaded in is irrelevant
  // and even two identical lines (a bug elsewhere) still give one answer.
  const lines = batch.lines
    .map((l) =>
      canonicalJson({
        partnerId: l.partnerId,
        currency: l.currency,
        amountMinor: l.amountMinor.toString(),
        entryIds: [...l.entryIds].sort(compareText),
        payee: payeeCanonical(l.payee),
      }),
    )
    .sort(compareText)
  const head = canonicalJson({ version: BATCH_HASH_VERSION, batchId: batch.batchId })
  return `${head}\n${lines.join('\n')}`
}

export function batchContentHash(batch: HashableBatch): string {
  return createHash('sha256').update(canonicalBatchContent(batch), 'utf8').digest('hex')
}
