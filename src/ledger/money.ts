import { currencyExponent } from './currency'

/** An amount in integer minor units of its currency. Never a float. */
export interface Money {
  readonly amountMinor: bigint
  readonly currency: string
}

/** How a fraction of a minor unit is settled. Ledger default: half away from zero. */
export type RoundingMode = 'half_away_from_zero' | 'half_even'

export function money(amountMinor: bigint, currency: string): Money {
  currencyExponent(currency) // validates the code
  return { amountMinor, currency }
}

/**
 * Integer division with an explicit rounding mode, the one place where a fraction of a
 * minor unit is resolved. `denominator` must be positive.
 */
export function divRound(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator <= 0n) throw new Error('divRound: denominator must be positive')
  const negative = numerator < 0n
  const abs = negative ? -numerator : numerator
  const q = abs / denominator
  const r = abs % denominator
  const twice = r * 2n
  let roundedAbs = q
  if (twice > denominator) roundedAbs = q + 1n
  else if (twice === denominator) {
    if (mode === 'half_away_from_zero') roundedAbs = q + 1n
    else roundedAbs = q % 2n === 0n ? q : q + 1n
  }
  return negative ? -roundedAbs : roundedAbs
}

/** amount x bps / 10000, rounded once. */
export function applyRateBps(amountMinor: bigint, rateBps: bigint, mode: RoundingMode): bigint {
  return divRound(amountMinor * rateBps, 10_000n, mode)
}

/**
 * Splits a total into parts proportional to `ratios`; the parts always sum to the total.
 * Remainder units go to the earliest parts first, deterministically (sign follows the total).
 */
export function allocate(totalMinor: bigint, ratios: readonly bigint[]): bigint[] {
  if (ratios.length === 0) throw new Error('allocate: no ratios')
  if (ratios.some((r) => r < 0n)) throw new Error('allocate: negative ratio')
  const sum = ratios.reduce((a, b) => a + b, 0n)
  if (sum === 0n) throw new Error('allocate: ratios sum to zero')
  const parts = ratios.map((r) => (totalMinor * r) / sum) // truncates toward zero
  let remainder = totalMinor - parts.reduce((a, b) => a + b, 0n)
  const step = remainder < 0n ? -1n : 1n
  for (let i = 0; remainder !== 0n; i = (i + 1) % parts.length) {
    if (ratios[i] === 0n) continue
    parts[i] = (parts[i] as bigint) + step
    remainder -= step
  }
  return parts
}

/** Formats minor units as a plain decimal string ("-1234.50"), no grouping, no symbol. */
export function formatMinor(amountMinor: bigint, currency: string, decimalSeparator = '.'): string {
  const exp = currencyExponent(currency)
  const negative = amountMinor < 0n
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exp + 1, '0')
  const whole = exp === 0 ? digits : digits.slice(0, digits.length - exp)
  const frac = exp === 0 ? '' : decimalSeparator + digits.slice(digits.length - exp)
  return (negative ? '-' : '') + whole + frac
}

/** Converts a bigint to a JS number only when it is exactly representable (database/JSON boundary). */
export function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`amount ${value} exceeds the safe integer range`)
  }
  return Number(value)
}

/** Reads an integer minor-unit value from the database or JSON boundary; refuses fractions. */
export function fromStoredMinor(value: number | string | bigint): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`stored amount ${value} is not a safe integer`)
    return BigInt(value)
  }
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`stored amount ${JSON.stringify(value)} is not an integer`)
  return BigInt(value.trim())
}
