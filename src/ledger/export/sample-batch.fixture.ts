/**
 * The fixed batch behind the golden files (tests only). It mixes methods, currencies (JPY has
 * no minor unit), hostile names (formula triggers, quotes, commas, accents) and an account
 * number with leading zeros, so each golden shows how those are written.
 */
import type { Payee } from '../payee'
import type { ExportOptionsFor, ExportFormatId } from './index'
import type { ExportBatch, ExportLine } from './types'

function line(
  n: number,
  partnerName: string,
  email: string | null,
  payee: Payee,
  currency: string,
  amountMinor: bigint,
  memo: string,
): ExportLine {
  return { reference: `PO-000017-${String(n).padStart(5, '0')}`, partnerName, email, payee, currency, amountMinor, memo }
}

export const SAMPLE_BATCH: ExportBatch = {
  batchId: 'bat_01J0SAMPLE',
  reference: 'B-2026-03-0017',
  approvedAt: new Date('2026-03-02T10:30:00Z'),
  lines: [
    line(
      1,
      'Jane Doe Media',
      'jane@example.com',
      { method: 'paypal', email: 'jane@example.com' },
      'USD',
      11800n,
      'Affiliate commissions Feb 2026',
    ),
    line(
      2,
      '-Acme, "Quotes" Ltd',
      'acme@example.com',
      { method: 'paypal', email: 'acme@example.com' },
      'USD',
      4000n,
      '=HYPERLINK("http://evil.example")',
    ),
    line(
      3,
      'John Roe',
      'john@example.com',
      { method: 'ach', holderName: 'John Roe', routingNumber: '987654320', accountNumber: '123456789', accountType: 'checking' },
      'USD',
      12550n,
      'Affiliate commissions Feb 2026',
    ),
    line(
      4,
      'Zoë Ålvarez-Smith',
      null,
      {
        method: 'ach',
        holderName: 'Zoë Ålvarez-Smith',
        routingNumber: '111000025',
        accountNumber: '00012345678901234',
        accountType: 'savings',
      },
      'USD',
      4000n,
      'Bonus\ttier 2\r\nline two',
    ),
    line(
      5,
      'Jean Dupont & Fils',
      'jean@example.fr',
      { method: 'sepa', holderName: 'Jean Dupont & Fils', iban: 'FR7630006000011234567890189', bic: null },
      'EUR',
      11800n,
      'Commissions février 2026 <Q1>',
    ),
    line(
      6,
      'Müller GmbH',
      'info@mueller.example',
      { method: 'sepa', holderName: 'Müller Straße GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
      'EUR',
      250099n,
      'Provision Februar 2026',
    ),
    line(
      7,
      'Ada Lovelace Ltd',
      'ada@example.co.uk',
      {
        method: 'wise',
        email: 'ada@example.co.uk',
        holderName: 'Ada Lovelace Ltd',
        iban: 'GB29NWBK60161331926819',
        receiverType: 'BUSINESS',
      },
      'GBP',
      7525n,
      'Affiliate commissions Feb 2026',
    ),
    line(8, '山田 太郎', 'taro@example.jp', { method: 'paypal', email: 'taro@example.jp' }, 'JPY', 12000n, '@mention note'),
  ],
}

export const SAMPLE_OPTIONS: { readonly [F in ExportFormatId]: ExportOptionsFor<F> } = {
  'generic-csv': {},
  xlsx: {},
  quickbooks: { account: 'Affiliate Commissions', terms: 'Net 14', dueInDays: 14 },
  xero: { accountCode: '6100', taxType: 'Tax Exempt', dueInDays: 14, tracking1: { name: 'Channel', option: 'Affiliates' } },
  'paypal-payouts': { allowPartial: true },
  wise: { allowPartial: true },
  nacha: {
    allowPartial: true,
    immediateDestination: '123456780',
    immediateDestinationName: 'My ODFI Bank',
    immediateOrigin: '123456780',
    immediateOriginName: 'Example Co',
    companyName: 'Example Co',
    companyIdentification: '1123456789',
    originatingDfi: '12345678',
    effectiveEntryDate: '2026-03-04',
    companyDescriptiveDate: 'MAR 26',
  },
  pain001: {
    allowPartial: true,
    initiatingPartyName: 'Example Co',
    debtorName: 'Example Co',
    debtorIban: 'DE89 3704 0044 0532 0130 00',
    debtorBic: 'COBADEFFXXX',
    requestedExecutionDate: '2026-03-04',
  },
  'custom-template': {
    columns: [
      { field: 'batch_date' },
      { field: 'reference', header: 'Ref' },
      { field: 'partner_name', header: 'Payee' },
      { field: 'iban' },
      { field: 'account_number' },
      { field: 'amount', header: 'Betrag' },
      { field: 'currency' },
    ],
    dateFormat: 'DD.MM.YYYY',
    decimalSeparator: ',',
    delimiter: ';',
    header: true,
    bom: true,
    lineEnding: '\n',
  },
}

/** Many lines of one kind, for row-limit splitting tests. */
export function manyLines(count: number, payee: Payee, currency: string, amountMinor = 101n): ExportLine[] {
  return Array.from({ length: count }, (_v, i) => ({
    reference: `PO-000001-${String(i + 1).padStart(5, '0')}`,
    partnerName: `Partner ${i + 1}`,
    email: `p${i + 1}@example.com`,
    payee,
    currency,
    amountMinor: amountMinor + BigInt(i),
    memo: 'Commissions',
  }))
}

export function batchOf(lines: readonly ExportLine[]): ExportBatch {
  return { ...SAMPLE_BATCH, lines }
}

/**
 * Reads a decimal amount written in a file back into minor units without floats, so tests can
 * check "file total = batch total" from the bytes, not from our own bookkeeping.
 */
export function parseDecimalMinor(value: string, exponent: number, decimalSeparator: '.' | ',' = '.'): bigint {
  const re = decimalSeparator === ',' ? /^(-?)(\d+)(?:,(\d+))?$/ : /^(-?)(\d+)(?:\.(\d+))?$/
  const m = re.exec(value)
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(value)}`)
  const frac = m[3] ?? ''
  if (frac.length > exponent) throw new Error(`too many decimals: ${value}`)
  const minor = BigInt((m[2] ?? '') + frac.padEnd(exponent, '0'))
  return m[1] === '-' ? -minor : minor
}
