import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import { approvalsRequired, availableEvents, EXPORT_FORMATS, transition, type BatchEventType, type Payee } from '../../ledger'
import { asDate, minor, type LedgerContext } from '../ledger/context'
import { actorOf, loadBatchForUpdate, loadLines, type StoredPayee } from './common'
import { PRESET_IDS } from './export'

/** Last four characters: enough to recognise an account, not enough to pay one. */
function mask(value: string | null | undefined): string {
  if (!value) return ''
  return value.length <= 4 ? value : `••••${value.slice(-4)}`
}

function payeeSummary(p: StoredPayee): { method: string; account: string; holderName: string | null } {
  const payee = p as Payee
  switch (payee.method) {
    case 'paypal':
      return { method: 'paypal', account: payee.email, holderName: null }
    case 'wise':
      return { method: 'wise', account: payee.iban ? mask(payee.iban) : payee.email, holderName: payee.holderName }
    case 'ach':
      return {
        method: 'ach',
        account: `${payee.routingNumber} / ${mask(payee.accountNumber)} (${payee.accountType})`,
        holderName: payee.holderName,
      }
    case 'sepa':
      return { method: 'sepa', account: `${mask(payee.iban)}${payee.bic ? ` / ${payee.bic}` : ''}`, holderName: payee.holderName }
  }
}

const iso = (v: unknown): string | null => (v == null ? null : asDate(v).toISOString())

/**
 * Everything a manager needs to decide on a batch, in one read: summary and totals, each line with
 * its entries, open flags and the change against the partner's previous paid-out line, what was
 * carried or blocked and why, and which buttons the caller may press (with the refusal the state
 * machine would give, so the UI can say "you prepared this batch" before anyone clicks).
 */
export async function reviewBatch(ctx: LedgerContext, role: Role | null, batchId: number) {
  const batch = await loadBatchForUpdate(ctx, batchId, false)
  const { rows } = await ctx.db.execute(sql`
    select b.carried, b.blocked, b.submitted_at, b.approved_at, b.rejection_reason, b.exported_at, b.paid_at, b.payment_reference,
           b.created_at, b.line_count,
           (select email from users u where u.id = b.prepared_by_id) as prepared_by,
           (select email from users u where u.id = b.submitted_by_id) as submitted_by,
           (select email from users u where u.id = b.approved_by_id) as approved_by,
           (select email from users u where u.id = b.rejected_by_id) as rejected_by
      from batches b where b.id = ${batchId}`)
  const b = rows[0]!
  const lines = await loadLines(ctx, batchId)
  const partnerIds = [...new Set(lines.map((l) => l.partnerId))]
  const { rows: prevRows } = await ctx.db.execute(sql`
    select distinct on (l.partner_id, l.currency) l.partner_id, l.currency, l.amount_minor, b.id as batch_id, b.reference
      from batch_lines l join batches b on b.id = l.batch_id
     where l.batch_id < ${batchId} and b.status in ('approved', 'exported', 'paid')
       and l.partner_id = any(${sql.param(partnerIds)}::integer[])
     order by l.partner_id, l.currency, l.batch_id desc`)
  const previous = new Map(prevRows.map((r) => [`${String(r.partner_id)}|${String(r.currency)}`, r]))
  const { rows: flagRows } = await ctx.db.execute(sql`
    select c.partner_id, c.currency, count(distinct f.id) as n
      from commissions c join flags f on f.conversion_id = c.conversion_id and f.status = 'open'
     where c.batch_id = ${batchId}
     group by c.partner_id, c.currency`)
  const flags = new Map(flagRows.map((r) => [`${String(r.partner_id)}|${String(r.currency)}`, Number(r.n)]))

  const actor = actorOf(ctx, role)
  const events: BatchEventType[] = availableEvents(batch.record, actor)
  // Dry-run the decisions a manager makes, so the view can explain a refusal up front.
  const refusals: Partial<Record<BatchEventType, string>> = {}
  for (const type of ['approve', 'reject'] as const) {
    if (!events.includes(type)) continue
    const probe =
      type === 'approve'
        ? transition(batch.record, { type, at: ctx.now.toISOString(), contentHash: batch.contentHash ?? '' }, actor)
        : transition(batch.record, { type, at: ctx.now.toISOString(), reason: 'probe' }, actor)
    if (!probe.ok) refusals[type] = probe.code
  }
  const threshold = ctx.settings.secondApproverThresholdMinor
  const required = approvalsRequired(batch.totals, threshold == null ? {} : { secondApproverThresholdMinor: threshold })
  const { rows: exportRows } =
    role === 'ops'
      ? { rows: [] }
      : await ctx.db.execute(sql`
          select e.id, e.format, e.file_name, e.sha256, e.created_at, (select email from users u where u.id = e.created_by_id) as created_by
            from payout_exports e where e.batch_id = ${batchId} order by e.id`)

  return {
    batch: {
      id: batch.id,
      reference: batch.reference,
      status: batch.status,
      asOf: batch.asOf.toISOString(),
      createdAt: iso(b.created_at),
      preparedBy: b.prepared_by ?? null,
      submittedBy: b.submitted_by ?? null,
      submittedAt: iso(b.submitted_at),
      approvedBy: b.approved_by ?? null,
      approvedAt: iso(b.approved_at),
      rejectedBy: b.rejected_by ?? null,
      rejectionReason: b.rejection_reason ?? null,
      exportedAt: iso(b.exported_at),
      paidAt: iso(b.paid_at),
      paymentReference: b.payment_reference ?? null,
      contentHash: batch.contentHash,
      approvals: batch.approvals,
      approvalsRequired: required,
      lineCount: Number(b.line_count ?? lines.length),
    },
    viewer: { userId: ctx.userId, role },
    totals: batch.totals.map((t) => ({ currency: t.currency, totalMinor: t.totalMinor.toString(), lineCount: t.lineCount })),
    lines: lines.map((l) => {
      const key = `${l.partnerId}|${l.currency}`
      const prev = previous.get(key)
      const prevMinor = prev ? minor(prev.amount_minor) : null
      return {
        id: l.id,
        lineNo: l.lineNo,
        partnerId: l.partnerId,
        partnerName: l.partnerName,
        currency: l.currency,
        amountMinor: l.amountMinor.toString(),
        entryCount: l.entryCount,
        entryIds: l.entryIds,
        payee: payeeSummary(l.payee),
        status: l.status,
        paidAt: l.paidAt?.toISOString() ?? null,
        paymentReference: l.paymentReference,
        openFlags: flags.get(key) ?? 0,
        previous: prev ? { batchId: Number(prev.batch_id), reference: String(prev.reference), amountMinor: String(prevMinor) } : null,
        changeMinor: prevMinor === null ? null : (l.amountMinor - prevMinor).toString(),
      }
    }),
    carried: (b.carried ?? []) as unknown[],
    blocked: (b.blocked ?? []) as unknown[],
    openFlags: [...flags.values()].reduce((s, n) => s + n, 0),
    availableEvents: events,
    refusals,
    exports: exportRows.map((e) => ({
      id: Number(e.id),
      format: String(e.format),
      fileName: String(e.file_name),
      sha256: String(e.sha256),
      createdAt: iso(e.created_at),
      createdBy: e.created_by ?? null,
    })),
    formats: [
      ...PRESET_IDS.map((id) => ({ id, label: EXPORT_FORMATS[id].label })),
      ...ctx.settings.exports.templates.map((t) => ({ id: t.id, label: `Template: ${t.name}` })),
    ],
  }
}
