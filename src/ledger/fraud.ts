/**
 * Review flags over context the caller has already loaded. A flag does not decide anything: it
 * holds the commission until a manager clears or rejects it, so each flag carries the evidence
 * that manager needs (which emails matched, which codes, which counts) to decide without digging.
 */
import { addDays, isIsoDate, localDate, type IsoDate } from './calendar'
import type { FraudSettings } from './settings'

export type FraudRule = 'self_referral_email' | 'employee_partner' | 'employee_domain' | 'order_on_multiple_codes' | 'velocity'

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

export interface FraudFlag {
  readonly rule: FraudRule
  readonly evidence: { readonly [key: string]: JsonValue }
}

export interface FraudContext {
  readonly conversion: {
    readonly orderId: string
    readonly code: string
    readonly customerEmail?: string | null | undefined
    readonly occurredAt: Date
  }
  readonly partner: {
    readonly id: string
    /** Every address the partner is known by (login, payout): any of them is a self-referral. */
    readonly emails: readonly string[]
    readonly isEmployee: boolean
  }
  /** Distinct codes this order id is recorded under in the organization, this conversion's included. */
  readonly codesForOrder: readonly string[]
  /** The partner's conversions per local date, this one included; the day and the trailing window suffice. */
  readonly partnerDailyCounts: ReadonlyMap<IsoDate, number>
  /** The organization's time zone: decides which day a conversion is on. */
  readonly timeZone: string
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com'])

/**
 * The address a mailbox really delivers to, as far as we can tell without asking: lower case,
 * `+tag` dropped, and for Gmail dots dropped and googlemail.com read as gmail.com (Gmail ignores
 * both). null when it is not an address at all.
 */
export function normalizeEmail(email: string): string | null {
  const e = email.normalize('NFKC').trim().toLowerCase()
  const at = e.lastIndexOf('@')
  if (at <= 0 || at === e.length - 1) return null
  let local = e.slice(0, at)
  let domain = e.slice(at + 1).replace(/\.$/, '')
  const plus = local.indexOf('+')
  if (plus === 0) return null
  if (plus > 0) local = local.slice(0, plus)
  if (GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com'
    local = local.replace(/\./g, '')
  }
  if (local === '' || domain === '') return null
  return `${local}@${domain}`
}

export function emailDomain(email: string): string | null {
  const n = normalizeEmail(email)
  return n === null ? null : n.slice(n.lastIndexOf('@') + 1)
}

export interface VelocityEvidence {
  readonly day: IsoDate
  readonly countOnDay: number
  readonly trailingDays: number
  readonly trailingTotal: number
  readonly minPerDay: number
  readonly multiple: number
}

/**
 * The day's count must exceed both the floor and `multiple` x the average of the `trailingDays`
 * days before it. The day itself is left out of the average: a spike must not dilute its own
 * baseline. Days without conversions count as zero, so a brand-new partner has an average of 0
 * and is flagged only by the floor.
 */
export function checkVelocity(
  dailyCounts: ReadonlyMap<IsoDate, number>,
  day: IsoDate,
  rule: FraudSettings['velocity'],
): VelocityEvidence | null {
  const countOnDay = dailyCounts.get(day) ?? 0
  let trailingTotal = 0
  if (rule.trailingDays > 0) {
    // The map holds a few days, the window many: walk the map. Same-width ISO dates sort as they fall.
    const from = addDays(day, -rule.trailingDays)
    for (const [d, n] of dailyCounts) if (d >= from && d < day && isIsoDate(d)) trailingTotal += n
  }
  // count > multiple x total / days, kept in whole numbers as count x days > multiple x total.
  const aboveAverage = countOnDay * rule.trailingDays > rule.multiple * trailingTotal
  if (countOnDay <= rule.minPerDay || !aboveAverage) return null
  return { day, countOnDay, trailingDays: rule.trailingDays, trailingTotal, minPerDay: rule.minPerDay, multiple: rule.multiple }
}

/** Flags in a fixed rule order, only for rules switched on in the settings. */
export function fraudFlags(ctx: FraudContext, settings: FraudSettings): FraudFlag[] {
  const flags: FraudFlag[] = []
  const customer = ctx.conversion.customerEmail ? normalizeEmail(ctx.conversion.customerEmail) : null

  if (settings.selfReferralEmail.enabled && customer !== null) {
    const matched = ctx.partner.emails.filter((e) => normalizeEmail(e) === customer)
    if (matched.length > 0) {
      flags.push({
        rule: 'self_referral_email',
        evidence: { customerEmail: ctx.conversion.customerEmail ?? null, partnerEmails: matched, comparedAs: customer },
      })
    }
  }

  if (settings.employeePartner.enabled && ctx.partner.isEmployee) {
    flags.push({ rule: 'employee_partner', evidence: { partnerId: ctx.partner.id } })
  }

  if (settings.employeeDomain.enabled && customer !== null) {
    const domain = customer.slice(customer.lastIndexOf('@') + 1)
    const own = settings.employeeDomain.ownDomains.find((d) => emailDomainOf(d) === domain)
    if (own !== undefined) {
      flags.push({ rule: 'employee_domain', evidence: { customerEmail: ctx.conversion.customerEmail ?? null, domain, ownDomain: own } })
    }
  }

  if (settings.orderOnMultipleCodes.enabled) {
    const codes = [...new Set([...ctx.codesForOrder, ctx.conversion.code])].sort()
    if (codes.length > 1) flags.push({ rule: 'order_on_multiple_codes', evidence: { orderId: ctx.conversion.orderId.trim(), codes } })
  }

  if (settings.velocity.enabled) {
    const day = localDate(ctx.conversion.occurredAt, ctx.timeZone)
    const v = checkVelocity(ctx.partnerDailyCounts, day, settings.velocity)
    if (v) flags.push({ rule: 'velocity', evidence: { ...v, partnerId: ctx.partner.id } })
  }
  return flags
}

/** Own domains are compared the way customer domains are normalized (googlemail.com is gmail.com). */
function emailDomainOf(domain: string): string | null {
  return emailDomain(`x@${domain.replace(/^@/, '')}`)
}
