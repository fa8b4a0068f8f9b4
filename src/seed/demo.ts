import { randomBytes } from 'node:crypto'
import type { Payload } from 'payload'

import { ROLES, type Role } from '../access/roles'
import { systemContext } from '../access/tenant'
import { seedDemoLedger, seedSettings, type DemoPartner } from './demo-ledger'

export interface SeededUser {
  email: string
  password: string
  role: Role
}

export interface SeedResult {
  created: boolean
  organizationId: number
  secondOrganizationId: number
  users: SeededUser[]
}

const DEMO_SLUG = 'demo'

/**
 * The demo organization a fresh install starts with: one user per role, a second organization
 * the ops user also belongs to (to show switching), partners with codes, and conversions.
 * Idempotent: an existing demo organization is left as it is.
 */
export async function seedDemo(payload: Payload, opts: { password?: string } = {}): Promise<SeedResult | null> {
  const existing = await payload.db.findOne<{ id: number }>({ collection: 'users', where: { email: { equals: 'admin@demo.test' } } })
  if (existing) return null

  const users: SeededUser[] = ROLES.map((role) => ({
    email: `${role}@demo.test`,
    password: opts.password ?? randomBytes(12).toString('base64url'),
    role,
  }))
  const created = new Map<Role, { id: number }>()
  for (const u of users) {
    const doc = await payload.create({
      collection: 'users',
      overrideAccess: true,
      data: { email: u.email, password: u.password, name: `Demo ${u.role}` },
    })
    created.set(u.role, doc as { id: number })
  }
  const admin = await payload.findByID({ collection: 'users', id: created.get('admin')!.id, overrideAccess: true })
  const adminUser = { ...admin, collection: 'users' as const }

  const org = await payload.create({
    collection: 'organizations',
    data: { name: 'Demo Outfitters', slug: DEMO_SLUG },
    user: adminUser,
    overrideAccess: false,
  })
  const org2 = await payload.create({
    collection: 'organizations',
    data: { name: 'Northwind Referrals', slug: 'northwind' },
    user: adminUser,
    overrideAccess: false,
  })

  const ctx = systemContext(org.id, 'seed')
  const ctx2 = systemContext(org2.id, 'seed')
  for (const u of users) {
    if (u.role === 'admin') continue
    await payload.create({
      collection: 'memberships',
      data: { user: created.get(u.role)!.id, role: u.role, organization: org.id },
      context: { ...ctx },
    })
  }
  await payload.create({
    collection: 'memberships',
    data: { user: created.get('ops')!.id, role: 'ops', organization: org2.id },
    context: { ...ctx2 },
  })
  for (const u of users) {
    await payload.update({ collection: 'users', id: created.get(u.role)!.id, data: { activeOrganization: org.id }, overrideAccess: true })
  }

  // Both organizations start with saved program rules, so their admins land on the dashboard.
  await seedSettings(payload, org.id, ctx, { ownDomains: ['demo-outfitters.example'] })
  await seedSettings(payload, org2.id, ctx2, {})
  const partners = await seedProgram(payload, org.id, ctx, [
    ['Jane Doe Media', 'jane@janedoe.example', 'JANE10', 'paypal'],
    ['Trail Runners Club', 'club@trailrunners.example', 'TRAIL15', 'bank'],
    ['Maya Okafor', 'maya@okafor.example', 'MAYA', 'wise'],
  ])
  await seedProgram(payload, org2.id, ctx2, [['Northwind Insider', 'insider@northwind.example', 'NORTH5', 'paypal']])
  await seedDemoLedger(payload, org.id, partners, { preparer: created.get('ops')!.id, approver: created.get('manager')!.id })
  return { created: true, organizationId: org.id, secondOrganizationId: org2.id, users }
}

async function seedProgram(
  payload: Payload,
  organization: number,
  context: Record<string, unknown>,
  partners: [string, string, string, 'paypal' | 'bank' | 'wise'][],
): Promise<DemoPartner[]> {
  let order = 1000 * organization
  const out: DemoPartner[] = []
  for (const [name, email, code, payoutMethod] of partners) {
    const partner = await payload.create({
      collection: 'partners',
      data: { name, email, status: 'active', payoutMethod, payoutEmail: email, organization, ...PARTNER_DETAILS[code] },
      context: { ...context },
    })
    out.push({ id: partner.id, name, code, email })
    await payload.create({ collection: 'partner-codes', data: { code, partner: partner.id, organization }, context: { ...context } })
    for (let i = 0; i < 4; i++) {
      order++
      await payload.create({
        collection: 'conversions',
        data: {
          code,
          orderId: `#${order}`,
          partner: partner.id,
          valueMinor: 2500 + i * 1999,
          refundedMinor: 0,
          currency: 'USD',
          occurredAt: new Date(Date.UTC(2026, 9, 1 + i * 7)).toISOString(),
          customerEmail: `customer${order}@shop.example`,
          status: 'attributed',
          organization,
        },
        context: { ...context },
      })
    }
  }
  await payload.create({
    collection: 'conversions',
    data: {
      code: 'UNKNOWN20',
      orderId: `#${order + 1}`,
      valueMinor: 4200,
      refundedMinor: 0,
      currency: 'USD',
      occurredAt: new Date(Date.UTC(2026, 9, 20)).toISOString(),
      status: 'unattributed',
      organization,
    },
    context: { ...context },
  })
  return out
}

/** Payout details and rate history of the demo's first partners, so batches and exports have payees. */
const PARTNER_DETAILS: Record<string, Record<string, unknown>> = {
  JANE10: {
    rateHistory: [
      { effectiveFrom: '2026-01-01', rule: { kind: 'percent', rateBps: 1000 }, version: '1' },
      { effectiveFrom: '2026-09-01', rule: { kind: 'percent', rateBps: 1250 }, version: '2' },
    ],
  },
  TRAIL15: {
    payoutDetails: {
      holderName: 'Trail Runners Club LLC',
      routingNumber: '021000021',
      accountNumber: '000123456789',
      accountType: 'checking',
    },
    rateHistory: [{ effectiveFrom: '2026-01-01', rule: { kind: 'percent', rateBps: 1500 }, version: '1' }],
  },
  MAYA: { payoutDetails: { holderName: 'Maya Okafor', iban: 'GB33BUKB20201555555555', bic: 'BUKBGB22' } },
  NORTH5: {},
}
