/**
 * Header presets for exports people upload without editing. Column names are those of the real
 * exports: Shopify Admin > Orders > Export, Stripe Dashboard > Payments > Export (unified
 * payments; metadata keys appear as `<key> (metadata)`), and the common WooCommerce order
 * export plugins plus WooCommerce Analytics. A preset only suggests; the person confirms.
 */
import { normaliseHeader, type ImportKind } from './fields'

export type PresetId = 'shopify_orders' | 'stripe_payments' | 'woocommerce_orders'

export interface Preset {
  readonly id: PresetId
  readonly label: string
  readonly kind: ImportKind
  /** Normalised headers typical of the export; at least `minMatches` must be present ... */
  readonly signature: readonly string[]
  readonly minMatches: number
  /** ... and at least one of these (normalised), which generic files rarely have. */
  readonly distinctive: readonly string[]
  /** Candidate headers per field, best first; strings compare normalised, a RegExp tests the raw header. */
  readonly fields: Readonly<Record<string, readonly (string | RegExp)[]>>
  /** The export's number format when it does not follow the shop's locale; undefined: the organization's setting. */
  readonly decimalComma?: boolean
  readonly notes: readonly string[]
}

// Stripe has no coupon column in a payments export; the code travels in metadata.
const STRIPE_CODE_METADATA =
  /^\s*(?:ref|referral|referral[ _-]?code|affiliate|affiliate[ _-]?code|partner|partner[ _-]?code|code|coupon|coupon[ _-]?code|promo|promo[ _-]?code|promotion[ _-]?code|discount[ _-]?code|via)\s*\(metadata\)\s*$/i

export const PRESETS: readonly Preset[] = [
  {
    id: 'shopify_orders',
    label: 'Shopify orders export',
    kind: 'conversions',
    signature: [
      'name',
      'email',
      'financial status',
      'paid at',
      'fulfillment status',
      'discount code',
      'created at',
      'lineitem name',
      'lineitem quantity',
      'billing name',
      'total',
    ],
    minMatches: 4,
    distinctive: ['financial status', 'lineitem name', 'lineitem quantity'],
    fields: {
      order_id: ['Name'],
      code: ['Discount Code'],
      amount: ['Total'],
      occurred_at: ['Created at'],
      currency: ['Currency'],
      customer_email: ['Email'],
      customer_name: ['Billing Name', 'Shipping Name'],
      order_status: ['Financial Status'],
    },
    decimalComma: false,
    notes: [
      'Shopify writes one row per line item; rows after the first of an order have an empty Total and Financial Status and are counted as part of that order.',
      'Created at carries its own UTC offset (2026-03-02 14:05:00 -0500).',
    ],
  },
  {
    id: 'stripe_payments',
    label: 'Stripe payments export',
    kind: 'conversions',
    signature: [
      'id',
      'created utc',
      'created date utc',
      'amount',
      'amount refunded',
      'currency',
      'converted amount',
      'seller message',
      'customer email',
      'customer id',
      'captured',
      'status',
      'fee',
    ],
    minMatches: 4,
    distinctive: ['created utc', 'created date utc', 'seller message', 'amount refunded', 'converted amount'],
    fields: {
      order_id: ['id', 'PaymentIntent ID'],
      code: [STRIPE_CODE_METADATA],
      amount: ['Amount'],
      occurred_at: ['Created (UTC)', 'Created date (UTC)'],
      currency: ['Currency'],
      customer_email: ['Customer Email'],
      customer_name: ['Customer Name', 'Customer Description'],
      order_status: ['Status'],
    },
    decimalComma: false,
    notes: [
      'Created (UTC) has no offset in its values; the header says UTC, so the values are read as UTC, not in the organization time zone.',
      'The code comes from a metadata column such as "ref (metadata)"; map it by hand if yours is named differently.',
    ],
  },
  {
    id: 'woocommerce_orders',
    label: 'WooCommerce orders export',
    kind: 'conversions',
    signature: [
      'order number',
      'order id',
      'order #',
      'order status',
      'order date',
      'order total',
      'order total amount',
      'coupon code',
      'coupon codes',
      'coupons',
      'coupon s',
      'coupon items',
      'billing email',
      'email billing',
      'order currency',
      'billing first name',
      'net sales',
    ],
    minMatches: 3,
    distinctive: [
      'order total',
      'order total amount',
      'coupon code',
      'coupon codes',
      'coupon s',
      'coupon items',
      'billing email',
      'email billing',
      'order currency',
      'net sales',
    ],
    fields: {
      order_id: ['Order Number', 'Order #', 'Order ID', 'Order No'],
      code: ['Coupon Code', 'Coupon Codes', 'Coupon(s)', 'Coupons', 'Coupon Items', 'Used Coupons', 'Coupon'],
      amount: ['Order Total', 'Order Total Amount', 'Total', 'Net Sales'],
      occurred_at: ['Order Date', 'Date Created', 'Date', 'Paid Date'],
      currency: ['Order Currency', 'Currency'],
      customer_email: ['Billing Email', 'Email (Billing)', 'Customer Email'],
      customer_name: ['Billing Name', 'Customer Name', 'Customer', 'Full Name (Billing)'],
      order_status: ['Order Status', 'Status'],
    },
    notes: ['An order with several coupons lists them in one cell; such rows are rejected as an unknown code rather than guessed.'],
  },
]

export function presetById(id: PresetId): Preset {
  const p = PRESETS.find((x) => x.id === id)
  if (!p) throw new Error(`unknown preset ${id}`)
  return p
}

/** The preset whose signature the headers fit best, if any fits. */
export function detectPreset(headers: readonly string[], kind: ImportKind): Preset | null {
  const present = new Set(headers.map(normaliseHeader))
  let best: { preset: Preset; matches: number } | null = null
  for (const preset of PRESETS) {
    if (preset.kind !== kind) continue
    if (!preset.distinctive.some((h) => present.has(h))) continue
    const matches = preset.signature.filter((h) => present.has(h)).length
    if (matches < preset.minMatches) continue
    if (!best || matches > best.matches) best = { preset, matches }
  }
  return best?.preset ?? null
}

export function presetCandidateMatches(candidate: string | RegExp, header: string): boolean {
  return typeof candidate === 'string' ? normaliseHeader(candidate) === normaliseHeader(header) : candidate.test(header)
}
