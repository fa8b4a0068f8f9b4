/**
 * The refund window. A commission is held for `holdDays` after its conversion so that refunds in
 * that window cancel money that was never payable. The as-of date is always passed in, so a batch
 * drafted for a date gives the same answer whenever it is recomputed.
 */
import { addDays, toLocalDate, type IsoDate } from './calendar'

export type HoldStatus = 'pending' | 'eligible'

/**
 * Conversion date + holdDays, on the calendar (never 24-hour steps, so DST cannot move it). An
 * instant is first placed on its date in the organization's time zone.
 */
export function eligibilityDate(conversionDate: Date | IsoDate, holdDays: number, timeZone = 'UTC'): IsoDate {
  if (!Number.isInteger(holdDays) || holdDays < 0) throw new Error(`holdDays must be a whole number >= 0, got ${holdDays}`)
  return addDays(toLocalDate(conversionDate, timeZone), holdDays)
}

/** Eligible on the eligibility date itself: "becomes eligible at conversion date + hold days". */
export function holdStatus(eligibleOn: IsoDate, asOf: Date | IsoDate, timeZone = 'UTC'): HoldStatus {
  return toLocalDate(asOf, timeZone) >= toLocalDate(eligibleOn, timeZone) ? 'eligible' : 'pending'
}

export type EntryStatus = 'pending' | 'eligible' | 'held'

/**
 * The status a new or released ledger entry takes: held while a flag on its conversion is open,
 * otherwise pending before its eligibility instant and eligible from it on.
 */
export function entryStatusAt(eligibleAt: Date, now: Date, held: boolean): EntryStatus {
  if (held) return 'held'
  return eligibleAt.getTime() <= now.getTime() ? 'eligible' : 'pending'
}
