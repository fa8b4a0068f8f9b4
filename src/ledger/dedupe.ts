/**
 * Duplicate detection before insert. The database's unique index on the same key is the real
 * guard (two racing imports cannot both insert); this gives each row a readable outcome first,
 * and finds the one near-duplicate the index must allow: one order id under several codes.
 */

export interface DedupeRow {
  readonly organizationId: string
  /** Canonical code (codes.ts). */
  readonly code: string
  readonly orderId: string
}

// JSON of a tuple: no separator character in a code or order id can make two keys collide.
/** The duplicate key: (organization, canonical code, trimmed order id). */
export function dedupeKey(organizationId: string, code: string, orderId: string): string {
  return JSON.stringify([organizationId, code, orderId.trim()])
}

/** Key of an order within an organization, for finding the same order under several codes. */
export function orderKey(organizationId: string, orderId: string): string {
  return JSON.stringify([organizationId, orderId.trim()])
}

export type RowClass =
  | { readonly kind: 'new'; readonly key: string }
  /** Same key as an earlier row of this batch; `firstIndex` is that row's index in `rows`. */
  | { readonly kind: 'duplicate_in_file'; readonly key: string; readonly firstIndex: number }
  | { readonly kind: 'duplicate_existing'; readonly key: string }
  /** A blank order id cannot be deduplicated, and two blanks must not swallow each other. */
  | { readonly kind: 'missing_order_id' }

/** Classifies each row; a key already stored wins over an earlier row of the same file. */
export function classifyBatch(rows: readonly DedupeRow[], existingKeys: ReadonlySet<string>): RowClass[] {
  const firstSeen = new Map<string, number>()
  return rows.map((row, index): RowClass => {
    if (row.orderId.trim() === '') return { kind: 'missing_order_id' }
    const key = dedupeKey(row.organizationId, row.code, row.orderId)
    if (existingKeys.has(key)) return { kind: 'duplicate_existing', key }
    const first = firstSeen.get(key)
    if (first !== undefined) return { kind: 'duplicate_in_file', key, firstIndex: first }
    firstSeen.set(key, index)
    return { kind: 'new', key }
  })
}

export interface MultiCodeOrder {
  readonly organizationId: string
  /** Trimmed. */
  readonly orderId: string
  /** Every distinct code the order appears under, stored or in this batch, sorted. */
  readonly codes: readonly string[]
  /** Rows of this batch that carry the order (duplicates included: they are the same order). */
  readonly rowIndexes: readonly number[]
  /** Codes already stored for the order: their conversions need the flag too. */
  readonly existingCodes: readonly string[]
}

/**
 * Orders that appear under more than one code, within the batch or against stored conversions.
 * `existingCodesByOrder` is keyed by orderKey(); only orders this batch touches are reported.
 */
export function findOrdersOnMultipleCodes(
  rows: readonly DedupeRow[],
  existingCodesByOrder: ReadonlyMap<string, readonly string[]>,
): MultiCodeOrder[] {
  const byOrder = new Map<string, { organizationId: string; orderId: string; codes: Set<string>; rowIndexes: number[] }>()
  rows.forEach((row, index) => {
    const orderId = row.orderId.trim()
    if (orderId === '') return
    const key = orderKey(row.organizationId, orderId)
    let group = byOrder.get(key)
    if (!group) {
      group = { organizationId: row.organizationId, orderId, codes: new Set(), rowIndexes: [] }
      byOrder.set(key, group)
    }
    group.codes.add(row.code)
    group.rowIndexes.push(index)
  })
  const out: MultiCodeOrder[] = []
  for (const [key, g] of byOrder) {
    const existingCodes = [...new Set(existingCodesByOrder.get(key) ?? [])].sort()
    const codes = [...new Set([...existingCodes, ...g.codes])].sort()
    if (codes.length > 1) out.push({ organizationId: g.organizationId, orderId: g.orderId, codes, rowIndexes: g.rowIndexes, existingCodes })
  }
  return out
}

/** The facts of an order that a repeat must agree with to be a harmless duplicate. */
export interface OrderFacts {
  /** null: unreadable, so it differs from any stored amount. */
  readonly valueMinor: bigint | null
  readonly currency: string
  /** An instant: compared to the millisecond (Postgres timestamp(3)). */
  readonly occurredAt: Date | string
}

export type OrderFact = 'valueMinor' | 'currency' | 'occurredAt'

/**
 * Which facts of a repeated (code, order id) differ from the stored ones (checklist row 11). No
 * difference: a duplicate, a no-op. Any difference: a conflict the user must see, never a silent
 * keep-the-first, because a changed amount in a later export is how a price correction arrives.
 */
export function differingFacts(stored: OrderFacts, given: OrderFacts): OrderFact[] {
  const at = (v: Date | string) => (v instanceof Date ? v.getTime() : new Date(v).getTime())
  const out: OrderFact[] = []
  if (stored.valueMinor !== given.valueMinor) out.push('valueMinor')
  if (stored.currency !== given.currency) out.push('currency')
  if (at(stored.occurredAt) !== at(given.occurredAt)) out.push('occurredAt')
  return out
}
