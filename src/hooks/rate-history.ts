import { z } from 'zod'

import { rateHistoryEntrySchema } from '../ledger'

const historySchema = z.array(rateHistoryEntrySchema)

/** Payload field validator: a partner's rate history must parse as the ledger reads it. */
export function validateRateHistory(value: unknown): true | string {
  if (value == null) return true
  const parsed = historySchema.safeParse(value)
  if (parsed.success) return true
  return parsed.error.issues.map((i) => `rateHistory${i.path.map((p) => `[${String(p)}]`).join('')}: ${i.message}`).join('; ')
}
