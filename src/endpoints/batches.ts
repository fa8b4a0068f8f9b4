import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import type { FunctionName, Role } from '../access/roles'
import { authorize } from './guard'
import { inTenantTransaction } from '../db/transaction'
import { formatMinor } from '../ledger'
import { BatchRefusal, type BatchRefusalCode } from '../services/batches/common'
import { draftPayoutBatch } from '../services/batches/draft'
import { exportBatch } from '../services/batches/export'
import { markBatchPaid } from '../services/batches/mark-paid'
import { batchLink, notifyRole } from '../services/batches/notify'
import { reviewBatch } from '../services/batches/review'
import { deleteExportTemplate, saveExportTemplate, templateInputSchema } from '../services/batches/templates'
import { approveBatch, discardBatch, rejectBatch, submitBatch } from '../services/batches/transitions'
import { InvalidSettingsError, ledgerContext, type LedgerContext } from '../services/ledger/context'
import {
  jsonStored,
  readIdempotencyKey,
  requestHashOf,
  runIdempotent,
  toResponse,
  type IdempotentOutcome,
  type StoredResponse,
} from '../services/idempotency'
import { errorResponse } from './http'
import { requireStepUp } from '../security/step-up'

/**
 * The payout batch endpoints (docs/api.md "Payout batches"). Each one: who may call it (the
 * function table in src/access/roles.ts), one tenant transaction around the use case, and the
 * use case's named refusals mapped to HTTP statuses.
 */

const STATUS: Partial<Record<BatchRefusalCode, number>> = {
  not_found: 404,
  line_not_found: 404,
  role_not_allowed: 403,
  approver_is_preparer: 403,
  reason_required: 400,
  payment_reference_required: 400,
  paid_on_invalid: 400,
  invalid_as_of: 400,
  unknown_format: 400,
  template_invalid: 400,
  export_failed: 422,
}

const FORBIDDEN: Record<string, string> = {
  'batch.draft': 'Only ops drafts payout batches.',
  'batch.submit': 'Only ops submits payout batches.',
  'batch.discard': 'Only ops discards draft batches.',
  'batch.approve': 'Only a manager approves payout batches.',
  'batch.reject': 'Only a manager rejects payout batches.',
  'batch.export': 'Only finance downloads payout files.',
  'batch.mark_paid': 'Only finance marks batches paid.',
  'batch.export_template': 'Only admins and finance manage export templates.',
}

type Work<T> = (ctx: LedgerContext, role: Role | null) => Promise<T>

/** Runs `work` for a caller allowed `fn` (or any member when fn is null); maps refusals to responses. */
async function guarded<T>(
  req: PayloadRequest,
  fn: FunctionName | null,
  work: Work<T>,
  stepUpAction?: string,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const gate = fn === null ? await authorize(req, { member: true }) : await authorize(req, { fn }, FORBIDDEN[fn] ?? 'Not allowed.')
  if (!gate.ok) return gate
  // After the role check: someone who may not act at all hears 403 forbidden, not "sign in again".
  const stepUp = stepUpAction ? await requireStepUp(req, stepUpAction) : null
  if (stepUp) return { ok: false, response: stepUp }
  const t = gate.tenant
  if (t.organizationId == null) return { ok: false, response: errorResponse(403, 'forbidden', 'Choose an organization first.') }
  try {
    const value = await inTenantTransaction(req, async () => work(await ledgerContext(req), t.role))
    return { ok: true, value }
  } catch (err) {
    if (err instanceof BatchRefusal) {
      return { ok: false, response: errorResponse(STATUS[err.code] ?? 409, err.code, err.message, err.details) }
    }
    if (err instanceof InvalidSettingsError) return { ok: false, response: errorResponse(422, 'invalid_settings', err.message) }
    throw err
  }
}

/**
 * `guarded` for the endpoints that honour an Idempotency-Key (src/services/idempotency.ts): the
 * key is read after the role check, and the stored answer is written in the use case's own
 * transaction. `fresh` is the use case's value when it ran now, null when the answer is a replay.
 */
async function guardedIdempotent<T>(
  req: PayloadRequest,
  fn: FunctionName,
  route: string,
  payload: unknown,
  work: Work<T>,
  respond: (value: T) => StoredResponse,
  stepUpAction?: string,
): Promise<{ ok: true; fresh: T | null; response: Response } | { ok: false; response: Response }> {
  const r = await guarded(
    req,
    fn,
    async (ctx, role): Promise<IdempotentOutcome<T>> => {
      const header = readIdempotencyKey(req)
      if (!header.ok) return { kind: 'refused', response: header.response }
      const path = new URL(req.url ?? 'http://localhost/').pathname
      const scope =
        header.key === null || ctx.userId == null
          ? null
          : {
              organizationId: ctx.organizationId,
              userId: ctx.userId,
              route,
              key: header.key,
              requestHash: requestHashOf(req.method ?? 'POST', path, payload),
            }
      return runIdempotent(ctx.db, scope, () => work(ctx, role), respond)
    },
    stepUpAction,
  )
  if (!r.ok) return r
  const o = r.value
  if (o.kind === 'refused') return { ok: false, response: o.response }
  return { ok: true, fresh: o.kind === 'fresh' ? o.value : null, response: toResponse(o.response, o.kind === 'replay') }
}

function batchId(req: PayloadRequest): number | null {
  const raw = String(req.routeParams?.id ?? '')
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null
}

const notFound = () => errorResponse(404, 'not_found', 'Batch not found.')

/** A JSON body that may be absent (POST /submit with no body); present but malformed is a 400. */
async function optionalBody<T>(
  req: PayloadRequest,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  let body: unknown = {}
  const text = req.text ? await req.text() : ''
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text)
    } catch {
      return { ok: false, response: errorResponse(400, 'invalid_json', 'The request body is not valid JSON.') }
    }
  }
  const parsed = schema.safeParse(body)
  if (parsed.success) return { ok: true, value: parsed.data }
  const first = parsed.error.issues[0]
  return {
    ok: false,
    response: errorResponse(400, 'invalid_request', first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'Invalid request.'),
  }
}

const DraftBody = z.object({ asOf: z.string().max(40).optional() })
const RejectBody = z.object({ reason: z.string().max(2000).default('') })
const MarkPaidBody = z.object({
  paymentReference: z.string().max(140).default(''),
  paidOn: z.string().max(10).default(''),
  lineIds: z.array(z.number().int().positive()).min(1).optional(),
})
const Empty = z.object({}).passthrough()

function transitionEndpoint(
  name: 'submit' | 'approve' | 'discard',
  fn: FunctionName,
  run: (ctx: LedgerContext, role: Role | null, id: number) => ReturnType<typeof submitBatch>,
): Endpoint {
  return {
    path: `/:id/${name}`,
    method: 'post',
    handler: async (req) => {
      const id = batchId(req)
      if (id === null) return notFound()
      const body = await optionalBody(req, Empty)
      if (!body.ok) return body.response
      let organizationId = 0
      const r = await guardedIdempotent(
        req,
        fn,
        `POST /api/batches/:id/${name}`,
        body.value,
        (ctx, role) => {
          organizationId = ctx.organizationId
          return run(ctx, role, id)
        },
        (value) => jsonStored(200, value),
        name === 'approve' ? 'Approving a payout batch' : undefined,
      )
      if (!r.ok) return r.response
      // A replayed answer was mailed about when it first ran.
      const done = r.fresh
      if (done === null) return r.response
      const link = batchLink(req, id)
      const mails = name === 'submit' || (name === 'approve' && done.status === 'approved')
      const total = mails ? ((await reviewTotals(req, id)) ?? '') : ''
      if (name === 'submit') {
        await notifyRole(req, organizationId, 'manager', {
          subject: `Payout batch ${done.reference} awaits your approval`,
          text: `Batch ${done.reference} (${total}) was submitted for approval. Review it: ${link}`,
        })
      }
      if (name === 'approve' && done.status === 'approved') {
        await notifyRole(req, organizationId, 'finance', {
          subject: `Payout batch ${done.reference} is approved`,
          text: `Batch ${done.reference} (${total}) was approved and is ready to export and pay: ${link}`,
        })
      }
      return r.response
    },
  }
}

/** "USD 1234.56; EUR 10.00" for mails, read after the commit. */
async function reviewTotals(req: PayloadRequest, id: number): Promise<string | null> {
  const r = await guarded(req, null, async (ctx, role) => (await reviewBatch(ctx, role, id)).totals)
  if (!r.ok) return null
  return r.value.map((t) => `${t.currency} ${formatMinor(BigInt(t.totalMinor), t.currency)}`).join('; ')
}

export const batchEndpoints: Endpoint[] = [
  {
    path: '/draft',
    method: 'post',
    handler: async (req) => {
      const body = await optionalBody(req, DraftBody)
      if (!body.ok) return body.response
      const r = await guardedIdempotent(
        req,
        'batch.draft',
        'POST /api/batches/draft',
        body.value,
        (ctx, role) => draftPayoutBatch(ctx, role, body.value.asOf),
        (value) => jsonStored(201, value),
      )
      return r.response
    },
  },
  transitionEndpoint('submit', 'batch.submit', submitBatch),
  transitionEndpoint('approve', 'batch.approve', approveBatch),
  transitionEndpoint('discard', 'batch.discard', discardBatch),
  {
    path: '/:id/reject',
    method: 'post',
    handler: async (req) => {
      const id = batchId(req)
      if (id === null) return notFound()
      const body = await optionalBody(req, RejectBody)
      if (!body.ok) return body.response
      const r = await guardedIdempotent(
        req,
        'batch.reject',
        'POST /api/batches/:id/reject',
        body.value,
        (ctx, role) => rejectBatch(ctx, role, id, body.value.reason),
        (value) => jsonStored(200, value),
      )
      return r.response
    },
  },
  {
    path: '/:id/mark-paid',
    method: 'post',
    handler: async (req) => {
      const id = batchId(req)
      if (id === null) return notFound()
      const body = await optionalBody(req, MarkPaidBody)
      if (!body.ok) return body.response
      const r = await guardedIdempotent(
        req,
        'batch.mark_paid',
        'POST /api/batches/:id/mark-paid',
        body.value,
        (ctx, role) => markBatchPaid(ctx, role, id, body.value),
        (value) => jsonStored(200, value),
      )
      return r.response
    },
  },
  {
    path: '/:id/export',
    method: 'get',
    handler: async (req) => {
      const id = batchId(req)
      if (id === null) return notFound()
      const q = new URL(req.url ?? 'http://x/').searchParams
      const format = q.get('format') ?? ''
      if (format === '') return errorResponse(400, 'invalid_request', 'format: required (a preset id or a saved template id).')
      const partial = q.get('allowPartial')
      const request = {
        format,
        allowPartial: partial === null ? undefined : partial === 'true' || partial === '1',
        effectiveEntryDate: q.get('effectiveEntryDate') ?? undefined,
        requestedExecutionDate: q.get('requestedExecutionDate') ?? undefined,
        redownload: q.get('redownload') === 'true' || q.get('redownload') === '1',
      }
      // A replay answers with the file of the first download, byte for byte (stored encrypted).
      const r = await guardedIdempotent(
        req,
        'batch.export',
        'GET /api/batches/:id/export',
        request,
        (ctx, role) => exportBatch(ctx, role, id, request),
        (d) => ({
          status: 200,
          headers: {
            'content-type': d.mimeType.startsWith('text/') ? `${d.mimeType}; charset=utf-8` : d.mimeType,
            'content-disposition': `attachment; filename="${d.fileName}"`,
            'cache-control': 'no-store',
            'x-export-sha256': d.sha256,
            'x-export-format': d.format,
            'x-export-files': JSON.stringify(d.files),
            'x-export-skipped': JSON.stringify(d.skipped),
            'x-batch-status': d.status,
          },
          body: d.content,
        }),
      )
      return r.response
    },
  },
  {
    path: '/:id/review',
    method: 'get',
    handler: async (req) => {
      const id = batchId(req)
      if (id === null) return notFound()
      const r = await guarded(req, null, (ctx, role) => reviewBatch(ctx, role, id))
      return r.ok ? Response.json(r.value) : r.response
    },
  },
  {
    path: '/export-templates',
    method: 'get',
    handler: async (req) => {
      const r = await guarded(req, 'batch.export_template', async (ctx) => ctx.settings.exports.templates)
      return r.ok ? Response.json({ templates: r.value }) : r.response
    },
  },
  {
    path: '/export-templates',
    method: 'post',
    handler: async (req) => {
      const body = await optionalBody(req, templateInputSchema)
      if (!body.ok) return body.response
      const r = await guarded(req, 'batch.export_template', (ctx) => saveExportTemplate(ctx, body.value))
      return r.ok ? Response.json({ template: r.value }, { status: body.value.id ? 200 : 201 }) : r.response
    },
  },
  {
    path: '/export-templates/:templateId',
    method: 'delete',
    handler: async (req) => {
      const templateId = String(req.routeParams?.templateId ?? '')
      const r = await guarded(req, 'batch.export_template', (ctx) => deleteExportTemplate(ctx, templateId))
      return r.ok ? Response.json({ deleted: templateId }) : r.response
    },
  },
]
