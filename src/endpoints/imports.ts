import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import type { FieldMapping } from '../ledger'
import { fetchSheetCsv } from '../services/fetch-sheet'
import { importConversions } from '../services/imports/conversions'
import { importPartners } from '../services/imports/partners'
import { importRefunds } from '../services/imports/refunds'
import { ImportRefusal, type ImportRefusalCode } from '../services/imports/refusal'
import type { ImportInput, ImportResult } from '../services/imports/run-import'
import { authorize } from './guard'
import { errorResponse } from './http'

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
  bytes: Uint8Array
  /** A Google Sheets link to fetch instead of an uploaded file (then fileName and bytes are empty). */
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
 * `fileName`, or `sheetUrl`.
 *
 * 201 completed / 200 dry run: `{ importId, status, counts, duplicates, errors (first 100),
 * errorsTotal, doc }`. 400 bad form or mapping, 401, 403 (roles: the `imports` create cell of
 * src/access/roles.ts), 409 same file already imported (names it), 413 too large, 415 not CSV,
 * 422 unreadable file or settings; a refused sheet link 400, an unreachable or unshared sheet
 * 403/404/502, too slow 504.
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

    const importer = Object.hasOwn(IMPORTERS, upload.kind) ? IMPORTERS[upload.kind] : undefined
    if (!importer) return errorResponse(400, 'invalid_request', 'kind: must be one of partners, conversions, refunds.')
    const source = await resolveSheet(upload, limit)
    if (source instanceof Response) return source
    if (upload.sheetUrl === null && !/\.csv$/i.test(upload.fileName)) {
      return errorResponse(
        415,
        'unsupported_file_type',
        `"${upload.fileName}" is not a .csv file. Save the sheet as CSV (comma, semicolon or tab separated) and upload that.`,
      )
    }
    if (source.bytes.byteLength > limit) return tooLarge(limit)

    try {
      const result = await importer(req, {
        fileName: source.fileName,
        bytes: source.bytes,
        mapping: upload.mapping,
        dryRun: upload.dryRun,
        override: upload.override,
      })
      return Response.json(body(result), { status: result.status === 'completed' ? 201 : 200 })
    } catch (err) {
      if (err instanceof ImportRefusal) return errorResponse(REFUSAL_STATUS[err.code], err.code, err.message, err.details)
      throw err
    }
  },
}

const IMPORTERS: Record<string, (req: PayloadRequest, input: ImportInput) => Promise<ImportResult>> = {
  conversions: importConversions,
  partners: importPartners,
  refunds: importRefunds,
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

/** The uploaded bytes, or the Google Sheet the link names, fetched (refusals become the response; nothing is stored). */
export async function resolveSheet(upload: ParsedUpload, limit: number): Promise<{ fileName: string; bytes: Uint8Array } | Response> {
  if (upload.sheetUrl === null) return { fileName: upload.fileName, bytes: upload.bytes }
  const sheet = await fetchSheetCsv(upload.sheetUrl, { maxBytes: limit })
  if (!sheet.ok) return errorResponse(sheet.status, sheet.code, sheet.message, sheet.details)
  return { fileName: sheet.fileName, bytes: sheet.bytes }
}

export function tooLarge(limit: number): Response {
  return errorResponse(
    413,
    'file_too_large',
    `The file is larger than ${Math.floor(limit / (1024 * 1024))} MB (${limit} bytes); split it into smaller files.`,
    { maxBytes: limit },
  )
}

/** The multipart (or JSON) import form, shared with POST /api/imports/inspect. */
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
  const raw = await readCapped(req, limit + ENVELOPE_BYTES)
  if (raw === null) return tooLarge(limit)

  if (isJson) {
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
      bytes: new TextEncoder().encode(v.content ?? ''),
      sheetUrl: v.sheetUrl ?? null,
      mapping: v.mapping ?? null,
      dryRun: v.dryRun,
      override: v.override,
    }
  }

  let form: FormData
  try {
    form = await new Response(raw as BodyInit, { headers: { 'content-type': contentType } }).formData()
  } catch {
    return errorResponse(400, 'invalid_request', 'The multipart form could not be read.')
  }
  const kind = form.get('kind')
  if (typeof kind !== 'string' || kind === '')
    return errorResponse(400, 'invalid_request', 'kind: required (partners, conversions or refunds).')
  const file = form.get('file')
  const sheetField = form.get('sheetUrl')
  const sheetUrl = typeof sheetField === 'string' && sheetField.trim() !== '' ? sheetField.trim() : null
  if (sheetUrl !== null && file !== null && typeof file !== 'string')
    return errorResponse(400, 'invalid_request', 'Send either a file or a sheetUrl, not both.')
  if (sheetUrl === null && (file === null || typeof file === 'string'))
    return errorResponse(
      400,
      'file_required',
      'file: attach the CSV file as the form field "file" (or send a Google Sheets link as "sheetUrl").',
    )
  let mapping: FieldMapping | null = null
  const mappingField = form.get('mapping')
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
  const flags = z
    .object({ dryRun: flag, override: flag })
    .safeParse({ dryRun: form.get('dryRun') ?? undefined, override: form.get('override') ?? undefined })
  if (!flags.success) return invalid(flags.error)
  const uploaded = sheetUrl === null ? (file as File) : null
  return {
    kind,
    fileName: uploaded ? (uploaded.name || 'upload.csv').slice(0, 255) : '',
    bytes: uploaded ? new Uint8Array(await uploaded.arrayBuffer()) : new Uint8Array(),
    sheetUrl,
    mapping,
    dryRun: flags.data.dryRun,
    override: flags.data.override,
  }
}

function invalid(error: z.ZodError): Response {
  const issues = error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
  const first = issues[0]
  return errorResponse(400, 'invalid_request', first ? `${first.field || 'body'}: ${first.message}` : 'Invalid request.', issues)
}

/** The body, or null once it passes `cap` bytes (reading stops there). */
async function readCapped(req: PayloadRequest, cap: number): Promise<Uint8Array | null> {
  const stream = req.body as ReadableStream<Uint8Array> | null | undefined
  if (!stream) return new Uint8Array()
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > cap) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
