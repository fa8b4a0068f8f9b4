import type { Endpoint, PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import type { FunctionName } from '../access/roles'
import { transactionDb } from '../db/session'
import { inTenantTransaction } from '../db/transaction'
import { DEFAULT_PROGRAM_SETTINGS, EXPORT_FORMATS, parseProgramSettings, serializeProgramSettings } from '../ledger'
import { settingsDiff, summarizeSettings, type SettingsJson } from '../ledger/settings-summary'
import { writeAudit } from '../services/audit'
import { loadDashboard } from '../services/dashboard'
import { InvalidSettingsError, ledgerContext } from '../services/ledger/context'
import { reconcile, reconciliationCsv } from '../services/reconciliation'
import { authorize } from './guard'
import { errorResponse } from './http'

/**
 * The program's settings (read by every member, written by admins through the set-up interview),
 * the dashboard and the reconciliation. Each runs in one tenant transaction behind `authorize`.
 */

const json = (v: unknown, status = 200) =>
  Response.json(JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))), { status })

function gated(fn: FunctionName, denied: string, run: (req: PayloadRequest, organizationId: number) => Promise<Response>) {
  return async (req: PayloadRequest): Promise<Response> => {
    const gate = await authorize(req, { fn }, denied)
    if (!gate.ok) return gate.response
    try {
      return await inTenantTransaction(req, () => run(req, gate.tenant.organizationId))
    } catch (err) {
      if (err instanceof InvalidSettingsError) return errorResponse(409, 'invalid_settings', err.message, err.issues)
      throw err
    }
  }
}

const exportLabel = (id: string) => (EXPORT_FORMATS as Record<string, { label: string } | undefined>)[id]?.label

async function storedSettings(req: PayloadRequest, organizationId: number) {
  const db = await transactionDb(req)
  const { rows } = await db.execute(sql`select settings from organizations where id = ${organizationId} for update`)
  return rows[0]?.settings ?? null
}

/** GET /api/organizations/settings: the stored settings with every default filled in, and the summary. */
export const getSettingsEndpoint: Endpoint = {
  path: '/settings',
  method: 'get',
  handler: gated('ledger.read', 'Not allowed.', async (req, organizationId) => {
    const stored = await storedSettings(req, organizationId)
    const parsed = parseProgramSettings(stored)
    const settings = serializeProgramSettings(parsed.ok ? parsed.settings : DEFAULT_PROGRAM_SETTINGS) as SettingsJson
    return json({
      configured: stored != null,
      valid: parsed.ok,
      issues: parsed.ok ? [] : parsed.issues,
      settings,
      summary: summarizeSettings(settings, exportLabel(settings.payoutExportFormat)),
      exportFormats: Object.entries(EXPORT_FORMATS).map(([id, f]) => ({ id, label: f.label })),
    })
  }),
}

/**
 * PUT /api/organizations/settings {…settings}: the whole program, validated by the same schema
 * the ledger reads with (a missing key takes its default; an unknown or invalid one is refused,
 * naming it). One audit event holds the leaves that changed. Nothing already posted is touched.
 */
export const putSettingsEndpoint: Endpoint = {
  path: '/settings',
  method: 'put',
  handler: gated('organization.update', 'Only an admin changes the program settings.', async (req, organizationId) => {
    let body: unknown
    try {
      body = req.json ? await req.json() : undefined
    } catch {
      return errorResponse(400, 'invalid_json', 'The request body is not valid JSON.')
    }
    if (body == null || typeof body !== 'object' || Array.isArray(body)) {
      return errorResponse(400, 'invalid_settings', 'The body must be the settings object, e.g. {"holdDays": 30}.')
    }
    const parsed = parseProgramSettings(body)
    if (!parsed.ok) {
      const first = parsed.issues[0]
      const message = parsed.issues.map((i) => `${i.path || 'settings'}: ${i.message}`).join('; ')
      return errorResponse(400, parsed.code, first ? message : 'Invalid settings.', parsed.issues)
    }
    const stored = await storedSettings(req, organizationId)
    const before = parseProgramSettings(stored)
    const next = serializeProgramSettings(parsed.settings) as SettingsJson
    const changes = settingsDiff(serializeProgramSettings(before.ok ? before.settings : DEFAULT_PROGRAM_SETTINGS), next)
    const db = await transactionDb(req)
    await db.execute(
      sql`update organizations set settings = ${JSON.stringify(next)}::jsonb, updated_at = now() where id = ${organizationId}`,
    )
    await writeAudit(req, {
      action: 'organization.settings_updated',
      entityType: 'organization',
      entityId: organizationId,
      changes: { firstSetup: stored == null, ...(before.ok ? {} : { replacedInvalid: before.issues }), changed: changes },
    })
    return json({ settings: next, changed: Object.keys(changes), summary: summarizeSettings(next, exportLabel(next.payoutExportFormat)) })
  }),
}

/** GET /api/dashboard */
export const dashboardEndpoint: Endpoint = {
  path: '/dashboard',
  method: 'get',
  handler: gated('ledger.read', 'Not allowed.', async (req) => json(await loadDashboard(await ledgerContext(req)))),
}

function dateParam(url: URL, name: string, fallback: Date): Date | string {
  const raw = url.searchParams.get(name)
  if (!raw) return fallback
  const d = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(raw)
  return Number.isNaN(d.getTime()) ? `${name}: "${raw}" is not a date (use YYYY-MM-DD or ISO 8601)` : d
}

/** GET /api/reconciliation?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]: `to` is exclusive; default: everything up to now. */
export const reconciliationEndpoint: Endpoint = {
  path: '/reconciliation',
  method: 'get',
  handler: gated('ledger.read', 'Not allowed.', async (req) => {
    const ctx = await ledgerContext(req)
    const url = new URL(req.url ?? 'http://localhost')
    const from = dateParam(url, 'from', new Date('1970-01-01T00:00:00Z'))
    const to = dateParam(url, 'to', new Date(ctx.now.getTime() + 1000))
    if (typeof from === 'string') return errorResponse(400, 'invalid_request', from)
    if (typeof to === 'string') return errorResponse(400, 'invalid_request', to)
    if (from >= to) return errorResponse(400, 'invalid_request', 'from must be before to.')
    const result = await reconcile(ctx, from, to)
    if (url.searchParams.get('format') !== 'csv') return json(result)
    const csv = reconciliationCsv(result, url.origin)
    const name = `reconciliation-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`
    return new Response(csv, {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` },
    })
  }),
}
