import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../../access/tenant'
import { transactionDb, type SqlExecutor } from '../../db/session'
import { inTenantTransaction } from '../../db/transaction'
import {
  detectPreset,
  fieldsOf,
  fromCsvRowError,
  ImportReport,
  isCsvFileError,
  parseCsvRows,
  suggestMapping,
  validateMapping,
  type FieldMapping,
  type ImportCounts,
  type ImportKind,
  type MappingError,
  type Preset,
  type ProgramSettings,
  type ReportError,
  type ReportSample,
} from '../../ledger'
import { writeAudit } from '../audit'
import { InvalidSettingsError, loadProgramSettings, type LedgerContext } from '../ledger/context'
import {
  alreadyImported,
  completeImportRecord,
  findEarlierImport,
  importLockKey,
  insertImportRecord,
  isUniqueViolation,
  recordFailedImport,
  type EarlierImport,
} from './records'
import { claimImportSlot } from '../import-slot'
import { ImportRefusal } from './refusal'
import type { ImportSource } from './source'

/**
 * One file of any kind, all or nothing. What is the same for partners, conversions and refunds
 * lives here; what a row means lives in the kind's handler (conversions.ts, partners.ts, refunds.ts).
 *
 * - One transaction (inTenantTransaction) under the organization's RLS settings: a failure at
 *   row 90,000 leaves no row, no import record and no audit event behind.
 * - The bytes stream through parseCsvRows; the handler parses each row with the kind's zod
 *   schema and writes in bulk. Every row read has exactly one outcome (ImportReport checks it):
 *     rowsIn = created + updated + duplicate + unattributed + rejected
 * - A dry run does everything (the writes included, so the counts are the database's own answer)
 *   inside a savepoint that is rolled back; the import record (status `dry_run`) and its audit
 *   event are kept, so the preview can be looked at again.
 * - The same bytes (SHA-256) as an earlier *completed* import of the same kind are refused,
 *   naming it, unless `override` (recorded on the import and in its audit event). A partial
 *   unique index on imports backs this up against two uploads racing each other.
 */

/** Row errors kept on the import record; the rest are counted. */
export const MAX_KEPT_ERRORS = 1_000

export interface ImportInput {
  readonly fileName: string
  /** The bytes, streamed (a temp file for uploads): never held whole in memory. */
  readonly source: ImportSource
  /** Our field key -> the file's header. null: suggested from the headers. */
  readonly mapping: FieldMapping | null
  readonly dryRun: boolean
  readonly override: boolean
  /** Background imports: the queued import record this run completes (instead of inserting one). */
  readonly importId?: number
  /** Background imports: called every PROGRESS_EVERY_ROWS rows; must not use the import's transaction. */
  readonly onProgress?: (progress: ImportProgress) => Promise<void>
}

export interface ImportProgress {
  readonly rowsRead: number
  readonly bytesRead: number
}

/** How often a background import reports progress. */
export const PROGRESS_EVERY_ROWS = 5_000

export interface ImportResult {
  readonly importId: number
  readonly kind: ImportKind
  readonly status: 'completed' | 'dry_run'
  readonly organizationId: number
  readonly createdAt: string
  readonly fileName: string
  readonly fileSha256: string
  readonly counts: ImportCounts
  /** Kind-specific figures: duplicates in file / already stored, what the ledger did. */
  readonly details: Readonly<Record<string, unknown>>
  /** The first MAX_KEPT_ERRORS row errors, in row order. */
  readonly errors: readonly ReportError[]
  readonly errorsTotal: number
  readonly mapping: FieldMapping
  readonly overrides: EarlierImport | null
  readonly durationMs: number
}

/** What a kind's handler gets to work with, once the header is known. */
export interface HandlerEnv {
  readonly req: PayloadRequest
  readonly db: SqlExecutor
  readonly ledger: LedgerContext
  readonly report: ImportReport
  readonly mapping: FieldMapping
  readonly preset: Preset | null
  readonly settings: ProgramSettings
}

export interface KindHandler {
  /** One data row; its outcome may be reported later (after a bulk write), but before finish() returns. */
  row(values: Readonly<Record<string, string>>, rowNumber: number): Promise<void>
  /** Writes what is buffered and reports the last outcomes. */
  finish(): Promise<void>
  /** Figures for the report and the audit event (JSON-safe). */
  details(): Record<string, unknown>
}

export type HandlerFactory = (env: HandlerEnv) => KindHandler

const COMPLETED_FILE_KEY = 'imports_completed_file_key'

export async function runImport(req: PayloadRequest, kind: ImportKind, input: ImportInput, handler: HandlerFactory): Promise<ImportResult> {
  const started = new Date()
  const sha = input.source.sha256
  const tenant = await resolveTenant(req)
  const organizationId = tenant.organizationId
  if (organizationId == null) throw new Error('runImport: no active organization')
  try {
    return await inTenantTransaction(req, () => run(req, kind, input, handler, { organizationId, userId: tenant.userId, sha, started }))
  } catch (err) {
    if (isUniqueViolation(err, COMPLETED_FILE_KEY)) {
      // Lost a race with an identical upload that committed first: same answer as if it had been first.
      const earlier = await inTenantTransaction(req, async () => findEarlierImport(await transactionDb(req), kind, sha))
      if (earlier) throw alreadyImported(earlier)
    }
    if (isCsvFileError(err)) {
      // A background import's record exists already: the job marks it failed.
      if (input.importId == null)
        await recordFailedImport(
          req,
          { kind, fileName: input.fileName, mapping: input.mapping, sha, started },
          { code: err.code, message: err.message, rowNumber: err.details.rowNumber ?? null },
        )
      throw new ImportRefusal('invalid_file', err.message, { reason: err.code, ...err.details })
    }
    throw err
  }
}

interface RunContext {
  readonly organizationId: number
  readonly userId: number | null
  readonly sha: string
  readonly started: Date
}

async function run(
  req: PayloadRequest,
  kind: ImportKind,
  input: ImportInput,
  factory: HandlerFactory,
  ctx: RunContext,
): Promise<ImportResult> {
  const db = await transactionDb(req)
  // Serialises uploads of the same bytes in this organization, so the second one sees the first
  // one's committed record below instead of racing it.
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${importLockKey(ctx.organizationId, kind, ctx.sha)}, 0))`)
  const earlier = await findEarlierImport(db, kind, ctx.sha)
  if (earlier && !input.override) throw alreadyImported(earlier)
  // One import per organization and kind at a time; after the bytes' lock, so a file sent twice
  // at once is still answered "already imported" (src/services/import-slot.ts).
  await claimImportSlot(db, ctx.organizationId, kind, input.importId ?? null)

  let settings: ProgramSettings
  try {
    settings = await loadProgramSettings(db, ctx.organizationId)
  } catch (err) {
    if (err instanceof InvalidSettingsError) throw new ImportRefusal('invalid_settings', err.message, { issues: err.issues })
    throw err
  }
  const ledger: LedgerContext = { req, db, organizationId: ctx.organizationId, userId: ctx.userId, settings, now: ctx.started }
  const report = new ImportReport({ maxErrors: MAX_KEPT_ERRORS, samplesPerCategory: 10 })
  let mapping: FieldMapping | null = null
  let preset: Preset | null = null
  let handler: KindHandler | null = null
  let fileInfo: Record<string, unknown> = {}

  let bytesRead = 0
  let rowsRead = 0
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of input.source.open()) {
      bytesRead += chunk.byteLength
      yield chunk
    }
  }

  await db.execute(sql`savepoint import_rows`)
  for await (const ev of parseCsvRows(counted())) {
    if (ev.type === 'header') {
      const resolved = resolveMapping(kind, ev.headers, input.mapping)
      mapping = resolved.mapping
      preset = resolved.preset
      // A known export's number format wins over the organization's setting.
      const decimalComma = preset?.decimalComma ?? settings.decimalComma
      handler = factory({ req, db, ledger, report, mapping, preset, settings: { ...settings, decimalComma } })
      fileInfo = { delimiter: ev.delimiter, headerRow: ev.rowNumber, headers: ev.headers }
      continue
    }
    if (ev.type === 'end') {
      fileInfo = { ...fileInfo, blankRows: ev.blankRows, lastRowNumber: ev.lastRowNumber, encoding: ev.encoding }
      continue
    }
    report.rowRead(ev.rowNumber)
    if (input.onProgress && ++rowsRead % PROGRESS_EVERY_ROWS === 0) await input.onProgress({ rowsRead, bytesRead })
    if (ev.type === 'row_error') {
      report.reject(ev.rowNumber, [fromCsvRowError(ev)])
      continue
    }
    if (!handler) throw new Error('import: a row arrived before the header')
    await handler.row(ev.values, ev.rowNumber)
  }
  await handler?.finish()

  const invariant = report.checkInvariant()
  if (!invariant.ok) throw new Error(`import report does not balance: ${invariant.message}`)
  if (input.dryRun) await db.execute(sql`rollback to savepoint import_rows`)
  await db.execute(sql`release savepoint import_rows`)

  const counts = report.counts
  const details = handler?.details() ?? {}
  const errors = [...report.errors].sort((a, b) => a.row - b.row)
  const errorsTotal = report.errors.length + report.errorsNotKept
  const finished = new Date()
  const overrides = earlier && input.override ? earlier : null
  const status = input.dryRun ? ('dry_run' as const) : ('completed' as const)
  const stored = {
    counts,
    ...details,
    errors,
    errorsTotal,
    samples: report.samples as Readonly<Record<string, readonly ReportSample[]>>,
    preset: preset?.id ?? null,
    file: fileInfo,
    overrides,
    durationMs: finished.getTime() - ctx.started.getTime(),
  }
  const record = {
    organizationId: ctx.organizationId,
    kind,
    status,
    fileName: input.fileName,
    sha: ctx.sha,
    override: overrides != null,
    rowsIn: counts.rowsIn,
    counts: { ...counts, errorsTotal },
    report: stored,
    mapping,
    userId: ctx.userId,
    started: ctx.started,
    finished,
    bytes: input.source.bytes,
  }
  const row = input.importId == null ? await insertImportRecord(db, record) : await completeImportRecord(db, input.importId, record)
  await writeAudit(req, {
    action: input.dryRun ? 'import.dry_run' : 'import.created',
    entityType: 'import',
    entityId: row.id,
    changes: {
      kind,
      fileName: input.fileName,
      sha256: ctx.sha,
      counts,
      ...details,
      errorsTotal,
      ...(overrides ? { override: true, overrides } : {}),
    },
  })
  return {
    importId: row.id,
    kind,
    status,
    organizationId: ctx.organizationId,
    createdAt: row.createdAt,
    fileName: input.fileName,
    fileSha256: ctx.sha,
    counts,
    details,
    errors,
    errorsTotal,
    mapping: mapping ?? {},
    overrides,
    durationMs: stored.durationMs,
  }
}

/**
 * What a background import can be refused for before it is queued, so the person hears it at
 * once: the header is read (only the first rows of the file) and the mapping resolved, and the
 * same bytes already imported are refused. Throws ImportRefusal; stores nothing.
 */
export async function checkBeforeQueue(req: PayloadRequest, kind: ImportKind, input: ImportInput): Promise<void> {
  let headerSeen = false
  try {
    for await (const ev of parseCsvRows(input.source.open())) {
      if (ev.type !== 'header') continue
      resolveMapping(kind, ev.headers, input.mapping)
      headerSeen = true
      break
    }
  } catch (err) {
    if (isCsvFileError(err)) throw new ImportRefusal('invalid_file', err.message, { reason: err.code, ...err.details })
    throw err
  }
  if (!headerSeen) throw new ImportRefusal('invalid_file', 'The file has no header row.', { reason: 'no_header' })
  if (input.override) return
  const earlier = await inTenantTransaction(req, async () => findEarlierImport(await transactionDb(req), kind, input.source.sha256))
  if (earlier) throw alreadyImported(earlier)
}

function resolveMapping(kind: ImportKind, headers: readonly string[], given: FieldMapping | null) {
  const preset = detectPreset(headers, kind)
  if (given) {
    const v = validateMapping(given, headers, kind)
    if (!v.ok) {
      throw new ImportRefusal('mapping_invalid', v.errors.map((e: MappingError) => e.message).join(' '), { errors: v.errors, headers })
    }
    return { mapping: given, preset }
  }
  const s = suggestMapping(headers, kind)
  if (s.missingRequired.length > 0) {
    const labels = s.missingRequired.map((k) => fieldsOf(kind).find((d) => d.key === k)?.label ?? k)
    throw new ImportRefusal(
      'mapping_incomplete',
      `No column was recognised for ${labels.join(', ')}. Send a mapping that names the column for each (its columns are ${headers.map((h) => `"${h}"`).join(', ')}).`,
      { missing: s.missingRequired, suggested: s.mapping, headers },
    )
  }
  return { mapping: s.mapping, preset }
}
