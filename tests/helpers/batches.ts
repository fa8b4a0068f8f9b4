import { randomUUID } from 'node:crypto'

import type pg from 'pg'

import { login, withHeaders, type Session } from './http'

/**
 * A fresh organization per scenario, so a draft (which takes every eligible entry of the
 * organization) sees only the scenario's entries. The demo users are made members with the given
 * roles and act in it through the x-organization-id header.
 */
export interface BatchOrg {
  organizationId: number
  headers: Record<string, string>
  as: (email: string) => Promise<Session>
}

export async function createBatchOrg(
  owner: pg.Client,
  opts: { settings?: Record<string, unknown>; roles?: Record<string, string> } = {},
): Promise<BatchOrg> {
  const tag = randomUUID().slice(0, 8)
  const { rows } = await owner.query<{ id: number }>(
    `insert into organizations (name, slug, settings) values ($1, $2, $3::jsonb) returning id`,
    [`Batch Co ${tag}`, `batch-co-${tag}`, JSON.stringify(opts.settings ?? {})],
  )
  const organizationId = Number(rows[0]!.id)
  const roles = opts.roles ?? {
    'admin@demo.test': 'admin',
    'ops@demo.test': 'ops',
    'manager@demo.test': 'manager',
    'finance@demo.test': 'finance',
    'auditor@demo.test': 'auditor',
  }
  for (const [email, role] of Object.entries(roles)) {
    await owner.query(
      `insert into memberships (user_id, role, organization_id) select id, $2, $3 from users where lower(email) = lower($1)`,
      [email, role, organizationId],
    )
  }
  const headers = { 'x-organization-id': String(organizationId) }
  const cache = new Map<string, Session>()
  return {
    organizationId,
    headers,
    as: async (email) => {
      const cached = cache.get(email)
      if (cached) return cached
      const s = await login(email)
      const scoped = withHeaders(s, headers)
      cache.set(email, scoped)
      return scoped
    },
  }
}

export interface PartnerSpec {
  name?: string
  status?: 'active' | 'inactive'
  payoutMethod?: 'paypal' | 'wise' | 'bank' | 'other' | null
  payoutEmail?: string | null
  iban?: string
  bic?: string
  routingNumber?: string
  accountNumber?: string
  accountType?: 'checking' | 'savings'
  holderName?: string
}

export async function createPartner(owner: pg.Client, organizationId: number, spec: PartnerSpec = {}): Promise<number> {
  const { rows } = await owner.query<{ id: number }>(
    `insert into partners (name, email, status, payout_method, payout_email, payout_details_iban, payout_details_bic,
                           payout_details_routing_number, payout_details_account_number, payout_details_account_type,
                           payout_details_holder_name, organization_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [
      spec.name ?? `Partner ${randomUUID().slice(0, 6)}`,
      `contact-${randomUUID().slice(0, 6)}@example.test`,
      spec.status ?? 'active',
      spec.payoutMethod === undefined ? 'paypal' : spec.payoutMethod,
      spec.payoutEmail === undefined ? `pay-${randomUUID().slice(0, 6)}@example.test` : spec.payoutEmail,
      spec.iban ?? null,
      spec.bic ?? null,
      spec.routingNumber ?? null,
      spec.accountNumber ?? null,
      spec.accountType ?? null,
      spec.holderName ?? null,
      organizationId,
    ],
  )
  return Number(rows[0]!.id)
}

/** A ledger entry as the ledger services would post it (accrual if positive, clawback if negative). */
export async function addEntry(
  owner: pg.Client,
  organizationId: number,
  partnerId: number,
  amountMinor: number,
  opts: { currency?: string; status?: 'pending' | 'eligible' | 'held'; eligibleAt?: string } = {},
): Promise<number> {
  const { rows } = await owner.query<{ id: number }>(
    `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, organization_id)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [
      partnerId,
      amountMinor >= 0 ? 'accrual' : 'clawback',
      amountMinor,
      opts.currency ?? 'USD',
      opts.eligibleAt ?? '2026-01-01T00:00:00Z',
      opts.status ?? 'eligible',
      organizationId,
    ],
  )
  return Number(rows[0]!.id)
}

export async function auditCount(owner: pg.Client, organizationId: number, action: string, entityId: number): Promise<number> {
  const { rows } = await owner.query<{ n: string }>(
    `select count(*) as n from audit_events where organization_id = $1 and action = $2 and entity_id = $3`,
    [organizationId, action, String(entityId)],
  )
  return Number(rows[0]!.n)
}

/** Valid test bank data: routing numbers pass the ABA check digit, IBANs the mod-97 check. */
export const BANK = {
  routing: '123456780',
  routing2: '011000015',
  iban: 'DE89370400440532013000',
  iban2: 'GB29NWBK60161331926819',
}

export const EXPORT_PRESETS = {
  nacha: {
    immediateDestination: '123456780',
    immediateDestinationName: 'My ODFI Bank',
    immediateOrigin: '123456780',
    immediateOriginName: 'Batch Co',
    companyName: 'Batch Co',
    companyIdentification: '1123456789',
    originatingDfi: '12345678',
  },
  pain001: {
    initiatingPartyName: 'Batch Co',
    debtorName: 'Batch Co',
    debtorIban: 'DE89 3704 0044 0532 0130 00',
    debtorBic: 'COBADEFFXXX',
  },
  quickbooks: { account: 'Affiliate Commissions' },
  xero: { accountCode: '6100', taxType: 'Tax Exempt' },
}

/** An eligible entry of a payable partner in the organization, so a draft has a line. */
export async function payableEntry(owner: pg.Client, organizationId: number): Promise<void> {
  const tag = randomUUID().slice(0, 8)
  const p = await owner.query<{ id: number }>(
    `insert into partners (name, status, payout_method, payout_email, organization_id) values ($1, 'active', 'paypal', $2, $3) returning id`,
    [`Matrix payee ${tag}`, `payee-${tag}@example.test`, organizationId],
  )
  await owner.query(
    `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, organization_id)
     values ($1, 'accrual', 1500, 'USD', '2026-01-01', 'eligible', $2)`,
    [p.rows[0]!.id, organizationId],
  )
}

/**
 * A batch of the organization in the given state, moved there through the endpoints by the
 * demo roles (ops drafts and submits, a manager approves, finance exports).
 */
export async function batchInState(
  owner: pg.Client,
  organizationId: number,
  as: (role: 'ops' | 'manager' | 'finance') => Session,
  state: 'draft' | 'submitted' | 'approved' | 'exported',
): Promise<number> {
  await payableEntry(owner, organizationId)
  const d = await as('ops').request('POST', '/api/batches/draft', {})
  if (d.status !== 201) throw new Error(`draft: ${d.status} ${JSON.stringify(d.body)}`)
  const id = d.body.batchId as number
  const steps: ['ops' | 'manager' | 'finance', string, string][] = [
    ['ops', 'POST', `/api/batches/${id}/submit`],
    ['manager', 'POST', `/api/batches/${id}/approve`],
    ['finance', 'GET', `/api/batches/${id}/export?format=generic-csv`],
  ]
  const count = { draft: 0, submitted: 1, approved: 2, exported: 3 }[state]
  for (const [role, method, path] of steps.slice(0, count)) {
    const r = await as(role).request(method, path)
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`)
  }
  return id
}
