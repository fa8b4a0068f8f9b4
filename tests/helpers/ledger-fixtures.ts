import { randomUUID } from 'node:crypto'

import type pg from 'pg'

import { createOrgFixture } from './fixtures'

/** Fresh rows for one ledger action each, written as the owner, so repeated calls never collide. */

export async function openFlagId(owner: pg.Client, organizationId: number): Promise<number> {
  const fx = await createOrgFixture(owner, 'Flagged', organizationId)
  return fx.ids.flags as number
}

/** A partner whose only entry is a -5.00 eligible adjustment: a negative balance to write off. */
export async function negativeBalancePartnerId(owner: pg.Client, organizationId: number): Promise<number> {
  const fx = await createOrgFixture(owner, 'Negative', organizationId)
  await owner.query(
    `insert into commissions (partner_id, kind, amount_minor, currency, eligible_at, status, reason, organization_id)
     values ($1, 'adjustment', -500, 'USD', now(), 'eligible', 'fixture: negative balance', $2)`,
    [fx.ids.partners, organizationId],
  )
  return fx.ids.partners as number
}

/** An order under two codes and a refund naming neither: returns the refund and the first conversion. */
export async function ambiguousRefund(owner: pg.Client, organizationId: number): Promise<{ refundId: number; conversionId: number }> {
  const tag = randomUUID().slice(0, 8).toUpperCase()
  const ids: number[] = []
  for (const code of [`A${tag}`, `B${tag}`]) {
    const { rows } = await owner.query<{ id: number }>(
      `insert into conversions (code, order_id, value_minor, currency, occurred_at, status, organization_id)
       values ($1, $2, 1000, 'USD', now(), 'unattributed', $3) returning id`,
      [code, `o-${tag}`, organizationId],
    )
    ids.push(rows[0]!.id)
  }
  const { rows } = await owner.query<{ id: number }>(
    `insert into refunds (order_id, refunded_at, status, organization_id) values ($1, now(), 'ambiguous', $2) returning id`,
    [`o-${tag}`, organizationId],
  )
  return { refundId: rows[0]!.id, conversionId: ids[0]! }
}
