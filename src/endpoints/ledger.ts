import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import type { FunctionName } from '../access/roles'
import { inTenantTransaction } from '../db/transaction'
import { assignCode, assignRefund, createPartnerForCode } from '../services/ledger/assignment'
import { negativeBalances, partnerBalance, partnerStatementCsv, unattributedQueue } from '../services/ledger/balances'
import { InvalidSettingsError, ledgerContext, type LedgerContext } from '../services/ledger/context'
import { decideFlag, LedgerConflict } from '../services/ledger/flags'
import { postAdjustment, writeOffNegativeBalance } from '../services/ledger/manual-entries'
import { writeAudit } from '../services/audit'
import { authorize } from './guard'
import { errorResponse, readJson } from './http'

/**
 * The ledger's named actions over REST. Each checks its function in the role table, runs in one
 * tenant transaction (the change and its audit event commit together), and answers with the
 * shared error shape: 403 role, 404 not in this organization, 409 a rule refused it.
 */

const NEEDS_INPUT = new Set(['reason_required', 'amount_zero', 'unknown_currency', 'invalid_code', 'name_required'])

function ledgerAction(fn: FunctionName, run: (ctx: LedgerContext, req: PayloadRequest) => Promise<Response>) {
  return async (req: PayloadRequest): Promise<Response> => {
    const gate = await authorize(req, { fn }, `Your role may not ${fn.replace('.', ' ').replace('_', ' ')}.`)
    if (!gate.ok) return gate.response
    try {
      return await inTenantTransaction(req, async () => run(await ledgerContext(req), req))
    } catch (err) {
      if (err instanceof LedgerConflict) return errorResponse(NEEDS_INPUT.has(err.code) ? 400 : 409, err.code, err.message)
      if (err instanceof InvalidSettingsError) return errorResponse(409, 'invalid_settings', err.message, err.issues)
      throw err
    }
  }
}

const notFound = (what: string) => errorResponse(404, 'not_found', `${what} not found.`)
const idParam = (req: PayloadRequest) => {
  const n = Number(req.routeParams?.id)
  return Number.isSafeInteger(n) && n > 0 ? n : null
}
const withBody = <T>(schema: z.ZodType<T>, run: (ctx: LedgerContext, body: T, req: PayloadRequest) => Promise<Response>) => {
  return async (ctx: LedgerContext, req: PayloadRequest) => {
    const body = await readJson(req, schema)
    return body.ok ? run(ctx, body.value, req) : body.response
  }
}
const json = (v: unknown, status = 200) =>
  Response.json(JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))), { status })
const minorInput = z
  .union([z.string().regex(/^-?\d+$/, 'whole minor units, e.g. 1250 for 12.50'), z.number().int()])
  .transform((v) => BigInt(v))
const reason = z.string().trim().min(1, 'a reason is required').max(1000)

/** POST /api/flags/:id/decision {decision: clear|reject, reason} */
export const flagDecisionEndpoint: Endpoint = {
  path: '/:id/decision',
  method: 'post',
  handler: ledgerAction(
    'flag.decide',
    withBody(z.object({ decision: z.enum(['clear', 'reject']), reason }), async (ctx, body, req) => {
      const flagId = idParam(req)
      const result = flagId == null ? null : await decideFlag(ctx, flagId, body.decision, body.reason)
      return result ? json(result) : notFound('Flag')
    }),
  ),
}

/** POST /api/commissions/adjustments {partner, amountMinor, currency, reason} */
export const adjustmentEndpoint: Endpoint = {
  path: '/adjustments',
  method: 'post',
  handler: ledgerAction(
    'commission.adjust',
    withBody(
      z.object({ partner: z.number().int().positive(), amountMinor: minorInput, currency: z.string().length(3).toUpperCase(), reason }),
      async (ctx, b) =>
        json(await postAdjustment(ctx, { partnerId: b.partner, amountMinor: b.amountMinor, currency: b.currency, reason: b.reason }), 201),
    ),
  ),
}

/** POST /api/commissions/write-offs {partner, currency, reason}: closes a negative balance. */
export const writeOffEndpoint: Endpoint = {
  path: '/write-offs',
  method: 'post',
  handler: ledgerAction(
    'commission.write_off',
    withBody(z.object({ partner: z.number().int().positive(), currency: z.string().length(3).toUpperCase(), reason }), async (ctx, b) =>
      json(await writeOffNegativeBalance(ctx, { partnerId: b.partner, currency: b.currency, reason: b.reason }), 201),
    ),
  ),
}

/** GET /api/commissions/negative-balances */
export const negativeBalancesEndpoint: Endpoint = {
  path: '/negative-balances',
  method: 'get',
  handler: ledgerAction('ledger.read', async (ctx) => json({ docs: await negativeBalances(ctx) })),
}

/** GET /api/conversions/unattributed: the queue, grouped by code. */
export const unattributedQueueEndpoint: Endpoint = {
  path: '/unattributed',
  method: 'get',
  handler: ledgerAction('ledger.read', async (ctx) => json({ docs: await unattributedQueue(ctx) })),
}

/** POST /api/conversions/assign {code, partner} or {code, newPartner: {name, email?}} */
export const assignConversionsEndpoint: Endpoint = {
  path: '/assign',
  method: 'post',
  handler: ledgerAction(
    'conversion.assign',
    withBody(
      z.union([
        z.object({ code: z.string().min(1), partner: z.number().int().positive() }),
        z.object({ code: z.string().min(1), newPartner: z.object({ name: z.string().min(1), email: z.string().email().optional() }) }),
      ]),
      async (ctx, b) =>
        json('partner' in b ? await assignCode(ctx, b.code, b.partner) : await createPartnerForCode(ctx, b.code, b.newPartner)),
    ),
  ),
}

/** POST /api/refunds/:id/assign {conversion}: a refund whose order is under several codes. */
export const assignRefundEndpoint: Endpoint = {
  path: '/:id/assign',
  method: 'post',
  handler: ledgerAction(
    'refund.assign',
    withBody(z.object({ conversion: z.number().int().positive() }), async (ctx, b, req) => {
      const refundId = idParam(req)
      const result = refundId == null ? null : await assignRefund(ctx, refundId, b.conversion)
      return result ? json(result) : notFound('Refund')
    }),
  ),
}

/** GET /api/partners/:id/balance */
export const partnerBalanceEndpoint: Endpoint = {
  path: '/:id/balance',
  method: 'get',
  handler: ledgerAction('ledger.read', async (ctx, req) => {
    const partnerId = idParam(req)
    const balances = partnerId == null ? null : await partnerBalance(ctx, partnerId)
    return balances ? json({ partner: partnerId, balances }) : notFound('Partner')
  }),
}

/** GET /api/partners/:id/statement?from=YYYY-MM-DD&to=YYYY-MM-DD: CSV, the download audited. */
export const partnerStatementEndpoint: Endpoint = {
  path: '/:id/statement',
  method: 'get',
  handler: ledgerAction('ledger.read', async (ctx, req) => {
    const partnerId = idParam(req)
    const url = new URL(req.url ?? 'http://localhost')
    const range: Date[] = []
    for (const [param, fallback] of [
      ['from', '1970-01-01'],
      ['to', '9999-12-31'],
    ] as const) {
      const raw = url.searchParams.get(param) || fallback
      const d = new Date(raw)
      if (Number.isNaN(d.getTime())) return errorResponse(400, 'invalid_request', `${param}: not a date (use ISO 8601, e.g. 2026-11-01).`)
      range.push(d)
    }
    const [from, to] = range as [Date, Date]
    if (from >= to) return errorResponse(400, 'invalid_request', 'from must be before to.')
    const csv = partnerId == null ? null : await partnerStatementCsv(ctx, partnerId, from, to)
    if (csv == null) return notFound('Partner')
    await writeAudit(req, {
      action: 'partner.statement_downloaded',
      entityType: 'partner',
      entityId: partnerId as number,
      changes: { from: from.toISOString(), to: to.toISOString(), bytes: Buffer.byteLength(csv) },
    })
    const name = `partner-${partnerId}-statement-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`
    return new Response(csv, {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` },
    })
  }),
}

/** GET /api/partners/:id/payout-details: the full, decrypted details; every reveal is audited. */
export const payoutDetailsEndpoint: Endpoint = {
  path: '/:id/payout-details',
  method: 'get',
  handler: ledgerAction('payout.reveal', async (ctx, req) => {
    const partnerId = idParam(req)
    if (partnerId == null) return notFound('Partner')
    req.context.revealPayoutDetails = true
    const found = await req.payload.find({
      collection: 'partners',
      where: { id: { equals: partnerId } },
      depth: 0,
      limit: 1,
      req,
      overrideAccess: false,
    })
    const p = found.docs[0]
    if (!p) return notFound('Partner')
    await writeAudit(req, {
      action: 'partner.payout_details_revealed',
      entityType: 'partner',
      entityId: partnerId,
      changes: { fields: ['payoutEmail', ...Object.keys(p.payoutDetails ?? {})] },
    })
    return json({
      partner: partnerId,
      payoutMethod: p.payoutMethod ?? null,
      payoutEmail: p.payoutEmail ?? null,
      payoutDetails: p.payoutDetails ?? {},
    })
  }),
}
