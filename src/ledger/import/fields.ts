/**
 * The fields each import kind can fill, with the header names people actually use for them.
 * Keys are the issue's own words (snake_case) because they appear in saved mappings, which are
 * stored JSON: renaming a key would silently orphan every organization's saved mapping.
 */
export type ImportKind = 'partners' | 'conversions' | 'refunds'

export interface FieldDef {
  readonly key: string
  readonly label: string
  readonly required: boolean
  /** Header names that suggest this field, compared after normaliseHeader(). */
  readonly synonyms: readonly string[]
}

const f = (key: string, label: string, required: boolean, synonyms: readonly string[]): FieldDef => ({ key, label, required, synonyms })

const CODE_SYNONYMS = [
  'code',
  'referral code',
  'ref code',
  'ref',
  'affiliate code',
  'partner code',
  'coupon',
  'coupon code',
  'discount code',
  'promo code',
  'promotion code',
  'voucher',
  'voucher code',
  'link',
  'referral link',
  'affiliate link',
  'ref link',
  'tracking link',
  'url',
]

export const IMPORT_FIELDS: Readonly<Record<ImportKind, readonly FieldDef[]>> = {
  partners: [
    f('name', 'Name', true, ['name', 'partner', 'partner name', 'affiliate', 'affiliate name', 'full name', 'display name']),
    f('code', 'Code or link', true, CODE_SYNONYMS),
    f('email', 'Email', false, ['email', 'e mail', 'email address', 'partner email', 'affiliate email', 'contact email']),
    f('aliases', 'More codes or links (; separated)', false, [
      'aliases',
      'alias',
      'other codes',
      'additional codes',
      'more codes',
      'extra codes',
      'codes',
      'links',
    ]),
    f('rate_percent', 'Commission %', false, [
      'rate percent',
      'commission percent',
      'commission %',
      'commission rate',
      'rate',
      'percent',
      'commission',
      'rate %',
    ]),
    f('rate_bps', 'Commission (basis points)', false, ['rate bps', 'commission bps', 'bps', 'basis points']),
    f('flat_amount', 'Flat commission', false, ['flat amount', 'flat commission', 'flat', 'flat fee', 'commission amount', 'bounty']),
    f('currency', 'Currency', false, ['currency', 'payout currency', 'currency code']),
    f('payout_method', 'Payout method', false, ['payout method', 'payment method', 'payout type', 'method']),
    f('payout_email', 'Payout email', false, ['payout email', 'paypal email', 'paypal', 'wise email', 'payment email']),
    f('bank_holder', 'Account holder', false, [
      'account holder',
      'bank account holder',
      'account holder name',
      'account name',
      'holder',
      'beneficiary',
      'beneficiary name',
    ]),
    f('iban', 'IBAN', false, ['iban', 'bank iban']),
    f('bic', 'BIC / SWIFT', false, ['bic', 'swift', 'bic swift', 'swift bic', 'swift code', 'bic code']),
    f('routing_number', 'Routing number', false, ['routing number', 'routing', 'aba', 'aba routing number', 'routing no']),
    f('account_number', 'Account number', false, ['account number', 'bank account number', 'account no', 'account']),
    f('employee', 'Employee (yes/no)', false, ['employee', 'is employee', 'staff', 'internal']),
    f('status', 'Status', false, ['status', 'partner status', 'state']),
    f('effective_from', 'Rate effective from', false, [
      'effective from',
      'effective date',
      'rate effective from',
      'valid from',
      'start date',
      'since',
    ]),
  ],
  conversions: [
    f('code', 'Code or link', true, CODE_SYNONYMS),
    f('order_id', 'Order ID', true, [
      'order id',
      'order',
      'order number',
      'order no',
      'order #',
      'order ref',
      'order reference',
      'transaction id',
      'sale id',
      'id',
    ]),
    f('amount', 'Amount', true, [
      'amount',
      'total',
      'order total',
      'order amount',
      'value',
      'order value',
      'sale amount',
      'revenue',
      'gross',
      'net sales',
      'subtotal',
    ]),
    f('occurred_at', 'Occurred at', true, [
      'occurred at',
      'date',
      'order date',
      'created at',
      'created',
      'created date',
      'timestamp',
      'time',
      'datetime',
      'sale date',
      'purchase date',
      'paid at',
    ]),
    f('currency', 'Currency', false, ['currency', 'currency code', 'order currency']),
    f('customer_email', 'Customer email', false, ['customer email', 'email', 'billing email', 'buyer email', 'e mail']),
    f('customer_name', 'Customer name', false, ['customer name', 'customer', 'billing name', 'buyer name', 'full name']),
    f('order_status', 'Order status', false, ['order status', 'financial status', 'payment status', 'status']),
  ],
  refunds: [
    f('order_id', 'Order ID', true, ['order id', 'order', 'order number', 'order no', 'order #', 'transaction id', 'id']),
    f('code', 'Code or link', false, CODE_SYNONYMS),
    f('amount', 'Amount (blank = full refund)', false, ['amount', 'refund amount', 'refunded amount', 'amount refunded', 'refund']),
    f('refunded_at', 'Refunded at', true, ['refunded at', 'refund date', 'date', 'refunded', 'created at', 'created', 'timestamp']),
    f('currency', 'Currency', false, ['currency', 'currency code']),
  ],
}

export function fieldsOf(kind: ImportKind): readonly FieldDef[] {
  return IMPORT_FIELDS[kind]
}

/**
 * Header names compared loosely: `Order ID`, `order_id`, `ORDER-ID` and ` Order  Id ` are the
 * same column to a person. `%` and `#` survive because they carry meaning (rate %, order #).
 */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}%#]+/gu, ' ')
    .trim()
}
