import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import type { Role } from '../access/roles'
import type { FieldMapping, ImportKind } from '../ledger'
import { transactionDb } from '../db/session'
import { inTenantTransaction } from '../db/transaction'
import { fetchSheetCsv, readCapped } from '../services/fetch-sheet'
import { claimImportSlot, ImportRunningError, runningMessage, type RunningImport } from '../services/import-slot'
import { IMPORTERS, kickImportWorker, queueImport, sendImportEmail, syncMaxBytes } from '../services/imports/background'
import { isUniqueViolation } from '../services/imports/records'
import { ImportRefusal, type ImportRefusalCode } from '../services/imports/refusal'
import { checkBeforeQueue, type ImportResult } from '../services/imports/run-import'
import { memorySource, removeTempFile, toTempFile, type ImportSource } from '../services/imports/source'
import { authorize } from './guard'
import { requireStepUp } from '../security/step-up'
import { errorResponse } from './http'
import { readMultipartStream } from './multipart-stream'

/** Upload size limit in bytes (the file itself); IMPORT_MAX_BYTES overrides. */
export const DEFAULT_IMPORT_MAX_BYTES = 50 * 1024 * 1024
/** Room for the multipart envelope and the small form fields around the file. */
const ENVELOPE_BYTES = 1024 * 1024
/** Errors returned in the response; the import record keeps more (GET /api/imports/:id). */
const ERRORS_IN_RESPONSE = 100

const REFUSAL_STATUS: Record<ImportRefusalCode, number> = {
  already_imported: 409,
  mapping_incomplete: 400,
  mapping_invalid: 400,
  invalid_file: 422,
  invalid_settings: 422,
}

export function maxBytes(): number {
  const v = Number(process.env.IMPORT_MAX_BYTES)
  return Number.isSafeInteger(v) && v > 0 ? v : DEFAULT_IMPORT_MAX_BYTES
}

const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', ''])])
  .optional()
  .transform((v) => v === true || v === 'true' || v === '1')
const mappingSchema = z.record(z.string().min(1), z.string().min(1))

const JsonBody = z
  .object({
    kind: z.string(),
    fileName: z.string().min(1).max(255).optional(),
    /** The CSV text itself (for scripts; browsers send multipart). */
    content: z.string().optional(),
    sheetUrl: z.string().min(1).max(2048).optional(),
    mapping: mappingSchema.optional(),
    dryRun: flag,
    override: flag,
  })
  .refine((v) => (v.content === undefined) !== (v.sheetUrl === undefined), { message: 'send either content (with fileName) or sheetUrl' })
  .refine((v) => v.content === undefined || v.fileName !== undefined, { message: 'fileName: required with content', path: ['fileName'] })

export interface ParsedUpload {
  kind: string
  fileName: string
  /** The uploaded bytes (a temp file for multipart; the caller removes it unless a job takes it). null with sheetUrl. */
  source: ImportSource | null
  /** A Google Sheets link to fetch instead of an uploaded file (then fileName is empty and source null). */
  sheetUrl: string | null
  mapping: FieldMapping | null
  dryRun: boolean
  override: boolean
}

/**
 * POST /api/imports: an uploaded CSV becomes an import (this replaces Payload's JSON create for
 * the collection, so an import record never exists without its file).
 *
 * multipart/form-data: `kind` (partners, conversions or refunds), `file` (.csv), optional `mapping` (JSON: our field
 * -> the file's header; without it the headers are matched by name and a missing required field
 * is refused, listing it), `dryRun`, `override` ('true' / 'false'). Instead of `file`, `sheetUrl`:
 * a Google Sheets share link, fetched server-side (src/services/fetch-sheet.ts) and imported like
 * an uploaded file. application/json is accepted too with `content` holding the CSV text and
 * `fileName`, or `sheetUrl`. The file streams to a temp file as it arrives (never whole in memory).
 *
 * Up to IMPORT_SYNC_MAX_BYTES (5 MB): imported in the request. 201 completed / 200 dry run:
 * `{ importId, status, counts, duplicates, errors (first 100), errorsTotal, doc }`.
 * Larger: checked (header, mapping, same file already imported), queued as a background job
 * (src/services/imports/background.ts) and answered 202 `{ importId, status: 'queued', progress,
 * statusUrl }`; GET /api/imports/:id follows it.
 * 400 bad form or mapping, 401, 403 (roles: the `imports` create cell of src/access/roles.ts), 409
 * same file already imported (names it) or another import of the same kind still queued or running
 * in the organization (`import_running`, src/services/import-slot.ts), 413 too large, 415 not CSV, 422 unreadable file or
 * settings; a refused sheet link 400, an unreachable or unshared sheet 403/404/502, too slow 504.
 */
export const importUploadEndpoint: Endpoint = {
  path: '/',
  method: 'post',
  handler: async (req) => {
    const auth = await authorize(req, { collection: 'imports', action: 'create' }, 'Only admins and ops import files.')
    if (!auth.ok) return auth.response
    const limit = maxBytes()
    const upload = await readUpload(req, limit)
    if (upload instanceof Response) return upload
    let handedOver: string | null = null
    try {
      // A partners file can set where partners are paid: the same recent password entry as editing
      // payout details by hand (src/security/step-up.ts). A dry run changes nothing.
      if (upload.kind === 'partners' && !upload.dryRun) {
        const stepUp = await requireStepUp(req, 'Importing partners (a file can change where they are paid)')
        if (stepUp) return stepUp
      }
      const resolved = await resolveUpload(upload, limit)
      if (resolved instanceof Response) return resolved
      const { kind } = resolved
      const input = {
        fileName: resolved.fileName,
        source: resolved.source,
        mapping: upload.mapping,
        dryRun: upload.dryRun,
        override: upload.override,
      }

      if (resolved.source.bytes > syncMaxBytes()) {
        await checkBeforeQueue(req, kind, input)
        const source = await toTempFile(resolved.source)
        const tenant = { organizationId: auth.tenant.organizationId, userId: auth.tenant.userId, role: auth.tenant.role as Role }
        let queued: Awaited<ReturnType<typeof queueImport>>
        try {
          // The slot check and the queued record commit together (src/services/import-slot.ts).
          queued = await inTenantTransaction(req, async () => {
            await claimImportSlot(await transactionDb(req), tenant.organizationId, kind, null)
            return queueImport(req, tenant, kind, { ...input, source })
          })
        } catch (err) {
          // A fetched sheet's own temp file (an upload's goes in `finally`).
          if (source.path !== upload.source?.path) await removeTempFile(source.path)
          throw err
        }
        // The job owns the temp file now.
        handedOver = source.path
        kickImportWorker(req.payload)
        return Response.json(
          {
            importId: queued.importId,
            kind,
            status: 'queued',
            progress: { rowsRead: 0, bytesRead: 0, bytesTotal: source.bytes, percent: 0 },
            fileSha256: source.sha256,
            statusUrl: `/api/imports/${queued.importId}`,
            doc: {
              id: queued.importId,
              kind,
              status: 'queued',
              fileName: input.fileName,
              fileSha256: source.sha256,
              createdAt: queued.createdAt,
            },
          },
          { status: 202 },
        )
      }

      const result = await IMPORTERS[kind](req, input)
      if (result.status === 'completed') {
        await sendImportEmail(
          req.payload,
          {
            importId: result.importId,
            organizationId: result.organizationId,
            userId: auth.tenant.userId,
            fileName: result.fileName,
            kind,
          },
          { status: result.status, counts: result.counts, errorsTotal: result.errorsTotal },
        )
      }
      return Response.json(body(result), { status: result.status === 'completed' ? 201 : 200 })
    } catch (err) {
      if (err instanceof ImportRefusal) return errorResponse(REFUSAL_STATUS[err.code], err.code, err.message, err.details)
      if (err instanceof ImportRunningError) return importRunning(err.kind, err.running)
      // The database's own rule (imports_one_running_per_kind) when the slot was taken another way.
      if (isUniqueViolation(err, 'imports_one_running_per_kind')) return importRunning(upload.kind as ImportKind, null)
      throw err
    } finally {
      if (upload.source?.path && upload.source.path !== handedOver) await removeTempFile(upload.source.path)
    }
  },
}

function importRunning(kind: ImportKind, running: RunningImport | null): Response {
  const r = running ?? { importId: null, status: 'running' as const, fileName: null, createdAt: null }
  return errorResponse(409, 'import_running', runningMessage(kind, r), { kind, ...r })
}

function body(r: ImportResult) {
  return {
    importId: r.importId,
    kind: r.kind,
    status: r.status,
    counts: r.counts,
    ...r.details,
    errors: r.errors.slice(0, ERRORS_IN_RESPONSE),
    errorsTotal: r.errorsTotal,
    mapping: r.mapping,
    fileSha256: r.fileSha256,
    overrides: r.overrides,
    durationMs: r.durationMs,
    doc: {
      id: r.importId,
      kind: r.kind,
      status: r.status,
      fileName: r.fileName,
      fileSha256: r.fileSha256,
      organization: r.organizationId,
      createdAt: r.createdAt,
    },
  }
}

const IMPORT_KINDS: readonly string[] = ['partners', 'conversions', 'refunds'] satisfies readonly ImportKind[]

/**
 * What importing and inspecting both check before reading a row: a known kind, a .csv name, and
 * the bytes within the limit, from the upload or from the Google Sheet the link names (fetched).
 * Refusals become the response; nothing is stored.
 */
export async function resolveUpload(
  upload: ParsedUpload,
  limit: number,
): Promise<{ kind: ImportKind; fileName: string; source: ImportSource } | Response> {
  if (!IMPORT_KINDS.includes(upload.kind))
    return errorResponse(400, 'invalid_request', 'kind: must be one of partners, conversions, refunds.')
  const kind = upload.kind as ImportKind
  if (upload.sheetUrl === null && !/\.csv$/i.test(upload.fileName)) {
    return errorResponse(
      415,
      'unsupported_file_type',
      `"${upload.fileName}" is not a .csv file. Save the sheet as CSV (comma, semicolon or tab separated) and upload that.`,
    )
  }
  let resolved: { fileName: string; source: ImportSource }
  if (upload.sheetUrl === null) {
    resolved = { fileName: upload.fileName, source: upload.source ?? memorySource(new Uint8Array()) }
  } else {
    const sheet = await fetchSheetCsv(upload.sheetUrl, { maxBytes: limit })
    if (!sheet.ok) return errorResponse(sheet.status, sheet.code, sheet.message, sheet.details)
    resolved = { fileName: sheet.fileName, source: memorySource(sheet.bytes) }
  }
  if (resolved.source.bytes > limit) return tooLarge(limit)
  return { kind, ...resolved }
}

export function tooLarge(limit: number): Response {
  return errorResponse(
    413,
    'file_too_large',
    `The file is larger than ${Math.floor(limit / (1024 * 1024))} MB (${limit} bytes); split it into smaller files.`,
    { maxBytes: limit },
  )
}

/**
 * The multipart (or JSON) import form, shared with POST /api/imports/inspect. A multipart file
 * streams to a temp file (readMultipartStream); whoever gets a ParsedUpload removes it.
 */
export async function readUpload(req: PayloadRequest, limit: number): Promise<ParsedUpload | Response> {
  const declared = Number(req.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > limit + ENVELOPE_BYTES) return tooLarge(limit)
  const contentType = req.headers.get('content-type') ?? ''
  const isMultipart = /^multipart\/form-data/i.test(contentType)
  const isJson = /^application\/json/i.test(contentType)
  if (!isMultipart && !isJson) {
    return errorResponse(
      415,
      'unsupported_media_type',
      'Send the file as multipart/form-data (fields kind, file, mapping, dryRun, override).',
    )
  }

  if (isJson) {
    // The CSV is inside the JSON text, so it is small by nature (scripts); read whole, capped.
    const raw = await readCapped(req.body as ReadableStream<Uint8Array> | null | undefined, limit + ENVELOPE_BYTES)
    if (raw === null) return tooLarge(limit)
    let value: unknown
    try {
      value = JSON.parse(new TextDecoder().decode(raw))
    } catch {
      return errorResponse(400, 'invalid_json', 'The request body is not valid JSON.')
    }
    const parsed = JsonBody.safeParse(value)
    if (!parsed.success) return invalid(parsed.error)
    const v = parsed.data
    return {
      kind: v.kind,
      fileName: v.fileName ?? '',
      source: v.content === undefined ? null : memorySource(new TextEncoder().encode(v.content)),
      sheetUrl: v.sheetUrl ?? null,
      mapping: v.mapping ?? null,
      dryRun: v.dryRun,
      override: v.override,
    }
  }

  const form = await readMultipartStream(req.body as ReadableStream<Uint8Array> | null | undefined, contentType, limit)
  if (!form.ok) return form.reason === 'too_large' ? tooLarge(limit) : errorResponse(400, 'invalid_request', form.message)
  const parsed = parseFormFields(form.fields, form.file !== null)
  if (parsed instanceof Response) {
    await removeTempFile(form.file?.source.path)
    return parsed
  }
  const uploaded = parsed.sheetUrl === null ? form.file : null
  if (parsed.sheetUrl !== null) await removeTempFile(form.file?.source.path)
  return {
    ...parsed,
    fileName: uploaded ? (uploaded.name || 'upload.csv').slice(0, 255) : '',
    source: uploaded ? uploaded.source : null,
  }
}

function parseFormFields(fields: Record<string, string>, hasFile: boolean): Omit<ParsedUpload, 'fileName' | 'source'> | Response {
  const kind = fields.kind
  if (typeof kind !== 'string' || kind === '')
    return errorResponse(400, 'invalid_request', 'kind: required (partners, conversions or refunds).')
  const sheetField = fields.sheetUrl
  const sheetUrl = typeof sheetField === 'string' && sheetField.trim() !== '' ? sheetField.trim() : null
  if (sheetUrl !== null && hasFile) return errorResponse(400, 'invalid_request', 'Send either a file or a sheetUrl, not both.')
  if (sheetUrl === null && !hasFile)
    return errorResponse(
      400,
      'file_required',
      'file: attach the CSV file as the form field "file" (or send a Google Sheets link as "sheetUrl").',
    )
  let mapping: FieldMapping | null = null
  const mappingField = fields.mapping
  if (typeof mappingField === 'string' && mappingField.trim() !== '') {
    let value: unknown
    try {
      value = JSON.parse(mappingField)
    } catch {
      return errorResponse(400, 'invalid_request', 'mapping: not valid JSON (expected {"code": "Coupon", "order_id": "Order", ...}).')
    }
    const m = mappingSchema.safeParse(value)
    if (!m.success)
      return errorResponse(
        400,
        'invalid_request',
        'mapping: expected an object from field names to column headers, e.g. {"code": "Coupon"}.',
      )
    mapping = m.data
  }
  const flags = z.object({ dryRun: flag, override: flag }).safeParse({ dryRun: fields.dryRun, override: fields.override })
  if (!flags.success) return invalid(flags.error)
  return { kind, sheetUrl, mapping, dryRun: flags.data.dryRun, override: flags.data.override }
}

function invalid(error: z.ZodError): Response {
  const issues = error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
  const first = issues[0]
  return errorResponse(400, 'invalid_request', first ? `${first.field || 'body'}: ${first.message}` : 'Invalid request.', issues)
}
