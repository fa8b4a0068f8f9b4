import type { Endpoint, Where } from 'payload'

import { id, plain, text, writeCsv } from '../ledger/export/csv-safety'
import { writeAudit } from '../services/audit'
import { authorize } from './guard'
import { errorResponse } from './http'

const PAGE = 1000

/**
 * GET /api/audit-events/export?from=ISO&to=ISO&action=prefix: the active organization's trail as
 * CSV for an auditor's working papers. Text cells are neutralised against formula injection;
 * the download itself is audited.
 */
export const exportAuditEndpoint: Endpoint = {
  path: '/export',
  method: 'get',
  handler: async (req) => {
    const auth = await authorize(req, { fn: 'audit.export' }, 'Only admins and auditors export the audit trail.')
    if (!auth.ok) return auth.response
    const t = auth.tenant
    const url = new URL(req.url ?? 'http://localhost')
    const and: Where[] = []
    for (const [param, op] of [
      ['from', 'greater_than_equal'],
      ['to', 'less_than'],
    ] as const) {
      const value = url.searchParams.get(param)
      if (!value) continue
      if (Number.isNaN(Date.parse(value)))
        return errorResponse(400, 'invalid_request', `${param}: not a date (use ISO 8601, e.g. 2026-11-01).`)
      and.push({ occurredAt: { [op]: new Date(value).toISOString() } })
    }
    const action = url.searchParams.get('action')
    if (action) and.push({ action: { like: action } })

    const rows: ReturnType<typeof text>[][] = []
    for (let page = 1; ; page++) {
      const res = await req.payload.find({
        collection: 'audit-events',
        where: and.length ? { and } : {},
        sort: 'seq',
        limit: PAGE,
        page,
        depth: 0,
        req,
        overrideAccess: false,
      })
      for (const e of res.docs) {
        rows.push([
          plain(String(e.seq)),
          plain(e.occurredAt),
          text(e.actorLabel),
          text(e.action),
          text(e.entityType),
          id(e.entityId),
          text(JSON.stringify(e.changes ?? null)),
          text(e.requestId ?? ''),
          text(e.ip ?? ''),
          text(e.userAgent ?? ''),
          id(e.prevHash),
          id(e.hash),
        ])
      }
      if (!res.hasNextPage) break
    }
    const csv = writeCsv(
      [
        'seq',
        'occurred_at_utc',
        'actor',
        'action',
        'entity_type',
        'entity_id',
        'changes',
        'request_id',
        'ip',
        'user_agent',
        'prev_hash',
        'hash',
      ],
      rows,
    )
    await writeAudit(req, {
      action: 'audit.exported',
      entityType: 'audit_trail',
      entityId: String(t.organizationId),
      changes: { rows: rows.length, filters: Object.fromEntries(url.searchParams) },
    })
    return new Response(csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="audit-trail-org-${t.organizationId}.csv"`,
      },
    })
  },
}
