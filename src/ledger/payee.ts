/**
 * Payout details as a batch and its export files need them. A partner's stored details are
 * loose JSON (whatever the admin form saved); this module is the one place that decides
 * whether they are usable, so a batch never carries a line that no export format could pay.
 */

export const PAYOUT_METHODS = ['paypal', 'wise', 'ach', 'sepa'] as const
export type PayoutMethod = (typeof PAYOUT_METHODS)[number]

export type ReceiverType = 'PERSON' | 'BUSINESS'
export type AchAccountType = 'checking' | 'savings'

export type Payee =
  | { readonly method: 'paypal'; readonly email: string }
  | {
      readonly method: 'wise'
      readonly email: string
      readonly holderName: string
      readonly iban: string | null
      readonly receiverType: ReceiverType
    }
  | {
      readonly method: 'ach'
      readonly holderName: string
      readonly routingNumber: string
      readonly accountNumber: string
      readonly accountType: AchAccountType
    }
  | { readonly method: 'sepa'; readonly holderName: string; readonly iban: string; readonly bic: string | null }

export type PayeeProblem =
  | 'no_payout_method'
  | 'unsupported_payout_method'
  | 'missing_email'
  | 'invalid_email'
  | 'missing_iban'
  | 'invalid_iban'
  | 'invalid_bic'
  | 'missing_routing_number'
  | 'invalid_routing_number'
  | 'missing_account_number'
  | 'invalid_account_number'
  | 'invalid_account_type'
  | 'invalid_receiver_type'
  | 'method_currency_mismatch'
  | 'missing_bank_details'

export type PayeeResult = { ok: true; payee: Payee } | { ok: false; code: PayeeProblem }

export interface PayeeSource {
  readonly name: string
  readonly payoutMethod: string | null | undefined
  readonly payoutDetails: Readonly<Record<string, unknown>> | null | undefined
}

/** Currencies a method can settle in; `null` = any currency the provider supports. */
const METHOD_CURRENCIES: Readonly<Record<PayoutMethod, readonly string[] | null>> = {
  paypal: null,
  wise: null,
  ach: ['USD'], // NACHA moves US dollars only; foreign payees need IAT, which we do not write
  sepa: ['EUR'], // SEPA credit transfers are EUR only
}

export function methodSupportsCurrency(method: PayoutMethod, currency: string): boolean {
  const allowed = METHOD_CURRENCIES[method]
  return allowed === null || allowed.includes(currency)
}

function text(details: Readonly<Record<string, unknown>>, key: string): string | null {
  const v = details[key]
  if (typeof v !== 'string') return null
  const t = v.trim()
  return t === '' ? null : t
}

// Deliberately loose: the provider is the authority on deliverability; we only catch typos
// that would certainly fail (no @, spaces, no dot in the domain).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** ABA check digit over the first 8 digits, weights 3,7,1 repeating. */
export function routingCheckDigit(first8: string): number {
  if (!/^\d{8}$/.test(first8)) throw new Error('routingCheckDigit: need 8 digits')
  const weights = [3, 7, 1, 3, 7, 1, 3, 7]
  let sum = 0
  for (let i = 0; i < 8; i++) sum += (first8.charCodeAt(i) - 48) * (weights[i] as number)
  return (10 - (sum % 10)) % 10
}

export function isValidRoutingNumber(routing: string): boolean {
  return /^\d{9}$/.test(routing) && routingCheckDigit(routing.slice(0, 8)) === routing.charCodeAt(8) - 48
}

export function normaliseIban(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase()
}

/** ISO 13616 mod-97 check; the string must already be normalised. */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const digits = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55)
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}

export function isValidBic(bic: string): boolean {
  return /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(bic)
}

function email(details: Readonly<Record<string, unknown>>): { ok: true; v: string } | { ok: false; code: PayeeProblem } {
  const e = text(details, 'email')
  if (e === null) return { ok: false, code: 'missing_email' }
  if (!EMAIL.test(e)) return { ok: false, code: 'invalid_email' }
  return { ok: true, v: e }
}

function optionalIban(details: Readonly<Record<string, unknown>>): { ok: true; v: string | null } | { ok: false; code: PayeeProblem } {
  const raw = text(details, 'iban')
  if (raw === null) return { ok: true, v: null }
  const iban = normaliseIban(raw)
  return isValidIban(iban) ? { ok: true, v: iban } : { ok: false, code: 'invalid_iban' }
}

/**
 * Validates a partner's stored payout details into a Payee. The holder name defaults to the
 * partner's name because banks match on it and most partners never fill a separate field.
 */
export function resolvePayee(source: PayeeSource): PayeeResult {
  const details = source.payoutDetails ?? {}
  let method = source.payoutMethod?.trim().toLowerCase() ?? ''
  if (method === '') return { ok: false, code: 'no_payout_method' }
  // The partner form offers a generic "bank"; the details decide the rail (IBAN -> SEPA,
  // routing number -> ACH), so the operator never has to know the difference.
  if (method === 'bank') {
    if (text(details, 'iban') !== null) method = 'sepa'
    else if (text(details, 'routingNumber') !== null) method = 'ach'
    else return { ok: false, code: 'missing_bank_details' }
  }
  if (!(PAYOUT_METHODS as readonly string[]).includes(method)) return { ok: false, code: 'unsupported_payout_method' }
  const holderName = text(details, 'holderName') ?? source.name.trim()

  switch (method as PayoutMethod) {
    case 'paypal': {
      const e = email(details)
      return e.ok ? { ok: true, payee: { method: 'paypal', email: e.v } } : e
    }
    case 'wise': {
      const e = email(details)
      if (!e.ok) return e
      const iban = optionalIban(details)
      if (!iban.ok) return iban
      const rt = text(details, 'receiverType')?.toUpperCase() ?? 'PERSON'
      if (rt !== 'PERSON' && rt !== 'BUSINESS') return { ok: false, code: 'invalid_receiver_type' }
      return { ok: true, payee: { method: 'wise', email: e.v, holderName, iban: iban.v, receiverType: rt } }
    }
    case 'ach': {
      const routing = text(details, 'routingNumber')
      if (routing === null) return { ok: false, code: 'missing_routing_number' }
      if (!isValidRoutingNumber(routing)) return { ok: false, code: 'invalid_routing_number' }
      const account = text(details, 'accountNumber')
      if (account === null) return { ok: false, code: 'missing_account_number' }
      // 17 is the NACHA DFI account field width; digits only so it survives fixed-width files.
      if (!/^\d{1,17}$/.test(account)) return { ok: false, code: 'invalid_account_number' }
      const type = text(details, 'accountType')?.toLowerCase() ?? 'checking'
      if (type !== 'checking' && type !== 'savings') return { ok: false, code: 'invalid_account_type' }
      return {
        ok: true,
        payee: { method: 'ach', holderName, routingNumber: routing, accountNumber: account, accountType: type },
      }
    }
    case 'sepa': {
      const iban = optionalIban(details)
      if (!iban.ok) return iban
      if (iban.v === null) return { ok: false, code: 'missing_iban' }
      const bicRaw = text(details, 'bic')
      const bic = bicRaw === null ? null : bicRaw.replace(/\s+/g, '').toUpperCase()
      if (bic !== null && !isValidBic(bic)) return { ok: false, code: 'invalid_bic' }
      return { ok: true, payee: { method: 'sepa', holderName, iban: iban.v, bic } }
    }
  }
}

/** The account identifier a human recognises (email, IBAN or account number). */
export function payeeAccount(payee: Payee): string {
  switch (payee.method) {
    case 'paypal':
      return payee.email
    case 'wise':
      return payee.iban ?? payee.email
    case 'ach':
      return payee.accountNumber
    case 'sepa':
      return payee.iban
  }
}
