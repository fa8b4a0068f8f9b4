import { createHash, randomUUID } from 'node:crypto'

import type pg from 'pg'

export interface OrgFixture {
  organizationId: number
  ids: Record<string, number>
}

/**
 * Rows of every tenant table for one organization, written as the database owner
 * (a superuser, so row-level security does not apply to the fixture itself).
 */
export async function createOrgFixture(owner: pg.Client, name: string, existingOrganizationId?: number): Promise<OrgFixture> {
  const tag = randomUUID().slice(0, 8)
  const one = async (text: string, values: unknown[]) => Number((await owner.query<{ id: number }>(text, values)).rows[0]!.id)
  const organizationId =
    existingOrganizationId ??
    (await one(`insert into organizations (name, slug) values ($1, $2) returning id`, [
      name,
      `${name.toLowerCase().replace(/\W+/g, '-')}-${tag}`,
    ]))
  const userId = await one(`insert into users (email) values ($1) returning id`, [`member-${tag}@fixture.test`])
  const membership = await one(`insert into memberships (user_id, role, organization_id) values ($1, 'ops', $2) returning id`, [
    userId,
    organizationId,
  ])
  const partner = await one(`insert into partners (name, status, organization_id) values ($1, 'active', $2) returning id`, [
    `Partner ${tag}`,
    organizationId,
  ])
  const code = await one(`insert into partner_codes (code, partner_id, organization_id) values ($1, $2, $3) returning id`, [
    `FX${tag.toUpperCase()}`,
    partner,
    organizationId,
  ])
  const conversion = await one(
    `insert into conversions (code, order_id, partner_id, value_minor, currency, occurred_at, status, organization_id)
     values ($1, $2, $3, 1000, 'USD', now(), 'attributed', $4) returning id`,
    [`FX${tag.toUpperCase()}`, `order-${tag}`, partner, organizationId],
  )
  // A draft batch that ties out (its line, its entry and its total agree), so a fixture added to
  // a real organization never shows up in that organization's reconciliation.
  const batch = await one(
    `insert into batches (reference, status, as_of, totals, line_count, organization_id)
     values ($1, 'draft', now(), '[{"currency": "USD", "totalMinor": "100"}]', 1, $2) returning id`,
    [`B-${tag}`, organizationId],
  )
  const commission = await one(
    `insert into commissions (partner_id, conversion_id, kind, amount_minor, currency, eligible_at, status, batch_id, organization_id)
     values ($1, $2, 'accrual', 100, 'USD', now(), 'in_batch', $3, $4) returning id`,
    [partner, conversion, batch, organizationId],
  )
  // An existing organization keeps its real, verifiable chain: reuse its first event.
  const audit = existingOrganizationId
    ? await one(`select min(id) as id from audit_events where organization_id = $1`, [organizationId])
    : await one(
        `insert into audit_events (organization_id, seq, occurred_at, actor_label, action, entity_type, entity_id, prev_hash, hash)
     values ($1, 1000000 + floor(random() * 1000000), now(), 'fixture', 'fixture.created', 'fixture', '0', 'x', 'x') returning id`,
        [organizationId],
      )
  const outbox = await one(
    `insert into outbox (recipient, subject, organization_id) values ('a@fixture.test', 'Fixture mail', $1) returning id`,
    [organizationId],
  )
  const imported = await one(
    `insert into imports (kind, status, file_name, file_sha256, rows_in, organization_id) values ('conversions', 'completed', $1, $2, 0, $3) returning id`,
    [`fixture-${tag}.csv`, createHash('sha256').update(randomUUID()).digest('hex'), organizationId],
  )
  const refund = await one(
    `insert into refunds (order_id, amount_minor, refunded_at, status, organization_id) values ($1, 100, now(), 'unmatched', $2) returning id`,
    [`refund-${tag}`, organizationId],
  )
  const flag = await one(
    `insert into flags (conversion_id, partner_id, rule, evidence, status, organization_id) values ($1, $2, 'velocity', '{}', 'open', $3) returning id`,
    [conversion, partner, organizationId],
  )
  const batchLine = await one(
    `insert into batch_lines (batch_id, line_no, partner_id, partner_name, amount_minor, currency, entry_count, organization_id)
     values ($1, 1, $2, 'Fixture partner', 100, 'USD', 1, $3) returning id`,
    [batch, partner, organizationId],
  )
  const payoutExport = await one(
    `insert into payout_exports (batch_id, format, file_name, sha256, totals, organization_id)
     values ($1, 'generic', $2, $3, '[{"currency": "USD", "totalMinor": "100"}]', $4) returning id`,
    [batch, `fixture-${tag}.csv`, createHash('sha256').update(randomUUID()).digest('hex'), organizationId],
  )
  const idempotencyKey = await one(
    `insert into idempotency_keys (organization_id, user_id, route, key, request_hash, response_status, response_body, expires_at)
     values ($1, $2, 'POST /api/batches/draft', $3, $4, 201, '', now() + interval '1 day') returning id`,
    [organizationId, userId, `fixture-${tag}`, createHash('sha256').update(tag).digest('hex')],
  )
  return {
    organizationId,
    ids: {
      'idempotency-keys': idempotencyKey,
      refunds: refund,
      flags: flag,
      'batch-lines': batchLine,
      'payout-exports': payoutExport,
      memberships: membership,
      partners: partner,
      'partner-codes': code,
      conversions: conversion,
      commissions: commission,
      batches: batch,
      'audit-events': audit,
      outbox,
      imports: imported,
      user: userId,
    },
  }
}

export async function createUser(owner: pg.Client): Promise<number> {
  const { rows } = await owner.query<{ id: number }>(`insert into users (email) values ($1) returning id`, [
    `u-${randomUUID().slice(0, 8)}@fixture.test`,
  ])
  return rows[0]!.id
}
