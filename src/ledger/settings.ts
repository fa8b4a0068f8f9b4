/**
 * A program's settings and their defaults (docs: ledger-rules.md). Settings are stored as JSON,
 * where a bigint cannot live, so amounts arrive as integer strings or safe integers; a fraction
 * is refused rather than rounded, because a rounded setting silently changes money.
 */
import { z } from 'zod'

import { isIsoDate, isValidTimeZone } from './calendar'
import type { CommissionRule, RateHistoryEntry } from './commission'
import { isKnownCurrency } from './currency'
import { isExportFormatId, type ExportFormatId } from './export'
import { fromStoredMinor, type RoundingMode } from './money'

export interface FraudSettings {
  readonly selfReferralEmail: { readonly enabled: boolean }
  readonly employeePartner: { readonly enabled: boolean }
  readonly employeeDomain: { readonly enabled: boolean; readonly ownDomains: readonly string[] }
  readonly orderOnMultipleCodes: { readonly enabled: boolean }
  readonly velocity: {
    readonly enabled: boolean
    /** Flag only when the day's count exceeds this ... */
    readonly minPerDay: number
    /** ... and exceeds this multiple of the trailing daily average. */
    readonly multiple: number
    readonly trailingDays: number
  }
}

/**
 * What the payout exports need from the organization: per-preset options (NACHA originator,
 * pain.001 debtor, bill account codes; each format validates its own at export time) and the
 * saved custom CSV templates. Stored with the program so one audited JSON holds the setup.
 */
export interface ExportSettings {
  readonly presets: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly templates: readonly ExportTemplate[]
}

export interface ExportTemplate {
  /** `tpl-` plus lower-case letters and digits: never the id of a preset. */
  readonly id: string
  readonly name: string
  readonly options: Readonly<Record<string, unknown>>
}

export interface ProgramSettings {
  readonly roundingMode: RoundingMode
  /** Query parameters that carry a code, in priority order. */
  readonly linkParams: readonly string[]
  /** Path segments after which the last segment is the code (`/r/CODE`). */
  readonly linkPathPrefixes: readonly string[]
  readonly decimalComma: boolean
  readonly dateOrder: 'MDY' | 'DMY'
  readonly timeZone: string
  readonly defaultCurrency: string
  readonly holdDays: number
  readonly minPayoutMinor: bigint
  readonly defaultRule: CommissionRule
  /** Batches whose total exceeds this need a second manager; null: never. */
  readonly secondApproverThresholdMinor: bigint | null
  /** The AP file finance uploads; offered first when a batch is exported. */
  readonly payoutExportFormat: ExportFormatId
  readonly fraud: FraudSettings
  readonly exports: ExportSettings
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

export const DEFAULT_PROGRAM_SETTINGS: ProgramSettings = deepFreeze({
  roundingMode: 'half_away_from_zero',
  linkParams: ['ref', 'via', 'aff', 'affiliate', 'code', 'coupon', 'discount', 'discount_code', 'promo'],
  linkPathPrefixes: ['r', 'ref', 'go'],
  decimalComma: false,
  dateOrder: 'MDY',
  timeZone: 'UTC',
  defaultCurrency: 'USD',
  holdDays: 30,
  minPayoutMinor: 0n,
  defaultRule: { kind: 'percent', rateBps: 1000n },
  secondApproverThresholdMinor: null,
  payoutExportFormat: 'generic-csv',
  fraud: {
    selfReferralEmail: { enabled: true },
    employeePartner: { enabled: true },
    employeeDomain: { enabled: true, ownDomains: [] },
    orderOnMultipleCodes: { enabled: true },
    velocity: { enabled: true, minPerDay: 10, multiple: 5, trailingDays: 30 },
  },
  exports: { presets: {}, templates: [] },
})

/** Integer minor units from JSON: bigint, safe integer, or integer string; never a fraction. */
export const minorSchema = z.union([z.bigint(), z.number(), z.string()]).transform((v, ctx): bigint => {
  try {
    return fromStoredMinor(v)
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected an integer amount in minor units, got ${JSON.stringify(String(v))}` })
    return z.NEVER
  }
})
const nonNegativeMinor = minorSchema.refine((v) => v >= 0n, 'must not be negative')
// Above 100% is far more likely a misplaced digit (1250 meant as 12.5%) than a real rate.
const rateBps = minorSchema.refine((v) => v >= 0n && v <= 10_000n, 'rate must be 0..10000 basis points')
// JSON has no `undefined`: a stored null means "not set".
const optionalMinor = z.preprocess((v) => (v === null ? undefined : v), nonNegativeMinor.optional())

const limits = {
  capMinor: optionalMinor,
  minOrderValueMinor: optionalMinor,
  currency: z.preprocess((v) => (v === null ? undefined : v), z.string().refine(isKnownCurrency, 'unknown currency').optional()),
}
const tierSchema = z.strictObject({ thresholdMinor: nonNegativeMinor, rateBps })

export const commissionRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), rateBps, ...limits }),
  z.strictObject({ kind: z.literal('flat'), amountMinor: nonNegativeMinor, ...limits }),
  z.strictObject({ kind: z.literal('percent_plus_flat'), rateBps, amountMinor: nonNegativeMinor, ...limits }),
  z.strictObject({
    kind: z.literal('tiered'),
    tiers: z
      .array(tierSchema)
      .min(1)
      .refine(
        (ts) => ts.every((t, i) => i === 0 || t.thresholdMinor > (ts[i - 1] as { thresholdMinor: bigint }).thresholdMinor),
        'tier thresholds must be strictly ascending',
      ),
    ...limits,
  }),
])

/**
 * A stored rate-history row. Payload date fields arrive as ISO timestamps; a bare 'YYYY-MM-DD'
 * stays a calendar date. Either way commission.ts places it on a date in the org's time zone.
 */
export const rateHistoryEntrySchema = z.strictObject({
  effectiveFrom: z.union([
    z.date(),
    z.string().refine(isIsoDate, 'not a YYYY-MM-DD date'),
    z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  ]),
  rule: commissionRuleSchema,
  version: z.preprocess((v) => (v === null ? undefined : typeof v === 'number' ? String(v) : v), z.string().optional()),
})

const linkWord = z
  .string()
  .trim()
  .min(1)
  .regex(/^[^/?#&=\s]+$/, 'a bare name, without / ? # & =')
const enabled = z.boolean().default(true)
const domain = z
  .string()
  .trim()
  .transform((d) => d.replace(/^@/, '').toLowerCase())
  .refine((d) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d), 'not a domain name')

export const programSettingsSchema = z.strictObject({
  roundingMode: z.enum(['half_away_from_zero', 'half_even']).default('half_away_from_zero'),
  linkParams: z
    .array(linkWord)
    .min(1)
    .default(() => [...DEFAULT_PROGRAM_SETTINGS.linkParams]),
  linkPathPrefixes: z
    .array(linkWord)
    .min(1)
    .default(() => [...DEFAULT_PROGRAM_SETTINGS.linkPathPrefixes]),
  decimalComma: z.boolean().default(false),
  dateOrder: z.enum(['MDY', 'DMY']).default('MDY'),
  timeZone: z.string().refine(isValidTimeZone, 'unknown time zone').default('UTC'),
  defaultCurrency: z.string().refine(isKnownCurrency, 'unknown currency').default('USD'),
  holdDays: z.number().int().min(0).max(3650).default(30),
  minPayoutMinor: nonNegativeMinor.default(0n),
  defaultRule: commissionRuleSchema.default(() => ({ kind: 'percent' as const, rateBps: 1000n })),
  secondApproverThresholdMinor: nonNegativeMinor.nullable().default(null),
  payoutExportFormat: z
    .string()
    .refine(isExportFormatId, 'unknown export format')
    .transform((f) => f as ExportFormatId)
    .default('generic-csv'),
  fraud: z
    .strictObject({
      selfReferralEmail: z.strictObject({ enabled }).prefault({}),
      employeePartner: z.strictObject({ enabled }).prefault({}),
      employeeDomain: z.strictObject({ enabled, ownDomains: z.array(domain).default(() => []) }).prefault({}),
      orderOnMultipleCodes: z.strictObject({ enabled }).prefault({}),
      velocity: z
        .strictObject({
          enabled,
          minPerDay: z.number().int().min(0).default(10),
          multiple: z.number().positive().default(5),
          trailingDays: z.number().int().min(1).max(366).default(30),
        })
        .prefault({}),
    })
    .prefault({}),
  exports: z
    .strictObject({
      presets: z.record(z.string().regex(/^[a-z0-9-]+$/), z.record(z.string(), z.unknown())).default(() => ({})),
      templates: z
        .array(
          z.strictObject({
            id: z.string().regex(/^tpl-[a-z0-9]{1,32}$/, 'tpl- followed by lower-case letters and digits'),
            name: z.string().trim().min(1).max(100),
            options: z.record(z.string(), z.unknown()),
          }),
        )
        .refine((ts) => new Set(ts.map((t) => t.id)).size === ts.length, 'template ids must be unique')
        .default(() => []),
    })
    .prefault({}),
})

// Compile-time proof that what the schemas produce are the types the ledger uses.
const _settingsMatch: (s: z.output<typeof programSettingsSchema>) => ProgramSettings = (s) => s
const _historyMatches: (h: z.output<typeof rateHistoryEntrySchema>) => RateHistoryEntry = (h) => h
void _settingsMatch
void _historyMatches

export type SettingsIssue = { path: string; message: string }
export type ParseSettingsResult =
  { ok: true; settings: ProgramSettings } | { ok: false; code: 'invalid_json' | 'invalid_settings'; issues: SettingsIssue[] }

/**
 * Reads stored settings, filling every missing key (at any depth) with its default. Unknown keys
 * are refused: a misspelt `holdDay` must not silently leave the default of 30 in force.
 */
export function parseProgramSettings(json: unknown): ParseSettingsResult {
  let value = json
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json)
    } catch (e) {
      return { ok: false, code: 'invalid_json', issues: [{ path: '', message: (e as Error).message }] }
    }
  }
  const parsed = programSettingsSchema.safeParse(value ?? {})
  if (parsed.success) return { ok: true, settings: parsed.data }
  return {
    ok: false,
    code: 'invalid_settings',
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  }
}

/** The JSON-safe form for storage: bigints become decimal strings, which parseProgramSettings reads back. */
export function serializeProgramSettings(settings: ProgramSettings): unknown {
  return JSON.parse(JSON.stringify(settings, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
}
