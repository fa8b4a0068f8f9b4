import type { CollectionAfterChangeHook, CollectionBeforeChangeHook } from 'payload'
import { ValidationError } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { canonicalCode } from '../ledger'
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
  return {
    ...data,
    code,
    orderId: String(data.orderId ?? '').trim(),
    partner,
    status: partner == null ? 'unattributed' : 'attributed',
    currency: String(data.currency || ctx.settings.defaultCurrency).toUpperCase(),
    refundedMinor: 0,
  }
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
