import { isKnownCurrency } from '../../ledger/currency'
import { formatMinor } from '../../ledger/money'

/**
 * Plain-language readings of what the ledger stores (entries' explanations, flags' evidence), shared
 * by the conversion and partner pages and the review views. Amounts arrive as minor-unit strings or
 * numbers and are shown in the currency's own decimals; nothing here does arithmetic on floats.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Obj = { [k: string]: Json }

/** "12.50 USD"; an unknown currency or a non-integer shows as stored, never guessed. */
export function money(minor: unknown, currency: unknown): string {
  const cur = typeof currency === 'string' ? currency : ''
  const raw = typeof minor === 'number' ? (Number.isSafeInteger(minor) ? String(minor) : '') : typeof minor === 'string' ? minor : ''
  if (minor == null) return ''
  // Without a known currency the decimals are unknown: say so rather than print cents as units.
  if (/^-?\d+$/.test(raw) && !isKnownCurrency(cur)) return `${raw} minor units${cur ? ` ${cur}` : ''}`
  if (!/^-?\d+$/.test(raw)) return `${String(minor)} ${cur}`.trim()
  return `${formatMinor(BigInt(raw), cur)} ${cur}`
}

/** 1000 bps → "10%", 1250 → "12.5%". */
export function percent(bps: unknown): string {
  const s = typeof bps === 'number' ? String(bps) : typeof bps === 'string' ? bps : ''
  if (!/^\d+$/.test(s)) return String(bps ?? '')
  const n = s.padStart(3, '0')
  const whole = n.slice(0, -2).replace(/^0+(?=\d)/, '')
  const frac = n.slice(-2).replace(/0+$/, '')
  return `${whole}${frac ? `.${frac}` : ''}%`
}

export const dateOnly = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : '')
export const dateTime = (iso: unknown) => (typeof iso === 'string' ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '')

const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null)

const RULE_KINDS: Record<string, string> = {
  percent: 'percent of the order value',
  flat: 'flat amount per order',
  percent_plus_flat: 'percent of the order value plus a flat amount',
  tiered: 'tiered percent by month-to-date revenue',
}

const ROUNDING: Record<string, string> = {
  half_away_from_zero: 'half away from zero (x.5 rounds up)',
  half_even: 'half to even (x.5 rounds to the even unit)',
}

export interface ExplanationLine {
  label: string
  value: string
}

/**
 * An entry's explanation as labelled lines. Accruals carry the rule and its inputs; refund
 * entries carry the refund arithmetic; manual entries and rejected flags carry a reason.
 */
export function explainEntry(entry: { kind?: unknown; currency?: unknown; reason?: unknown; explanation?: unknown }): {
  lines: ExplanationLine[]
  steps: string[]
} {
  const e = asObj(entry.explanation)
  const cur = str(e.currency) ?? str(entry.currency) ?? ''
  const lines: ExplanationLine[] = []
  const add = (label: string, value: string | null | false | undefined) => {
    if (value) lines.push({ label, value })
  }
  if (typeof e.error === 'string') {
    add('Not priced', `${e.error.replace(/_/g, ' ')} — the entry is 0 until the rule is fixed`)
    add('Order value', e.valueMinor != null && money(e.valueMinor, cur))
  }
  if (typeof e.ruleKind === 'string') {
    const source =
      e.ruleSource === 'partner_rate_history'
        ? `the partner's rate history${str(e.ruleEffectiveFrom) ? `, in effect from ${str(e.ruleEffectiveFrom)}` : ''}${str(e.ruleVersion) ? ` (version ${str(e.ruleVersion)})` : ''}`
        : 'the program default (the partner has no rate of their own for that date)'
    add('Rule', `${RULE_KINDS[e.ruleKind] ?? e.ruleKind}, from ${source}`)
    add('Order value', `${money(e.valueMinor, cur)} on ${str(e.conversionDate) ?? '?'}`)
    add('Rate', str(e.rateBps) && `${percent(e.rateBps)} (${str(e.rateBps)} basis points)`)
    add('Flat', str(e.flatMinor) && money(e.flatMinor, cur))
    const tier = asObj(e.tier)
    add(
      'Tier',
      str(tier.index) &&
        `tier ${Number(tier.index) + 1} (from ${money(tier.thresholdMinor, cur)} a month): ${percent(tier.rateBps)}; month to date ${money(e.monthToDateRevenueMinor, cur)}`,
    )
    add('Minimum order value', str(e.minOrderValueMinor) && money(e.minOrderValueMinor, cur))
    add('Cap per order', str(e.capMinor) && `${money(e.capMinor, cur)}${e.capped === true ? ' — applied: the amount was capped' : ''}`)
    // Only when there was a fraction of a minor unit to settle.
    const exact = str(e.exactPercentMinor)
    add(
      'Rounding',
      exact != null &&
        exact.includes('.') &&
        `${exact} minor units, rounded ${ROUNDING[String(e.roundingMode)] ?? String(e.roundingMode ?? '')}`,
    )
    if (e.zeroReason === 'below_min_order_value') add('Why zero', 'the order is below the minimum order value')
    if (e.zeroReason === 'below_first_tier') add('Why zero', 'month-to-date revenue is below the first tier')
    add('Commission', str(e.amountMinor) && money(e.amountMinor, cur))
  }
  if (str(e.refundAppliedMinor)) {
    add('Refund applied', `${money(e.refundAppliedMinor, cur)}${e.fullRefund === true ? ' (full refund)' : ' (partial refund)'}`)
    add('Refunded before', str(e.refundedBeforeMinor) !== '0' && money(e.refundedBeforeMinor, cur))
    add('Net order value', money(e.netValueMinor, cur))
    add('Commission on the net value', money(e.targetCommissionMinor, cur))
    add('Posted before this entry', money(e.postedSoFarMinor, cur))
  }
  if (str(e.refundedBeforeAttribution)) {
    add('Refunds before attribution', money(e.refundedBeforeAttribution, cur))
  }
  add('Reason', typeof entry.reason === 'string' && entry.reason)
  const steps = Array.isArray(e.steps) ? e.steps.map((s) => String(s)) : []
  return { lines, steps }
}

/** One short "why" for a ledger line in lists. */
export function shortWhy(entry: { kind?: unknown; currency?: unknown; reason?: unknown; explanation?: unknown }): string {
  const e = asObj(entry.explanation)
  const cur = str(e.currency) ?? str(entry.currency) ?? ''
  if (typeof entry.reason === 'string' && entry.reason) return entry.reason
  if (typeof e.error === 'string') return `not priced: ${e.error.replace(/_/g, ' ')}`
  if (typeof e.ruleKind === 'string') {
    const src = e.ruleSource === 'partner_rate_history' ? 'partner rate' : 'program default'
    const parts: string[] = []
    if (str(e.rateBps)) parts.push(`${percent(e.rateBps)} of ${money(e.valueMinor, cur)}`)
    if (str(e.flatMinor)) parts.push(`${parts.length ? '+ ' : ''}flat ${money(e.flatMinor, cur)}`)
    if (e.capped === true) parts.push(`capped at ${money(e.capMinor, cur)}`)
    if (e.zeroReason) parts.push(String(e.zeroReason).replace(/_/g, ' '))
    return `${parts.join(' ') || RULE_KINDS[e.ruleKind] || e.ruleKind} (${src})`
  }
  if (str(e.refundAppliedMinor)) {
    return `${e.fullRefund === true ? 'full' : 'partial'} refund of ${money(e.refundAppliedMinor, cur)}; commission on net ${money(e.netValueMinor, cur)} is ${money(e.targetCommissionMinor, cur)}`
  }
  const steps = Array.isArray(e.steps) ? e.steps.map(String) : []
  return steps.join('; ')
}

export const RULE_TITLES: Record<string, string> = {
  self_referral_email: 'Self-referral: the customer is the partner',
  employee_partner: 'The partner is an employee',
  employee_domain: "The customer's email is on one of our own domains",
  order_on_multiple_codes: 'The same order came in under several codes',
  velocity: 'Unusually many orders for this partner in one day',
}

/** What a flag's evidence says, as sentences a manager can decide on. */
export function describeEvidence(rule: unknown, evidence: unknown): string[] {
  const e = asObj(evidence)
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : String(v ?? ''))
  switch (rule) {
    case 'self_referral_email':
      return [
        `Customer email ${str(e.customerEmail) ?? '(none)'} matches the partner's ${list(e.partnerEmails)}`,
        str(e.comparedAs) ? `both read as ${str(e.comparedAs)} (case and +tags ignored; Gmail dots too)` : '',
      ].filter(Boolean)
    case 'employee_partner':
      return ['The partner is marked as an employee; employees are held for review.']
    case 'employee_domain':
      return [
        `Customer email ${str(e.customerEmail) ?? '(none)'} is at ${str(e.domain) ?? '?'}, our own domain ${str(e.ownDomain) ?? ''}`.trim(),
      ]
    case 'order_on_multiple_codes':
      return [`Order ${str(e.orderId) ?? '?'} appears under ${Array.isArray(e.codes) ? e.codes.length : '?'} codes: ${list(e.codes)}`]
    case 'velocity':
      if (e.countOnDay == null) return ['Unusually many orders in one day (no counts recorded with the flag).']
      return [
        `${str(e.countOnDay) ?? '?'} orders on ${str(e.day) ?? '?'}, against ${str(e.trailingTotal) ?? '?'} in the ${str(e.trailingDays) ?? '?'} days before`,
        `flagged above ${str(e.minPerDay) ?? '?'} a day and ${str(e.multiple) ?? '?'}× the daily average`,
      ]
    default:
      return Object.entries(e).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
  }
}

export const STATUS_LABELS: Record<string, string> = {
  pending: 'Pending',
  eligible: 'Eligible',
  held: 'Held',
  in_batch: 'In batch',
  paid: 'Paid',
}
