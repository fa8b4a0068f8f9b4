import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import {
  addDays,
  canDraft,
  draftBatch,
  isIsoDate,
  startOfLocalDate,
  type BatchEntry,
  type BatchPartner,
  type BlockedLine,
  type CarriedLine,
} from '../../ledger'
import { writeAudit } from '../audit'
import { promoteEligible } from '../ledger/eligibility'
import { asDate, minor, type LedgerContext } from '../ledger/context'
import { decryptPayout, sealPayee } from '../../security/payout-crypto'
import { actorOf, BatchRefusal, jsonOf, refuseTransition } from './common'

export interface DraftResult {
  batchId: number
  reference: string
  asOf: string
  lineCount: number
  totals: { currency: string; totalMinor: string; lineCount: number }[]
  carried: StoredLeftOut[]
  blocked: StoredLeftOut[]
}

/** A carried or blocked group as stored on the batch (and shown to ops and managers). */
export interface StoredLeftOut {
  partnerId: number
  partnerName: string
  currency: string
  netMinor: string
  entryIds: number[]
  reason: string
  message: string
}

const CARRY_MESSAGES: Record<CarriedLine['reason'], string> = {
  net_not_positive: 'Net is zero or negative (refunds or clawbacks outweigh commissions); carried to a later batch.',
  below_min_payout: 'Below the minimum payout; carried to a later batch.',
  unknown_currency: 'Currency not supported for payouts; carried until it is fixed.',
}

function blockedMessage(reason: BlockedLine['reason']): string {
  const what: Partial<Record<BlockedLine['reason'], string>> = {
    no_payout_method: 'no payout method set',
    unsupported_payout_method: 'payout method "other" cannot be paid by any export',
    missing_email: 'no payout email',
    invalid_email: 'the payout email is not valid',
    missing_iban: 'no IBAN',
    invalid_iban: 'the IBAN fails its check digits',
    invalid_bic: 'the BIC is not valid',
    missing_routing_number: 'no routing number',
    invalid_routing_number: 'the routing number fails its check digit',
    missing_account_number: 'no account number',
    invalid_account_number: 'the account number is not 1-17 digits',
    invalid_account_type: 'account type must be checking or savings',
    invalid_receiver_type: 'receiver type must be PERSON or BUSINESS',
    method_currency_mismatch: 'the payout method cannot pay this currency (ACH pays USD, SEPA pays EUR)',
    missing_bank_details: 'method "bank" without an IBAN or a routing number',
  }
  return `Payout details unusable: ${what[reason] ?? reason}. Fix the partner and draft again.`
}

/** `YYYY-MM-DD` means the end of that day in the organization's zone; a timestamp is taken as is. */
export function parseAsOf(value: string | undefined, ctx: LedgerContext): Date {
  if (value === undefined || value === '') return ctx.now
  if (isIsoDate(value)) return new Date(startOfLocalDate(addDays(value, 1), ctx.settings.timeZone).getTime() - 1)
  const t = Date.parse(value)
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new BatchRefusal('invalid_as_of', `asOf: "${value}" is neither a date (YYYY-MM-DD) nor a timestamp.`)
  }
  return new Date(t)
}

/**
 * Drafts a payout batch: every eligible, unbatched entry of active partners up to `asOf`, netted
 * per partner and currency by the pure core. Drafting is serialised per organization (advisory
 * lock) and the entries are locked, so two drafts never take one entry; a refund posted meanwhile
 * is a new entry that either was committed before (and is netted here) or waits for the next batch.
 */
export async function draftPayoutBatch(ctx: LedgerContext, role: Role | null, asOfInput: string | undefined): Promise<DraftResult> {
  const actor = actorOf(ctx, role)
  if (!canDraft(actor).ok) refuseTransition('role_not_allowed')
  const asOf = parseAsOf(asOfInput, ctx)
  const { db } = ctx
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('partner-ledger:batch-draft'), ${ctx.organizationId}::integer)`)
  await promoteEligible(ctx)

  const { rows: entryRows } = await db.execute(sql`
    select c.id, c.partner_id, c.currency, c.amount_minor, c.eligible_at, c.status, c.batch_id
      from commissions c join partners p on p.id = c.partner_id
     where c.status = 'eligible' and c.batch_id is null and p.status = 'active' and c.eligible_at <= ${asOf.toISOString()}
     order by c.id
       for update of c`)
  const entries: BatchEntry[] = entryRows.map((r) => ({
    id: String(r.id),
    partnerId: String(r.partner_id),
    currency: String(r.currency),
    amountMinor: minor(r.amount_minor),
    eligibleAt: asDate(r.eligible_at),
    held: false,
    batchId: null,
    status: String(r.status),
  }))
  const partnerIds = [...new Set(entries.map((e) => Number(e.partnerId)))]
  const { rows: partnerRows } = await db.execute(sql`
    select id, name, email, status, payout_method, payout_email, payout_details_holder_name, payout_details_iban,
           payout_details_bic, payout_details_routing_number, payout_details_account_number, payout_details_account_type,
           payout_details_receiver_type
      from partners where id = any(${sql.param(partnerIds)}::integer[])`)
  const partners: BatchPartner[] = partnerRows.map((p) => ({
    id: String(p.id),
    name: String(p.name),
    email: p.email == null ? null : String(p.email),
    active: p.status === 'active',
    payoutMethod: p.payout_method == null ? null : String(p.payout_method),
    payoutDetails: {
      email: clear(p.payout_email),
      holderName: clear(p.payout_details_holder_name),
      iban: clear(p.payout_details_iban),
      bic: clear(p.payout_details_bic),
      routingNumber: clear(p.payout_details_routing_number),
      accountNumber: clear(p.payout_details_account_number),
      accountType: p.payout_details_account_type,
      receiverType: p.payout_details_receiver_type,
    },
  }))
  const names = new Map(partners.map((p) => [p.id, p.name]))

  const draft = draftBatch({ asOf, entries, partners, settings: { minPayoutMinor: ctx.settings.minPayoutMinor } })
  const carried: StoredLeftOut[] = draft.carried.map((c) => ({
    partnerId: Number(c.partnerId),
    partnerName: names.get(c.partnerId) ?? '',
    currency: c.currency,
    netMinor: c.netMinor.toString(),
    entryIds: c.entryIds.map(Number),
    reason: c.reason,
    message: CARRY_MESSAGES[c.reason],
  }))
  const blocked: StoredLeftOut[] = draft.blocked.map((b) => ({
    partnerId: Number(b.partnerId),
    partnerName: b.partnerName,
    currency: b.currency,
    netMinor: b.netMinor.toString(),
    entryIds: b.entryIds.map(Number),
    reason: b.reason,
    message: blockedMessage(b.reason),
  }))
  if (draft.lines.length === 0) {
    throw new BatchRefusal(
      'nothing_to_pay',
      entries.length === 0
        ? 'No eligible entries to pay as of this date.'
        : `Nothing to pay: ${carried.length} partner(s) carried forward and ${blocked.length} blocked.`,
      { carried, blocked },
    )
  }

  // Per-organization batch number under the drafting lock; it goes into every line reference.
  const { rows: countRows } = await db.execute(sql`select count(*) as n from batches`)
  const batchNumber = Number(countRows[0]?.n ?? 0) + 1
  const reference = `B-${String(batchNumber).padStart(6, '0')}`
  const totals = draft.totals.map((t) => ({ currency: t.currency, totalMinor: t.totalMinor.toString(), lineCount: t.lineCount }))
  const { rows: inserted } = await db.execute(sql`
    insert into batches (reference, status, as_of, totals, line_count, carried, blocked, prepared_by_id, organization_id, created_at, updated_at)
    values (${reference}, 'draft', ${asOf.toISOString()}, ${jsonOf(totals)}::jsonb, ${draft.lineCount}, ${jsonOf(carried)}::jsonb,
            ${jsonOf(blocked)}::jsonb, ${ctx.userId}, ${ctx.organizationId}, now(), now())
    returning id`)
  const batchId = Number(inserted[0]!.id)

  const lines = draft.lines
  await db.execute(sql`
    insert into batch_lines (batch_id, line_no, partner_id, partner_name, amount_minor, currency, entry_count, payee, status,
                             organization_id, created_at, updated_at)
    select ${batchId}, t.line_no, t.partner_id, t.partner_name, t.amount, t.currency, t.entry_count, t.payee::jsonb, 'open',
           ${ctx.organizationId}, now(), now()
      from unnest(${sql.param(lines.map((l) => l.lineNo))}::integer[], ${sql.param(lines.map((l) => Number(l.partnerId)))}::integer[],
                  ${sql.param(lines.map((l) => l.partnerName))}::text[], ${sql.param(lines.map((l) => l.amountMinor.toString()))}::numeric[],
                  ${sql.param(lines.map((l) => l.currency))}::text[], ${sql.param(lines.map((l) => l.entryIds.length))}::integer[],
                  ${sql.param(lines.map((l) => jsonOf(sealPayee({ ...l.payee, contactEmail: l.email }))))}::text[])
           as t(line_no, partner_id, partner_name, amount, currency, entry_count, payee)`)
  // Only the lines' entries join the batch: carried and blocked ones stay eligible for a later one.
  const lineEntryIds = lines.flatMap((l) => l.entryIds.map(Number))
  const { rows: moved } = await db.execute(sql`
    update commissions set status = 'in_batch', batch_id = ${batchId}, updated_at = now()
     where id = any(${sql.param(lineEntryIds)}::integer[]) and status = 'eligible' and batch_id is null
    returning id`)
  if (moved.length !== lineEntryIds.length) throw new Error(`batch ${batchId}: ${moved.length} of ${lineEntryIds.length} entries joined`)

  const result: DraftResult = { batchId, reference, asOf: asOf.toISOString(), lineCount: draft.lineCount, totals, carried, blocked }
  await writeAudit(ctx.req, {
    action: 'batch.draft',
    entityType: 'batch',
    entityId: batchId,
    changes: {
      reference,
      asOf: result.asOf,
      totals,
      lineCount: draft.lineCount,
      entries: lineEntryIds.length,
      carried: carried.map((c) => ({ partnerId: c.partnerId, currency: c.currency, netMinor: c.netMinor, reason: c.reason })),
      blocked: blocked.map((b) => ({ partnerId: b.partnerId, currency: b.currency, netMinor: b.netMinor, reason: b.reason })),
    },
  })
  return result
}

/** Payout details are stored encrypted (src/security/payout-crypto.ts); drafting reads them in the clear. */
function clear(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? decryptPayout(v) : null
}
