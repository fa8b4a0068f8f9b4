/**
 * The program's rules in plain language, and what changed between two versions of the settings.
 * Both read the stored JSON form (amounts as integer strings), so the set-up interview can show
 * the summary of a draft in the browser and the server can audit exactly the leaves that moved.
 * Type-only imports: this module is bundled into the admin UI.
 */
import type { CommissionRule } from './commission'
import { formatMinor } from './money'

type Minor = string | number
export interface SettingsJson {
  linkParams: string[]
  linkPathPrefixes: string[]
  decimalComma: boolean
  dateOrder: 'MDY' | 'DMY'
  timeZone: string
  defaultCurrency: string
  holdDays: number
  minPayoutMinor: Minor
  defaultRule: Record<string, unknown> & { kind: CommissionRule['kind'] }
  secondApproverThresholdMinor: Minor | null
  payoutExportFormat: string
  fraud: {
    selfReferralEmail: { enabled: boolean }
    employeePartner: { enabled: boolean }
    employeeDomain: { enabled: boolean; ownDomains: string[] }
    orderOnMultipleCodes: { enabled: boolean }
    velocity: { enabled: boolean; minPerDay: number; multiple: number; trailingDays: number }
  }
}

const money = (v: unknown, currency: string): string => {
  try {
    return `${formatMinor(BigInt(String(v)), currency)} ${currency}`
  } catch {
    return `${String(v)} (not a whole amount)`
  }
}
const percent = (bps: unknown): string => {
  try {
    const b = BigInt(String(bps))
    const whole = b / 100n
    const frac = (b % 100n).toString().padStart(2, '0').replace(/0+$/, '')
    return `${whole}${frac ? `.${frac}` : ''}%`
  } catch {
    return `${String(bps)} basis points`
  }
}

export function describeRule(rule: SettingsJson['defaultRule'], currency: string): string {
  const cur = typeof rule.currency === 'string' ? rule.currency : currency
  const base =
    rule.kind === 'percent'
      ? `${percent(rule.rateBps)} of each order's value`
      : rule.kind === 'flat'
        ? `${money(rule.amountMinor, cur)} per order`
        : rule.kind === 'percent_plus_flat'
          ? `${percent(rule.rateBps)} of each order's value plus ${money(rule.amountMinor, cur)}`
          : `a monthly tier: ${((rule.tiers as { thresholdMinor: Minor; rateBps: Minor }[]) ?? [])
              .map((t) => `${percent(t.rateBps)} from ${money(t.thresholdMinor, cur)}`)
              .join(', ')} of the partner's revenue that month`
  const limits = [
    rule.capMinor != null ? `at most ${money(rule.capMinor, cur)} per order` : '',
    rule.minOrderValueMinor != null ? `nothing on orders under ${money(rule.minOrderValueMinor, cur)}` : '',
  ].filter(Boolean)
  return limits.length ? `${base} (${limits.join('; ')})` : base
}

/** One sentence per rule, in the order the interview asks them. */
export function summarizeSettings(s: SettingsJson, exportLabel?: string): string[] {
  const cur = s.defaultCurrency
  const fraud = s.fraud
  const on = (name: string, enabled: boolean) => (enabled ? name : null)
  const rules = [
    on('a customer email equal to the partner’s', fraud.selfReferralEmail.enabled),
    on('partners marked as employees', fraud.employeePartner.enabled),
    on(
      fraud.employeeDomain.ownDomains.length
        ? `customers with an email at ${fraud.employeeDomain.ownDomains.join(', ')}`
        : 'customers at your own email domains (none named yet)',
      fraud.employeeDomain.enabled,
    ),
    on('one order under several codes', fraud.orderOnMultipleCodes.enabled),
    on(
      `more than ${fraud.velocity.minPerDay} orders a day and ${fraud.velocity.multiple}× a partner's ${fraud.velocity.trailingDays}-day average`,
      fraud.velocity.enabled,
    ),
  ].filter((x): x is string => x != null)
  return [
    `A referral link carries the code in ${s.linkParams.map((p) => `?${p}=`).join(', ')} or after ${s.linkPathPrefixes.map((p) => `/${p}/`).join(', ')}; codes are compared without case or spaces.`,
    `Your files are in ${cur} unless they name a currency, write dates ${s.dateOrder === 'MDY' ? 'month first (11/03/2026 is 3 November)' : 'day first (03/11/2026 is 3 November)'} and amounts with a decimal ${s.decimalComma ? 'comma (1.234,56)' : 'point (1,234.56)'}; days end at midnight in ${s.timeZone}.`,
    `A partner earns ${describeRule(s.defaultRule, cur)}, unless their own rate history says otherwise.`,
    `Commission becomes payable ${s.holdDays} day${s.holdDays === 1 ? '' : 's'} after the order (the refund window); a refund before then cancels it, after payout it is clawed back from the next payout.`,
    BigInt(String(s.minPayoutMinor || 0)) > 0n
      ? `A partner is paid once they are owed at least ${money(s.minPayoutMinor, cur)}; smaller amounts wait for the next batch.`
      : 'Every partner owed anything is paid in the next batch (no minimum payout).',
    s.secondApproverThresholdMinor == null
      ? 'One manager, never the one who drafted it, approves each batch.'
      : `One manager, never the one who drafted it, approves each batch; a batch above ${money(s.secondApproverThresholdMinor, cur)} needs a second manager.`,
    rules.length
      ? `Commission is held for a manager's review when we see ${rules.join('; ')}.`
      : 'No fraud rules are on: no commission is held for review.',
    `Finance gets payouts as ${exportLabel ?? s.payoutExportFormat}.`,
    'These rules apply to conversions imported after you save; money already computed, approved or paid is never repriced.',
  ]
}

export type SettingsDiff = Record<string, { before: unknown; after: unknown }>

/** Leaf paths that differ (`fraud.velocity.minPerDay`); arrays compare as a whole. */
export function settingsDiff(before: unknown, after: unknown, path = ''): SettingsDiff {
  const isObj = (v: unknown): v is Record<string, unknown> => v != null && typeof v === 'object' && !Array.isArray(v)
  if (isObj(before) && isObj(after)) {
    const out: SettingsDiff = {}
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      Object.assign(out, settingsDiff(before[key], after[key], path ? `${path}.${key}` : key))
    }
    return out
  }
  return JSON.stringify(before ?? null) === JSON.stringify(after ?? null)
    ? {}
    : { [path]: { before: before ?? null, after: after ?? null } }
}

/**
 * The interview's inputs: "12.5" % to basis points and "50.00" to minor units, exactly (string
 * arithmetic, never a float); null when the text is not such a number.
 */
export function percentToBps(text: string): string | null {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(text)
  if (!m) return null
  return (BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0')).toString()
}

export function majorToMinor(text: string, exponent: number): string | null {
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text.replace(/[ _']/g, ''))
  if (!m || (m[2] ?? '').length > exponent) return null
  const scale = 10n ** BigInt(exponent)
  return (BigInt(m[1]!) * scale + BigInt((m[2] ?? '').padEnd(exponent, '0') || '0')).toString()
}
