/**
 * A mapped CSV row -> a typed, normalised record, or every problem in it at once (a person
 * fixing a file wants the whole list, not one error per upload). Each problem names the row,
 * the file's own column header, our field, and the value as written.
 *
 * Codes are canonicalised here with codes.ts (the raw text is kept for display); matching to
 * partners, duplicates and flags happen in the caller, which has the database.
 */
import { z } from 'zod'

import type { IsoDate } from '../calendar'
import type { LinkSettings } from '../codes'
import type { CommissionRule } from '../commission'
import { isKnownCurrency } from '../currency'
import type { DateOptions, DateOrder } from './dates'
import { preview } from './errors'
import { fieldsOf, type ImportKind } from './fields'
import type { FieldMapping } from './mapping'
import * as F from './row-fields'

export type { CodeValue } from './row-fields'

/** What row parsing needs from the program settings (ProgramSettings satisfies it). */
export interface RowContext extends Partial<LinkSettings> {
  readonly defaultCurrency: string
  readonly decimalComma: boolean
  readonly dateOrder: DateOrder
  readonly timeZone: string
}

export interface RowError {
  readonly row: number
  /** The file's header for the column; `(field not mapped)` if the mapping lacks it. */
  readonly column: string
  readonly field: string
  readonly value: string
  readonly code: string
  readonly message: string
}

export type RowResult<T> = { ok: true; record: T } | { ok: false; errors: RowError[] }

export interface ConversionRecord {
  readonly rowNumber: number
  readonly code: F.CodeValue
  readonly orderId: string
  readonly valueMinor: bigint
  readonly currency: string
  /** ISO 8601 UTC instant. */
  readonly occurredAt: string
  readonly customerEmail: string | null
  readonly customerName: string | null
  /** As exported (lower case): paid, refunded, Succeeded... The caller decides what counts. */
  readonly orderStatus: string | null
}

export interface RefundRecord {
  readonly rowNumber: number
  readonly orderId: string
  readonly code: F.CodeValue | null
  /** null: a full refund. Always positive otherwise. */
  readonly amountMinor: bigint | null
  /** The currency the amount was read in; the caller checks it against the conversion's. */
  readonly currency: string
  readonly refundedAt: string
}

export type PayoutMethodChoice = 'paypal' | 'wise' | 'bank' | 'other'

export interface PartnerRecord {
  readonly rowNumber: number
  readonly name: string
  readonly code: F.CodeValue
  /** Other codes or links, canonical duplicates (and the main code) removed. */
  readonly aliases: readonly F.CodeValue[]
  readonly email: string | null
  /** null: the program default applies. */
  readonly commission: CommissionRule | null
  readonly currency: string | null
  readonly payoutMethod: PayoutMethodChoice | null
  readonly payoutEmail: string | null
  readonly bank: {
    readonly holderName: string | null
    readonly iban: string | null
    readonly bic: string | null
    readonly routingNumber: string | null
    readonly accountNumber: string | null
  } | null
  readonly employee: boolean | null
  readonly status: 'active' | 'inactive' | null
  readonly effectiveFrom: IsoDate | null
}

type Values = Readonly<Record<string, string>>

/** A header that says UTC (Stripe's `Created (UTC)`) overrides the organization's zone. */
function dateOptionsFor(header: string | undefined, ctx: RowContext): DateOptions {
  const utc = header !== undefined && /\b(?:utc|gmt)\b/i.test(header)
  return { dateOrder: ctx.dateOrder, timeZone: utc ? 'UTC' : ctx.timeZone }
}

function linkOf(ctx: RowContext): LinkSettings | undefined {
  return ctx.linkParams && ctx.linkPathPrefixes ? { linkParams: ctx.linkParams, linkPathPrefixes: ctx.linkPathPrefixes } : undefined
}

function buildInput(kind: ImportKind, mapping: FieldMapping, values: Values): Record<string, string> {
  const input: Record<string, string> = {}
  for (const d of fieldsOf(kind)) {
    const h = mapping[d.key]
    if (h !== undefined) input[d.key] = values[h] ?? ''
    else if (d.required) input[d.key] = '' // reported as "required", with the column named as unmapped
  }
  return input
}

function toRowError(row: number, field: string, column: string, value: string, code: string, message: string): RowError {
  const said = value.trim() === '' ? ` ${message}` : `: "${preview(value)}" ${message}`
  return { row, column, field, value: preview(value, 200), code, message: `Row ${row}, column "${column}"${said}` }
}

// What an amount means depends on its currency only through these checks.
const CURRENCY_DEPENDENT = new Set(['amount_too_many_decimals', 'amount_currency_mismatch', 'amount_out_of_range'])

/** `unjudged`: an amount field read with a stand-in currency; only currency-free problems count. */
function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  row: number,
  mapping: FieldMapping,
  input: Record<string, string>,
  unjudged: string | null,
): RowError[] {
  const out: RowError[] = []
  for (const i of issues) {
    const field = String(i.path[0] ?? '')
    const code = i.code === 'custom' && typeof i.params?.code === 'string' ? i.params.code : 'invalid'
    if (field === unjudged && CURRENCY_DEPENDENT.has(code)) continue
    out.push(toRowError(row, field, mapping[field] ?? `(${field} not mapped)`, input[field] ?? '', code, i.message))
  }
  return out
}

/**
 * Amounts depend on the row's own currency, so the schema is built per currency and kept (an
 * organization sees a handful). With an unknown currency the amount is read with the default
 * currency and only its currency-free problems (letters, separators) are reported beside it.
 */
function currencyOf(mapping: FieldMapping, values: Values, ctx: RowContext): { currency: string; known: boolean } {
  const h = mapping.currency
  const raw = h === undefined ? '' : (values[h] ?? '').trim().toUpperCase()
  const currency = raw === '' ? ctx.defaultCurrency : raw
  return isKnownCurrency(currency) ? { currency, known: true } : { currency: ctx.defaultCurrency, known: false }
}

function memo<S>(build: (currency: string) => S): (currency: string) => S {
  const cache = new Map<string, S>()
  return (currency) => {
    let s = cache.get(currency)
    if (!s) cache.set(currency, (s = build(currency)))
    return s
  }
}

export function createConversionParser(
  mapping: FieldMapping,
  ctx: RowContext,
): (values: Values, rowNumber: number) => RowResult<ConversionRecord> {
  const link = linkOf(ctx)
  const schemaFor = memo((currency) =>
    z.object({
      code: F.codeField(true, link),
      order_id: F.requiredText(255),
      amount: F.amountField({ currency, decimalComma: ctx.decimalComma, required: true, sign: 'non_negative' }),
      occurred_at: F.dateTimeField(dateOptionsFor(mapping.occurred_at, ctx)),
      currency: F.currencyField().optional(),
      customer_email: F.emailField().optional(),
      customer_name: F.optionalText(255).optional(),
      order_status: F.optionalText(64).optional(),
    }),
  )
  return (values, rowNumber) => {
    const input = buildInput('conversions', mapping, values)
    const cur = currencyOf(mapping, values, ctx)
    const r = schemaFor(cur.currency).safeParse(input)
    if (!r.success) return { ok: false, errors: issuesToErrors(r.error.issues, rowNumber, mapping, input, cur.known ? null : 'amount') }
    const d = r.data
    return {
      ok: true,
      record: {
        rowNumber,
        code: d.code as F.CodeValue,
        orderId: d.order_id,
        valueMinor: d.amount as bigint,
        currency: cur.currency,
        occurredAt: d.occurred_at,
        customerEmail: d.customer_email ?? null,
        customerName: d.customer_name ?? null,
        orderStatus: d.order_status?.toLowerCase() ?? null,
      },
    }
  }
}

export function createRefundParser(mapping: FieldMapping, ctx: RowContext): (values: Values, rowNumber: number) => RowResult<RefundRecord> {
  const link = linkOf(ctx)
  const schemaFor = memo((currency) =>
    z.object({
      order_id: F.requiredText(255),
      code: F.codeField(false, link).optional(),
      amount: F.amountField({ currency, decimalComma: ctx.decimalComma, required: false, sign: 'magnitude' })
        .refine((v) => v !== 0n, { message: 'is zero; leave the amount blank for a full refund', params: { code: 'amount_zero' } })
        .optional(),
      refunded_at: F.dateTimeField(dateOptionsFor(mapping.refunded_at, ctx)),
      currency: F.currencyField().optional(),
    }),
  )
  return (values, rowNumber) => {
    const input = buildInput('refunds', mapping, values)
    const cur = currencyOf(mapping, values, ctx)
    const r = schemaFor(cur.currency).safeParse(input)
    if (!r.success) return { ok: false, errors: issuesToErrors(r.error.issues, rowNumber, mapping, input, cur.known ? null : 'amount') }
    const d = r.data
    return {
      ok: true,
      record: {
        rowNumber,
        orderId: d.order_id,
        code: d.code ?? null,
        amountMinor: d.amount ?? null,
        currency: cur.currency,
        refundedAt: d.refunded_at,
      },
    }
  }
}

export function createPartnerParser(
  mapping: FieldMapping,
  ctx: RowContext,
): (values: Values, rowNumber: number) => RowResult<PartnerRecord> {
  const link = linkOf(ctx)
  const schemaFor = memo((currency) =>
    z.object({
      name: F.requiredText(255),
      code: F.codeField(true, link),
      email: F.emailField().optional(),
      aliases: F.aliasesField(link).optional(),
      rate_percent: F.ratePercentField(ctx.decimalComma).optional(),
      rate_bps: F.rateBpsField().optional(),
      flat_amount: F.amountField({ currency, decimalComma: ctx.decimalComma, required: false, sign: 'non_negative' }).optional(),
      currency: F.currencyField().optional(),
      payout_method: F.enumField(['paypal', 'wise', 'bank', 'other'] as const, {
        'bank transfer': 'bank',
        ach: 'bank',
        sepa: 'bank',
        'pay pal': 'paypal',
      }).optional(),
      payout_email: F.emailField().optional(),
      bank_holder: F.optionalText(255).optional(),
      iban: F.ibanField().optional(),
      bic: F.bicField().optional(),
      routing_number: F.routingNumberField().optional(),
      account_number: F.accountNumberField().optional(),
      employee: F.yesNoField().optional(),
      status: F.enumField(['active', 'inactive'] as const).optional(),
      effective_from: F.localDateField(dateOptionsFor(mapping.effective_from, ctx)).optional(),
    }),
  )
  return (values, rowNumber) => {
    const input = buildInput('partners', mapping, values)
    const cur = currencyOf(mapping, values, ctx)
    const r = schemaFor(cur.currency).safeParse(input)
    const errors = r.success ? [] : issuesToErrors(r.error.issues, rowNumber, mapping, input, cur.known ? null : 'flat_amount')
    // Two ways of writing one rate: refusing beats picking one silently.
    if ((input.rate_percent ?? '').trim() !== '' && (input.rate_bps ?? '').trim() !== '') {
      errors.push(
        toRowError(
          rowNumber,
          'rate_bps',
          mapping.rate_bps as string,
          input.rate_bps as string,
          'rate_conflict',
          `is given as well as a percentage in "${mapping.rate_percent}"; give the rate one way only`,
        ),
      )
    }
    if (!r.success || errors.length > 0) return { ok: false, errors: errors.sort((a, b) => order(a.field) - order(b.field)) }
    const d = r.data
    const rateBps = d.rate_percent ?? d.rate_bps ?? null
    const flat = d.flat_amount ?? null
    const currency = d.currency ?? null
    const limits = flat !== null ? { currency: cur.currency } : {}
    const commission: CommissionRule | null =
      rateBps !== null && flat !== null
        ? { kind: 'percent_plus_flat', rateBps, amountMinor: flat, ...limits }
        : rateBps !== null
          ? { kind: 'percent', rateBps }
          : flat !== null
            ? { kind: 'flat', amountMinor: flat, ...limits }
            : null
    const bankFields = [d.bank_holder, d.iban, d.bic, d.routing_number, d.account_number]
    const aliases = (d.aliases ?? []).filter((a) => a.canonical !== d.code?.canonical)
    return {
      ok: true,
      record: {
        rowNumber,
        name: d.name,
        code: d.code as F.CodeValue,
        aliases,
        email: d.email ?? null,
        commission,
        currency,
        payoutMethod: d.payout_method ?? null,
        payoutEmail: d.payout_email ?? null,
        bank: bankFields.every((v) => v === null || v === undefined)
          ? null
          : {
              holderName: d.bank_holder ?? null,
              iban: d.iban ?? null,
              bic: d.bic ?? null,
              routingNumber: d.routing_number ?? null,
              accountNumber: d.account_number ?? null,
            },
        employee: d.employee ?? null,
        status: d.status ?? null,
        effectiveFrom: d.effective_from ?? null,
      },
    }
  }
}

const PARTNER_ORDER = fieldsOf('partners').map((d) => d.key)
const order = (field: string) => PARTNER_ORDER.indexOf(field)
