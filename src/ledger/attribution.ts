/**
 * Splits conversions into those whose code belongs to a partner and those that do not. An
 * unattributed conversion is kept and queued, never dropped: a partner may be added later and
 * the conversion assigned then (an audited action), so the split must lose nothing.
 */

export interface AttributedRow<T> {
  readonly row: T
  /** Position in the input, so callers can report by file row. */
  readonly index: number
  readonly partnerId: string
}

export interface UnattributedRow<T> {
  readonly row: T
  readonly index: number
  readonly reason: 'unknown_code'
}

export interface AttributionSplit<T> {
  readonly attributed: AttributedRow<T>[]
  readonly unattributed: UnattributedRow<T>[]
}

/** `rows` carry canonical codes (see codes.ts); `partnerByCode` maps canonical code -> partner id. */
export function attribute<T extends { readonly code: string }>(
  rows: readonly T[],
  partnerByCode: ReadonlyMap<string, string>,
): AttributionSplit<T> {
  const attributed: AttributedRow<T>[] = []
  const unattributed: UnattributedRow<T>[] = []
  rows.forEach((row, index) => {
    const partnerId = partnerByCode.get(row.code)
    if (partnerId === undefined) unattributed.push({ row, index, reason: 'unknown_code' })
    else attributed.push({ row, index, partnerId })
  })
  return { attributed, unattributed }
}
