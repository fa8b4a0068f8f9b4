/**
 * Amount text from import files -> bigint minor units. String arithmetic only: a float would
 * turn 0.29 into 0.28999999999999998 and, a million rows later, a cent that nobody can explain.
 * The accepted forms are those of ledger-rules.md (Amounts); anything else is a named error,
 * never a guess, because a misread separator multiplies an amount by 1000.
 */
import { currencyExponent, isKnownCurrency } from '../currency'

export type AmountErrorCode =
  | 'amount_empty'
  | 'amount_letters'
  | 'amount_invalid'
  | 'amount_too_many_decimals'
  | 'amount_separator_order'
  | 'amount_grouping'
  | 'amount_currency_mismatch'
  | 'amount_out_of_range'
  | 'unknown_currency'

export type AmountResult = { ok: true; amountMinor: bigint; currency: string } | { ok: false; code: AmountErrorCode; message: string }

export interface AmountOptions {
  /** The organization's decimal comma setting: `1.234,56` instead of `1,234.56`. */
  readonly decimalComma?: boolean
}

// A symbol that names one currency must agree with the column's currency; `$` and `¥` name
// several, so they only have to be one of those.
const SYMBOLS: Readonly<Record<string, readonly string[]>> = {
  $: ['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN', 'ARS', 'CLP', 'COP', 'TWD'],
  '€': ['EUR'],
  '£': ['GBP'],
  '¥': ['JPY', 'CNY'],
  '₹': ['INR'],
  '₩': ['KRW'],
  '₺': ['TRY'],
  '₪': ['ILS'],
  '₱': ['PHP'],
  '₫': ['VND'],
  '₦': ['NGN'],
  zł: ['PLN'],
  R$: ['BRL'],
}
const SYMBOL_LIST = Object.keys(SYMBOLS).sort((a, b) => b.length - a.length)
// Grouped thousands: one kind of group mark (the other separator, a space or '), groups of three.
const GROUPED_DECIMAL_POINT = /^\d{1,3}(?:([,' ])\d{3})(?:\1\d{3})*$/
const GROUPED_DECIMAL_COMMA = /^\d{1,3}(?:([.' ])\d{3})(?:\1\d{3})*$/
// int64: the database column is bigint; anything larger is a typo, not a sale.
const INT64_MAX = 9_223_372_036_854_775_807n

function fail(code: AmountErrorCode, message: string): AmountResult {
  return { ok: false, code, message }
}

/** Strips sign, parentheses, currency code and symbol; what is left must be the number. */
function peel(text: string): { negative: boolean; marks: string[]; number: string } | { error: AmountResult } {
  let rest = text
  let negative = false
  if (rest.startsWith('(') && rest.endsWith(')')) {
    negative = true // accounting style: (12.00) is -12.00
    rest = rest.slice(1, -1).trim()
  }
  const marks: string[] = []
  let signSeen = false
  for (;;) {
    const before = rest
    rest = rest.replace(/^\s+/, '')
    if (/^[+-]/.test(rest)) {
      if (signSeen || negative) return { error: fail('amount_invalid', 'has more than one sign') }
      signSeen = true
      negative = rest[0] === '-'
      rest = rest.slice(1)
    }
    const code = /^([A-Za-z]{3})(?![A-Za-z])/.exec(rest)
    if (code && isKnownCurrency((code[1] as string).toUpperCase())) {
      marks.push((code[1] as string).toUpperCase())
      rest = rest.slice(3)
    }
    const sym = SYMBOL_LIST.find((s) => rest.startsWith(s))
    if (sym) {
      marks.push(sym)
      rest = rest.slice(sym.length)
    }
    if (rest === before) break
  }
  for (;;) {
    const before = rest
    rest = rest.replace(/\s+$/, '')
    const code = /(?<![A-Za-z])([A-Za-z]{3})$/.exec(rest)
    if (code && isKnownCurrency((code[1] as string).toUpperCase())) {
      marks.push((code[1] as string).toUpperCase())
      rest = rest.slice(0, -3)
    }
    const sym = SYMBOL_LIST.find((s) => rest.endsWith(s))
    if (sym) {
      marks.push(sym)
      rest = rest.slice(0, -sym.length)
    }
    if (rest === before) break
  }
  return { negative, marks, number: rest }
}

function checkMarks(marks: readonly string[], currency: string): string | null {
  for (const m of marks) {
    const allowed = SYMBOLS[m] ?? [m]
    if (!allowed.includes(currency)) return m
  }
  return null
}

/**
 * Parses `text` as an amount of `currency`. Accepts `1234.56`, `1,234.56`, `$1,234.56`,
 * `USD 1234.56`, `-12.00`, `(12.00)`; with `decimalComma`, `1.234,56` and `1234,56`.
 * Spaces (also no-break spaces) and `'` may group thousands too.
 */
export function parseAmount(text: string, currency: string, options: AmountOptions = {}): AmountResult {
  if (!isKnownCurrency(currency)) return fail('unknown_currency', `the currency ${JSON.stringify(currency)} is not a known ISO 4217 code`)
  const exponent = currencyExponent(currency)
  // NFKC: full-width digits and no-break spaces (U+00A0, U+202F) become their ASCII forms.
  const trimmed = (/^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFKC')).trim()
  if (trimmed === '') return fail('amount_empty', 'is empty; an amount is required')
  const peeled = peel(trimmed)
  if ('error' in peeled) return peeled.error
  const wrong = checkMarks(peeled.marks, currency)
  if (wrong !== null) return fail('amount_currency_mismatch', `is marked ${wrong} but the amount's currency is ${currency}`)

  const num = peeled.number
  if (/[A-Za-z]/.test(num)) return fail('amount_letters', 'contains letters; write the amount as digits only, like 1234.56')
  if (!/^[0-9.,' ]+$/.test(num) || !/[0-9]/.test(num)) return fail('amount_invalid', 'is not an amount; write it like 1234.56')

  const decimal = options.decimalComma ? ',' : '.'
  const setting = options.decimalComma
    ? 'this organization uses a decimal comma (1.234,56); change the setting if the file uses a decimal point'
    : 'this organization uses a decimal point (1,234.56); change the setting if the file uses a decimal comma'
  const parts = num.split(decimal)
  if (parts.length > 2) return fail('amount_separator_order', `has more than one decimal separator "${decimal}"; ${setting}`)
  const intPart = (parts[0] as string).trim()
  const fracPart = parts[1]
  if (fracPart === '') return fail('amount_invalid', `ends with the decimal separator "${decimal}"; write it like 1234.56`)
  if (fracPart !== undefined && !/^\d+$/.test(fracPart)) {
    return fail('amount_separator_order', `has separators in the wrong order or place; ${setting}`)
  }
  let intDigits: string
  if (/^\d*$/.test(intPart)) {
    intDigits = intPart
  } else {
    const m = (options.decimalComma ? GROUPED_DECIMAL_COMMA : GROUPED_DECIMAL_POINT).exec(intPart)
    if (!m) return fail('amount_grouping', `has thousands separators in the wrong places; ${setting}`)
    intDigits = intPart.replace(/[^0-9]/g, '')
  }
  if (intDigits === '' && fracPart === undefined) return fail('amount_invalid', 'is not an amount; write it like 1234.56')
  const frac = fracPart ?? ''
  if (frac.length > exponent) {
    return fail(
      'amount_too_many_decimals',
      `has ${frac.length} decimal places but ${currency} has ${exponent === 0 ? 'no minor unit' : `only ${exponent}`}`,
    )
  }
  const magnitude = BigInt((intDigits === '' ? '0' : intDigits) + frac.padEnd(exponent, '0'))
  if (magnitude > INT64_MAX) return fail('amount_out_of_range', 'is too large to be an amount')
  return { ok: true, amountMinor: peeled.negative ? -magnitude : magnitude, currency }
}
