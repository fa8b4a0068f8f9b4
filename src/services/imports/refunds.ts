import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { createRefundParser, fromRowError, type RefundRecord } from '../../ledger'
import { applyRefunds } from '../ledger/refunds'
import { runImport, type HandlerEnv, type ImportInput, type ImportResult, type KindHandler } from './run-import'

/**
 * Refunds: each row is stored (the same reported refund twice is one refund, by the database's
 * unique key), then applied to the ledger by the same service as a refund typed into the admin.
 * Outcomes: matched and applied -> created; waiting for its order (unmatched, or an order under
 * several codes) -> unattributed, in the refunds queue; refused by the ledger (already fully
 * refunded, another currency) -> rejected, with the row's error; stored before -> duplicate.
 */

const CHUNK_ROWS = 2_000

export function importRefunds(req: PayloadRequest, input: ImportInput): Promise<ImportResult> {
  return runImport(req, 'refunds', input, refundsHandler)
}

interface PendingRefund {
  readonly row: number
  readonly record: RefundRecord
}

function refundsHandler(env: HandlerEnv): KindHandler {
  const { db, report, mapping, ledger } = env
  const parse = createRefundParser(mapping, env.settings)
  const totals = { matched: 0, waiting: 0, refused: 0, entries: 0, duplicateInFile: 0, duplicateExisting: 0 }
  const seen = new Map<string, number>()
  let pending: PendingRefund[] = []

  const flush = async () => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    const col = <T>(f: (p: PendingRefund) => T) => sql.param(batch.map(f))
    const { rows } = await db.execute(sql`
      insert into refunds (order_id, code, amount_minor, currency, refunded_at, status, import_id, organization_id, updated_at, created_at)
      select t.order_id, t.code, t.amount_minor, t.currency, t.refunded_at, 'unmatched', null, ${ledger.organizationId}, now(), now()
        from unnest(${col((p) => p.record.orderId)}::text[], ${col((p) => p.record.code?.canonical ?? null)}::text[],
                    ${col((p) => p.record.amountMinor?.toString() ?? null)}::numeric[], ${col((p) => p.record.currency)}::text[],
                    ${col((p) => p.record.refundedAt)}::timestamptz[], ${col((p) => p.row)}::integer[])
             as t(order_id, code, amount_minor, currency, refunded_at, row_number)
       order by t.row_number
      on conflict do nothing
      returning id, order_id, code, amount_minor, refunded_at`)
    const idByKey = new Map(rows.map((r) => [refundKey(r.order_id, r.code, r.amount_minor, r.refunded_at), Number(r.id)]))
    const summary = await applyRefunds(ledger, [...idByKey.values()])
    totals.entries += summary.entries
    const { rows: after } = await db.execute(sql`
      select id, status, note, applied_minor from refunds where id = any(${sql.param([...idByKey.values()])}::integer[])`)
    const byId = new Map(after.map((r) => [Number(r.id), r]))
    for (const p of batch) {
      const r = p.record
      const id = idByKey.get(refundKey(r.orderId, r.code?.canonical ?? null, r.amountMinor, r.refundedAt))
      const state = id === undefined ? undefined : byId.get(id)
      if (!state) {
        totals.duplicateExisting++
        report.outcome(p.row, 'duplicate', { orderId: r.orderId, of: 'a refund already stored' })
      } else if (state.status === 'matched') {
        totals.matched++
        report.outcome(p.row, 'created', { orderId: r.orderId, applied: String(state.applied_minor ?? '') })
      } else if (state.status === 'rejected') {
        totals.refused++
        const column = mapping.amount ?? mapping.order_id ?? 'order_id'
        report.reject(p.row, [
          {
            row: p.row,
            column,
            value: r.amountMinor?.toString() ?? '',
            code: 'refund_refused',
            message: `Row ${p.row}, column "${column}": ${String(state.note)} (order ${r.orderId}).`,
          },
        ])
      } else {
        totals.waiting++
        report.outcome(p.row, 'unattributed', { orderId: r.orderId, waiting: String(state.note ?? state.status) })
      }
    }
  }

  return {
    async row(values, rowNumber) {
      const parsed = parse(values, rowNumber)
      if (!parsed.ok) {
        report.reject(rowNumber, parsed.errors.map(fromRowError))
        return
      }
      const r = parsed.record
      const key = refundKey(r.orderId, r.code?.canonical ?? null, r.amountMinor, r.refundedAt)
      const first = seen.get(key)
      if (first !== undefined) {
        totals.duplicateInFile++
        report.outcome(rowNumber, 'duplicate', { orderId: r.orderId, of: `row ${first}` })
        return
      }
      seen.set(key, rowNumber)
      pending.push({ row: rowNumber, record: r })
      if (pending.length >= CHUNK_ROWS) await flush()
    },
    finish: flush,
    details: () => ({ refunds: totals }),
  }
}

/** The refund's identity as the database's unique key sees it (order, code, instant, amount). */
function refundKey(orderId: unknown, code: unknown, amount: unknown, at: unknown): string {
  const instant = at instanceof Date ? at.getTime() : Date.parse(String(at))
  return JSON.stringify([String(orderId), code == null ? '' : String(code), instant, amount == null ? '' : String(amount)])
}
