import { sql } from '@payloadcms/db-postgres'

import type { Role } from '../../access/roles'
import {
  addDays,
  bundleFiles,
  EXPORT_FORMATS,
  isExportFormatId,
  localDate,
  renderExport,
  toExportBatch,
  type ExportFile,
  type ExportFormatId,
  type Payee,
} from '../../ledger'
import { writeAudit } from '../audit'
import type { LedgerContext } from '../ledger/context'
import {
  actorOf,
  apply,
  assertLinesConsistent,
  BatchRefusal,
  contentHashOf,
  jsonOf,
  loadBatchForUpdate,
  loadLines,
  refuseTransition,
} from './common'

export interface ExportRequest {
  /** A preset id of EXPORT_FORMATS, or the id of a saved custom template (`tpl-...`). */
  format: string
  allowPartial?: boolean
  /** NACHA: the settlement date banks need (default: tomorrow in the organization's zone). */
  effectiveEntryDate?: string
  /** pain.001: the execution date (default: tomorrow in the organization's zone). */
  requestedExecutionDate?: string
  /**
   * Asks, on purpose, for the file of an already exported batch again (a lost file, or another
   * format for lines a payment file skipped). Without it a second export is 409 `already_exported`
   * (checklist row 23): a double click or a retried script must not look like a second payment file.
   */
  redownload?: boolean
}

export interface ExportDownload {
  fileName: string
  content: Buffer
  mimeType: string
  sha256: string
  format: string
  files: { name: string; sha256: string; rows: number; currency: string; totalMinor: string }[]
  skipped: { reference: string; currency: string; amountMinor: string; reason: string }[]
  status: string
}

/** Presets callers can name (the custom template is reached through a saved template's id). */
export const PRESET_IDS = (Object.keys(EXPORT_FORMATS) as ExportFormatId[]).filter((id) => id !== 'custom-template')

function resolveFormat(ctx: LedgerContext, format: string): { formatId: ExportFormatId; label: string; options: Record<string, unknown> } {
  if (isExportFormatId(format) && format !== 'custom-template') {
    return { formatId: format, label: format, options: { ...(ctx.settings.exports.presets[format] ?? {}) } }
  }
  const template = ctx.settings.exports.templates.find((t) => t.id === format)
  if (template) return { formatId: 'custom-template', label: `custom-template:${template.id}`, options: { ...template.options } }
  throw new BatchRefusal(
    'unknown_format',
    `format: "${format}" is neither a preset (${PRESET_IDS.join(', ')}) nor a saved template of this organization.`,
  )
}

function batchNumberOf(reference: string, id: number): number {
  const m = /^B-(\d{1,6})$/.exec(reference)
  return m ? Number(m[1]) : id
}

/**
 * Writes the AP/bank file of an approved batch. The content hash is recomputed from the stored
 * lines and must equal the approved one (the state machine refuses otherwise); the file is what
 * the pure writers render from those lines (payee snapshots as approved), split per currency and
 * row limit and zipped when several. Every download is recorded (payout_exports + audit: SHA-256,
 * format, who). The first download moves the batch to exported; later ones (another format for
 * lines a payment file skipped, a lost file) re-check the same hash and leave the state alone.
 */
export async function exportBatch(ctx: LedgerContext, role: Role | null, batchId: number, request: ExportRequest): Promise<ExportDownload> {
  const batch = await loadBatchForUpdate(ctx, batchId)
  const lines = await loadLines(ctx, batchId)
  const actor = actorOf(ctx, role)
  const at = ctx.now.toISOString()
  const contentHash = contentHashOf(batchId, lines)
  const redownload = batch.status === 'exported'
  if (redownload && request.redownload !== true) refuseTransition('already_exported')
  // A re-download is checked as the export it repeats: same role, same approved content.
  const asApproved = redownload ? { ...batch, record: { ...batch.record, state: 'approved' as const } } : batch
  const probe = [{ name: 'pending', sha256: '' }]
  apply(asApproved, { type: 'export', at, contentHash, format: request.format, files: probe }, actor, ctx)
  assertLinesConsistent(lines)

  const { formatId, label, options } = resolveFormat(ctx, request.format)
  const tomorrow = addDays(localDate(ctx.now, ctx.settings.timeZone), 1)
  const merged: Record<string, unknown> = {
    effectiveEntryDate: tomorrow,
    requestedExecutionDate: tomorrow,
    ...options,
    timeZone: ctx.settings.timeZone,
    ...(request.allowPartial === undefined ? {} : { allowPartial: request.allowPartial }),
    ...(request.effectiveEntryDate ? { effectiveEntryDate: request.effectiveEntryDate } : {}),
    ...(request.requestedExecutionDate ? { requestedExecutionDate: request.requestedExecutionDate } : {}),
  }
  const exportInput = toExportBatch({
    batchId: String(batchId),
    batchNumber: batchNumberOf(batch.reference, batchId),
    reference: batch.reference,
    approvedAt: batch.approvedAt ?? ctx.now,
    lines: lines.map((l) => {
      const { contactEmail, ...payee } = l.payee
      return {
        lineNo: l.lineNo,
        partnerName: l.partnerName,
        email: contactEmail ?? null,
        payee: payee as Payee,
        currency: l.currency,
        amountMinor: l.amountMinor,
      }
    }),
  })
  if ('code' in exportInput) {
    throw new BatchRefusal('export_failed', `${exportInput.code}: ${exportInput.detail}`, {
      code: exportInput.code,
      detail: exportInput.detail,
    })
  }
  const rendered = renderExport(formatId, exportInput, merged as never)
  if (!rendered.ok) {
    const hint =
      rendered.code === 'missing_option' || rendered.code === 'invalid_option'
        ? ` Set it in the organization's settings under exports.presets.${formatId}.${rendered.detail} (or pass it as a query parameter where listed).`
        : rendered.code === 'lines_not_payable_by_format'
          ? ' Those lines use another payout method or currency: export them in another format, or pass allowPartial=true.'
          : ''
    throw new BatchRefusal('export_failed', `The ${label} file cannot be written: ${rendered.code} (${rendered.detail}).${hint}`, {
      code: rendered.code,
      detail: rendered.detail,
    })
  }
  const files: readonly ExportFile[] = rendered.files
  const single = files.length === 1 ? files[0]! : null
  const download = single
    ? { name: single.name, content: single.content, sha256: single.sha256, mimeType: single.mimeType }
    : bundleFiles(`${batch.reference}_${formatId}.zip`, files)
  const fileRefs = files.map((f) => ({
    name: f.name,
    sha256: f.sha256,
    rows: f.rows,
    currency: f.currency,
    totalMinor: f.totalMinor.toString(),
  }))
  const { next } = apply(asApproved, { type: 'export', at, contentHash, format: label, files: fileRefs }, actor, ctx)

  const totals = totalsOf(files)
  await ctx.db.execute(sql`
    insert into payout_exports (batch_id, format, file_name, sha256, totals, files, created_by_id, organization_id, created_at, updated_at)
    values (${batchId}, ${label}, ${download.name}, ${download.sha256}, ${jsonOf(totals)}::jsonb, ${jsonOf(fileRefs)}::jsonb,
            ${ctx.userId}, ${ctx.organizationId}, now(), now())`)
  if (!redownload) {
    await ctx.db.execute(sql`update batches set status = ${next.state}, exported_at = ${at}, updated_at = now() where id = ${batchId}`)
  }
  const skipped = rendered.skipped.map((s) => ({ ...s, amountMinor: s.amountMinor.toString() }))
  await writeAudit(ctx.req, {
    action: 'batch.export',
    entityType: 'batch',
    entityId: batchId,
    changes: {
      from: batch.status,
      to: redownload ? batch.status : next.state,
      format: label,
      fileName: download.name,
      sha256: download.sha256,
      files: fileRefs,
      totals,
      skipped,
      downloadedBy: ctx.userId,
      contentHash,
      redownload,
    },
  })
  return {
    fileName: download.name,
    content: download.content,
    mimeType: download.mimeType,
    sha256: download.sha256,
    format: label,
    files: fileRefs,
    skipped,
    status: redownload ? batch.status : next.state,
  }
}

function totalsOf(files: readonly ExportFile[]) {
  const by = new Map<string, bigint>()
  for (const f of files) by.set(f.currency, (by.get(f.currency) ?? 0n) + f.totalMinor)
  return [...by.entries()].map(([currency, totalMinor]) => ({ currency, totalMinor: totalMinor.toString() }))
}
