import type { CollectionAfterChangeHook, CollectionBeforeChangeHook } from 'payload'
import { APIError, ValidationError } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import type { SqlExecutor } from '../db/session'
import { canonicalCode, differingFacts } from '../ledger'
import { accrueConversions } from '../services/ledger/accruals'
import { ledgerContext } from '../services/ledger/context'
import { applyRefunds } from '../services/ledger/refunds'

/**
 * A conversion or refund typed in by hand (admin form or REST) goes through the same pure rules
 * and the same ledger services as an imported row: canonical code, attribution by the partner
 * codes, then the accrual (with flags) or the refund entry, inside the create's transaction.
 */

function codeOrError(collection: string, raw: unknown, settings: Parameters<typeof canonicalCode>[1]): string {
  const c = canonicalCode(String(raw ?? ''), settings)
  if (!c.ok) {
    throw new ValidationError({
      collection,
      errors: [{ path: 'code', message: `"${String(raw ?? '')}" is not a usable code (${c.code}).` }],
    })
  }
  return c.code
}

export const prepareConversion: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  const ctx = await ledgerContext(req)
  const code = codeOrError('conversions', data.code, ctx.settings)
  const { rows } = await ctx.db.execute(sql`select partner_id from partner_codes where code = ${code}`)
  const byCode = rows[0] ? Number(rows[0].partner_id) : null
  const given = data.partner == null ? null : Number(typeof data.partner === 'object' ? data.partner.id : data.partner)
  if (given != null && byCode != null && given !== byCode) {
    throw new ValidationError({
      collection: 'conversions',
      errors: [{ path: 'partner', message: `Code ${code} belongs to partner ${byCode}; attribution follows the code.` }],
    })
  }
  const partner = byCode ?? given
  const orderId = String(data.orderId ?? '').trim()
  const currency = String(data.currency || ctx.settings.defaultCurrency).toUpperCase()
  await refuseStoredOrder(ctx.db, code, orderId, { valueMinor: data.valueMinor, currency, occurredAt: data.occurredAt })
  return {
    ...data,
    code,
    orderId,
    partner,
    status: partner == null ? 'unattributed' : 'attributed',
    currency,
    refundedMinor: 0,
  }
}

/**
 * The duplicate guard's answer for a single create (checklist row 11): an order already stored
 * under the code is never stored again. The same facts are a harmless repeat (409 `duplicate`,
 * naming the stored conversion); different facts are a conflict the caller must see (409
 * `duplicate_conflict`, naming what differs), never a silent keep-the-first. The unique key
 * (organization_id, code, order_id) still decides a race between two creates.
 */
async function refuseStoredOrder(
  db: SqlExecutor,
  code: string,
  orderId: string,
  given: { valueMinor: unknown; currency: string; occurredAt: unknown },
): Promise<void> {
  const { rows } = await db.execute(
    sql`select id, value_minor, currency, occurred_at from conversions where code = ${code} and order_id = ${orderId}`,
  )
  const stored = rows[0]
  if (!stored) return
  const differs = differingFacts(
    { valueMinor: BigInt(String(stored.value_minor)), currency: String(stored.currency), occurredAt: new Date(String(stored.occurred_at)) },
    {
      // Not a whole number of minor units: it cannot equal the stored amount (validation names it).
      valueMinor: /^-?\d+$/.test(String(given.valueMinor ?? '')) ? BigInt(String(given.valueMinor)) : null,
      currency: given.currency,
      occurredAt: given.occurredAt == null ? 'invalid' : String(given.occurredAt),
    },
  )
  const id = Number(stored.id)
  if (differs.length === 0) {
    throw new APIError(
      `Order ${orderId} under code ${code} is already stored (conversion ${id}); nothing was changed.`,
      409,
      { code: 'duplicate', conversionId: id },
      true,
    )
  }
  throw new APIError(
    `Order ${orderId} under code ${code} is already stored (conversion ${id}) with a different ${differs.join(', ')}; nothing was changed. Correct it with a refund or an adjustment.`,
    409,
    { code: 'duplicate_conflict', conversionId: id, differs },
    true,
  )
}

export const accrueCreatedConversion: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create') return doc
  await accrueConversions(await ledgerContext(req), [doc.id])
  return doc
}

export const prepareRefund: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  const ctx = await ledgerContext(req)
  const hasCode = data.code != null && String(data.code).trim() !== ''
  return {
    ...data,
    code: hasCode ? codeOrError('refunds', data.code, ctx.settings) : null,
    orderId: String(data.orderId ?? '').trim(),
    currency: data.currency ? String(data.currency).toUpperCase() : null,
    status: 'unmatched',
    conversion: null,
    appliedMinor: null,
  }
}

export const applyCreatedRefund: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create') return doc
  const ctx = await ledgerContext(req)
  await applyRefunds(ctx, [doc.id])
  const { rows } = await ctx.db.execute(
    sql`select status, conversion_id, applied_minor, note, explanation from refunds where id = ${doc.id}`,
  )
  const r = rows[0]
  return r
    ? {
        ...doc,
        status: r.status,
        conversion: r.conversion_id == null ? null : Number(r.conversion_id),
        appliedMinor: r.applied_minor == null ? null : Number(r.applied_minor),
        note: r.note,
        explanation: r.explanation,
      }
    : doc
}
