/**
 * One zod schema per kind of cell: raw cell text in, a normalised value out, or an issue whose
 * `params.code` names the problem and whose message reads after "Row 7, column "Amount": ...".
 * Cells are strings (a CSV has no other type); blank means "not given" unless required.
 */
import { z } from 'zod'

import { canonicalCode, type LinkSettings } from '../codes'
import { isKnownCurrency } from '../currency'
import { isValidBic, isValidIban, isValidRoutingNumber, normaliseIban } from '../payee'
import { parseAmount } from './amounts'
import { parseDateTime, parseLocalDate, type DateOptions } from './dates'

type Ctx = z.core.$RefinementCtx<string>

function issue(ctx: Ctx, code: string, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { code } })
  return z.NEVER
}

const blank = (v: string) => v.trim() === ''

export function requiredText(maxLength: number) {
  return z.string().transform((v, ctx): string => {
    const t = v.trim()
    if (t === '') return issue(ctx, 'required', 'is empty; a value is required')
    if (t.length > maxLength) return issue(ctx, 'too_long', `is longer than ${maxLength} characters`)
    return t
  })
}

export function optionalText(maxLength: number) {
  return z.string().transform((v, ctx): string | null => {
    const t = v.trim()
    if (t === '') return null
    if (t.length > maxLength) return issue(ctx, 'too_long', `is longer than ${maxLength} characters`)
    return t
  })
}

export interface CodeValue {
  /** As written (trimmed): shown back to people. */
  readonly raw: string
  /** canonicalCode(): what lookups, dedupe keys and the unique index use. */
  readonly canonical: string
}

function toCode(
  raw: string,
  link: LinkSettings | undefined,
): { ok: true; value: CodeValue } | { ok: false; code: string; message: string } {
  const r = canonicalCode(raw, link)
  if (r.ok) return { ok: true, value: { raw, canonical: r.code } }
  return r.code === 'empty_code'
    ? { ok: false, code: 'required', message: 'is empty; a code or link is required' }
    : {
        ok: false,
        code: 'no_code_in_link',
        message: 'is a link without a code in it (no ref=, via=, coupon=... parameter and no /r/CODE path)',
      }
}

export function codeField(required: boolean, link: LinkSettings | undefined) {
  return z.string().transform((v, ctx): CodeValue | null => {
    const t = v.trim()
    if (t === '' && !required) return null
    if (t.length > 2048) return issue(ctx, 'too_long', 'is longer than 2048 characters')
    const r = toCode(t, link)
    return r.ok ? r.value : issue(ctx, r.code, r.message)
  })
}

/** `;`-separated codes or links; empty pieces (`a;;b`) are ignored, a bad piece is named. */
export function aliasesField(link: LinkSettings | undefined) {
  return z.string().transform((v, ctx): CodeValue[] => {
    const out: CodeValue[] = []
    for (const piece of v
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const r = toCode(piece, link)
      if (!r.ok) return issue(ctx, r.code, `has "${piece}", which ${r.message.replace(/^is /, 'is ')}`)
      if (!out.some((c) => c.canonical === r.value.canonical)) out.push(r.value)
    }
    return out
  })
}

// Deliberately loose (the same rule as payee.ts): catch certain typos, not judge deliverability.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function emailField() {
  return z.string().transform((v, ctx): string | null => {
    const t = v.trim().toLowerCase()
    if (t === '') return null
    if (t.length > 254 || !EMAIL.test(t)) return issue(ctx, 'invalid_email', 'is not an email address')
    return t
  })
}

export function currencyField() {
  return z.string().transform((v, ctx): string | null => {
    const t = v.trim().toUpperCase()
    if (t === '') return null
    return isKnownCurrency(t) ? t : issue(ctx, 'unknown_currency', 'is not a currency code we know (use ISO codes like USD, EUR, JPY)')
  })
}

export interface AmountFieldOptions {
  readonly currency: string
  readonly decimalComma: boolean
  readonly required: boolean
  readonly sign: 'non_negative' | 'magnitude'
}

export function amountField(o: AmountFieldOptions) {
  return z.string().transform((v, ctx): bigint | null => {
    if (blank(v) && !o.required) return null
    const r = parseAmount(v, o.currency, { decimalComma: o.decimalComma })
    if (!r.ok) return issue(ctx, r.code, r.message)
    // A refund written as -12.00 or (12.00) means a refund of 12.00: the file's kind says the sign.
    if (o.sign === 'magnitude') return r.amountMinor < 0n ? -r.amountMinor : r.amountMinor
    if (r.amountMinor < 0n) return issue(ctx, 'amount_negative', 'is negative; record refunds with a refund import instead')
    return r.amountMinor
  })
}

export function dateTimeField(options: DateOptions) {
  return z.string().transform((v, ctx): string => {
    const r = parseDateTime(v, options)
    return r.ok ? r.iso : issue(ctx, r.code, r.message)
  })
}

export function localDateField(options: DateOptions) {
  return z.string().transform((v, ctx): string | null => {
    if (blank(v)) return null
    const r = parseLocalDate(v, options)
    return r.ok ? r.date : issue(ctx, r.code, r.message)
  })
}

const YES = new Set(['yes', 'y', 'true', '1', 'x'])
const NO = new Set(['no', 'n', 'false', '0'])

export function yesNoField() {
  return z.string().transform((v, ctx): boolean | null => {
    const t = v.trim().toLowerCase()
    if (t === '') return null
    if (YES.has(t)) return true
    if (NO.has(t)) return false
    return issue(ctx, 'invalid_yes_no', 'is not yes or no (use yes/no, true/false or 1/0)')
  })
}

export function enumField<T extends string>(allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}) {
  return z.string().transform((v, ctx): T | null => {
    const t = v.trim().toLowerCase()
    if (t === '') return null
    const hit = (allowed as readonly string[]).includes(t) ? (t as T) : aliases[t]
    return hit ?? issue(ctx, 'invalid_choice', `is not one of ${allowed.join(', ')}`)
  })
}

/** `12.5` or `12.5%` -> 1250 bps, by string arithmetic (a percent is a decimal with two places). */
export function ratePercentField(decimalComma: boolean) {
  return z.string().transform((v, ctx): bigint | null => {
    const t = v.trim().replace(/\s*%$/, '')
    if (t === '') return null
    const sep = decimalComma ? ',' : '.'
    const m = new RegExp(`^(\\d{1,3})(?:\\${sep}(\\d{1,2}))?$`).exec(t)
    if (!m) {
      if (new RegExp(`^\\d+\\${sep}\\d{3,}$`).test(t))
        return issue(ctx, 'rate_too_precise', 'has more than two decimal places; rates are kept to 0.01% (one basis point)')
      return issue(ctx, 'invalid_rate', `is not a percentage like 12${sep}5`)
    }
    const bps = BigInt(m[1] as string) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'))
    // Above 100% is far more likely a misplaced digit than a real rate (as settings.ts).
    return bps > 10_000n ? issue(ctx, 'rate_out_of_range', 'is more than 100%') : bps
  })
}

export function rateBpsField() {
  return z.string().transform((v, ctx): bigint | null => {
    const t = v.trim()
    if (t === '') return null
    if (!/^\d{1,6}$/.test(t)) return issue(ctx, 'invalid_rate', 'is not a whole number of basis points (1250 = 12.5%)')
    const bps = BigInt(t)
    return bps > 10_000n ? issue(ctx, 'rate_out_of_range', 'is more than 10000 basis points (100%)') : bps
  })
}

export function ibanField() {
  return z.string().transform((v, ctx): string | null => {
    if (blank(v)) return null
    const iban = normaliseIban(v)
    return isValidIban(iban) ? iban : issue(ctx, 'invalid_iban', 'is not a valid IBAN (its check digits do not match)')
  })
}

export function bicField() {
  return z.string().transform((v, ctx): string | null => {
    if (blank(v)) return null
    const bic = v.replace(/\s+/g, '').toUpperCase()
    return isValidBic(bic) ? bic : issue(ctx, 'invalid_bic', 'is not a valid BIC/SWIFT code (8 or 11 letters and digits)')
  })
}

/** Kept as text: leading zeros are part of the number (0-prefixed routing numbers exist). */
export function routingNumberField() {
  return z.string().transform((v, ctx): string | null => {
    if (blank(v)) return null
    const r = v.replace(/[\s-]/g, '')
    return isValidRoutingNumber(r) ? r : issue(ctx, 'invalid_routing_number', 'is not a valid 9-digit ABA routing number')
  })
}

export function accountNumberField() {
  return z.string().transform((v, ctx): string | null => {
    if (blank(v)) return null
    const a = v.replace(/[\s-]/g, '')
    // 17 digits: the NACHA account field width (payee.ts refuses longer ones at payout time).
    return /^\d{1,17}$/.test(a) ? a : issue(ctx, 'invalid_account_number', 'is not an account number (digits only, at most 17)')
  })
}
