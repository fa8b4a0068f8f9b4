import { partnerBalanceEndpoint, partnerStatementEndpoint, payoutDetailsEndpoint } from '../endpoints/ledger'
import type { Field } from 'payload'

import { payoutDetailField, payoutEmailValidate } from '../hooks/payout-details'
import { validateRateHistory } from '../hooks/rate-history'
import { requireStepUpForPayeeChange } from '../security/step-up'
import { tenantCollection } from './tenant-collection'

const options = (values: readonly string[]) => values.map((v) => ({ label: v, value: v }))

/**
 * Where a partner's money goes. `bank` is resolved to ACH (routing number) or SEPA (IBAN) by the
 * ledger's payee rules, so ops never has to pick the rail.
 */
const payoutDetails: Field = {
  name: 'payoutDetails',
  type: 'group',
  admin: { description: 'Bank details for payout method "bank" (IBAN/BIC or routing/account number) and Wise.' },
  fields: [
    payoutDetailField('holderName', 'payout_details_holder_name'),
    payoutDetailField('iban', 'payout_details_iban'),
    payoutDetailField('bic', 'payout_details_bic'),
    payoutDetailField('routingNumber', 'payout_details_routing_number'),
    payoutDetailField('accountNumber', 'payout_details_account_number'),
    { name: 'accountType', type: 'select', options: options(['checking', 'savings']) },
    { name: 'receiverType', type: 'select', options: options(['PERSON', 'BUSINESS']) },
  ],
}

/** A person or company paid commission for the orders their codes bring in. */
export const Partners = tenantCollection({
  slug: 'partners',
  auditEntity: 'partner',
  admin: { useAsTitle: 'name', defaultColumns: ['name', 'email', 'status', 'payoutMethod'], group: 'Program' },
  endpoints: [partnerBalanceEndpoint, partnerStatementEndpoint, payoutDetailsEndpoint],
  // Changing where a partner is paid needs a recent password entry (src/security/step-up.ts).
  hooks: { beforeValidate: [requireStepUpForPayeeChange] },
  fields: [
    { name: 'name', type: 'text', required: true, index: true },
    { name: 'email', type: 'email' },
    { name: 'status', type: 'select', required: true, defaultValue: 'active', options: options(['active', 'inactive']) },
    { name: 'employee', type: 'checkbox', defaultValue: false, admin: { description: 'Employees are flagged and held for review.' } },
    { name: 'payoutMethod', type: 'select', options: options(['paypal', 'wise', 'bank', 'other']) },
    payoutDetailField('payoutEmail', 'payout_email', payoutEmailValidate),
    { name: 'currency', type: 'text', defaultValue: 'USD', maxLength: 3 },
    // Display only (no column): balance by status, the latest ledger lines and the statement download,
    // above the payout details so finance sees the money without scrolling past bank fields.
    { name: 'ledger', type: 'ui', admin: { components: { Field: '/src/components/ledger/PartnerLedger#PartnerLedger' } } },
    payoutDetails,
    {
      name: 'rateHistory',
      type: 'json',
      admin: {
        // A textarea instead of Payload's CDN-loaded JSON editor, which the admin's CSP blocks.
        components: { Field: '/src/components/ledger/ReadableJsonFields#JsonTextField' },
        description:
          'Effective-dated commission rules, e.g. [{"effectiveFrom":"2026-01-01","rule":{"kind":"percent","rateBps":1500}}]. Empty: the program default. Entries already used are never rewritten; add a new one.',
      },
      validate: validateRateHistory,
    },
  ],
})
