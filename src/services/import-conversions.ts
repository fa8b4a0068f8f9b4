import { createHash } from 'node:crypto'
import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../access/tenant'
import { transactionDb, type SqlExecutor } from '../db/session'
import { inTenantTransaction } from '../db/transaction'
import {
  createConversionParser,
  dedupeKey,
  detectPreset,
  fieldsOf,
  fromCsvRowError,
  fromRowError,
  ImportReport,
  isContinuationRow,
  isCsvFileError,
  parseCsvRows,
  suggestMapping,
  validateMapping,
  type ConversionRecord,
  type FieldMapping,
  type ImportCounts,
  type MappingError,
  type ProgramSettings,
  type ReportError,
  type ReportSample,
} from '../ledger'
import { writeAudit } from './audit'
import { accrueConversions, type AccrualSummary } from './ledger/accruals'
import { InvalidSettingsError, loadProgramSettings, type LedgerContext } from './ledger/context'

/**
 * Conversions from an uploaded CSV, all or nothing.
 *
 * - One transaction (inTenantTransaction) under the organization's RLS settings: a failure at
 *   row 90,000 leaves no row, no import record and no audit event behind.
 * - The bytes stream through parseCsvRows + createConversionParser; codes arrive canonical.
 *   Partner codes of the organization are read once; rows are inserted 5,000 at a time with one
 *   `INSERT … SELECT FROM unnest(…) ON CONFLICT (organization_id, code, order_id) DO NOTHING
 *   RETURNING` each, so the database's duplicate key decides, also against a racing import.
 * - Every row read has exactly one outcome (ImportReport checks it):
 *     rowsIn = created + duplicate + unattributed + rejected   (`updated` is always 0 here)
 *   `created` means stored AND attributed to a partner; `unattributed` means stored with no
 *   partner (the queue). Rows stored = created + unattributed. `duplicate` covers both a repeat
 *   of an earlier row of the same file and a key already stored (report.duplicates splits them);
 *   Shopify line-item continuation rows count as duplicates of their order's first row.
 * - A dry run does all of the above (the inserts included, so the counts are the database's
 *   own answer) inside a savepoint that is rolled back; the import record (status `dry_run`)
 *   and its audit event are kept, so the preview can be looked at again.
 * - The same bytes (SHA-256) as an earlier *completed* import of the same kind are refused,
 *   naming it, unless `override` (recorded on the import and in its audit event). A partial
 *   unique index on imports backs this up against two uploads racing each other.
 */

export const CHUNK_ROWS = 5_000
/** Row errors kept on the import record; the rest are counted. */
export const MAX_KEPT_ERRORS = 1_000

export type ImportRefusalCode = 'already_imported' | 'mapping_incomplete' | 'mapping_invalid' | 'invalid_file' | 'invalid_settings'

/** A named reason the whole file is refused; nothing was stored. The endpoint maps the code to a status. */
export class ImportRefusal extends Error {
  constructor(
    readonly code: ImportRefusalCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ImportRefusal'
  }
}

export interface ConversionImportInput {
  readonly fileName: string
  readonly bytes: Uint8Array
  /** Our field key -> the file's header. null: suggested from the headers. */
  readonly mapping: FieldMapping | null
  readonly dryRun: boolean
  readonly override: boolean
}

export interface ConversionImportResult {
  readonly importId: number
  readonly status: 'completed' | 'dry_run'
  readonly organizationId: number
  readonly createdAt: string
  readonly fileName: string
  readonly fileSha256: string
  readonly counts: ImportCounts
  readonly duplicates: { readonly inFile: number; readonly existing: number }
  /** What the ledger did with the stored rows: accruals posted, conversions flagged (and held), refunds matched. */
  readonly ledger: Readonly<Record<keyof AccrualSummary, number>>
  /** The first MAX_KEPT_ERRORS row errors, in row order. */
  readonly errors: readonly ReportError[]
  readonly errorsTotal: number
  readonly mapping: FieldMapping
  readonly overrides: EarlierImport | null
  readonly durationMs: number
  /** Time the chunk inserts took (they overlap with parsing, so this is not a share of durationMs). */
  readonly insertMs: number
}

export interface EarlierImport {
  readonly importId: number
  readonly importedAt: string
  readonly fileName: string
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The bytes as a stream of slices (no copy), so the parser works chunk by chunk. */
function* slices(bytes: Uint8Array, size = 256 * 1024): Generator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, Math.min(at + size, bytes.byteLength))
}

interface PendingRow {
  readonly row: number
  readonly record: ConversionRecord
  readonly partnerId: number | null
  readonly valueMinor: number
}

const CONVERSIONS_FILE_KEY = 'imports_completed_file_key'

export async function importConversions(req: PayloadRequest, input: ConversionImportInput): Promise<ConversionImportResult> {
  const started = new Date()
  const sha = sha256Hex(input.bytes)
  const tenant = await resolveTenant(req)
  const organizationId = tenant.organizationId
  if (organizationId == null) throw new Error('importConversions: no active organization')
  try {
    return await inTenantTransaction(req, () => runImport(req, input, { organizationId, userId: tenant.userId, sha, started }))
  } catch (err) {
    if (isUniqueViolation(err, CONVERSIONS_FILE_KEY)) {
      // Lost a race with an identical upload that committed first: same answer as if it had been first.
      const earlier = await inTenantTransaction(req, async () => findEarlierImport(await transactionDb(req), sha))
      if (earlier) throw alreadyImported(earlier)
    }
    if (isCsvFileError(err)) {
      await recordFailedImport(req, input, sha, started, { code: err.code, message: err.message, rowNumber: err.details.rowNumber ?? null })
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

async function runImport(req: PayloadRequest, input: ConversionImportInput, ctx: RunContext): Promise<ConversionImportResult> {
  const db = await transactionDb(req)
  // Serialises uploads of the same bytes in this organization, so the second one sees the first
  // one's committed record below instead of racing it.
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`import:${ctx.organizationId}:conversions:${ctx.sha}`}, 0))`)
  const earlier = await findEarlierImport(db, ctx.sha)
  if (earlier && !input.override) throw alreadyImported(earlier)

  const settings = await loadSettings(db, ctx.organizationId)
  const partnerByCode = await loadPartnerCodes(db)
  const ledger: LedgerContext = { req, db, organizationId: ctx.organizationId, userId: ctx.userId, settings, now: ctx.started }
  const ledgerTotals: Record<keyof AccrualSummary, number> = { accrued: 0, flagged: 0, flags: 0, zeroWithError: 0, refundsMatched: 0 }

  const report = new ImportReport({ maxErrors: MAX_KEPT_ERRORS, samplesPerCategory: 10 })
  const seen = new Map<string, number>()
  const duplicates = { inFile: 0, existing: 0 }
  let pending: PendingRow[] = []
  let mapping: FieldMapping | null = null
  let preset: string | null = null
  let parse: ReturnType<typeof createConversionParser> | null = null
  let fileInfo: Record<string, unknown> = {}

  let insertMs = 0
  const classify = (batch: readonly PendingRow[], inserted: ReadonlyMap<string, number>) => {
    for (const p of batch) {
      const r = p.record
      if (inserted.has(JSON.stringify([r.code.canonical, r.orderId]))) {
        if (p.partnerId != null)
          report.outcome(p.row, 'created', { code: r.code.canonical, orderId: r.orderId, partner: String(p.partnerId) })
        else report.outcome(p.row, 'unattributed', { code: r.code.canonical, orderId: r.orderId })
      } else {
        duplicates.existing++
        report.outcome(p.row, 'duplicate', { code: r.code.canonical, orderId: r.orderId, of: 'a conversion already stored' })
      }
    }
  }
  // A chunk is inserted while the next one is parsed (Postgres and this process work at once).
  // At most one insert is in flight, so memory holds two chunks at most.
  let inFlight: Promise<void> | null = null
  const drain = async () => {
    const p = inFlight
    inFlight = null
    if (p) await p
  }
  const flush = async () => {
    await drain()
    if (pending.length === 0) return
    const batch = pending
    pending = []
    const t0 = performance.now()
    const p = insertChunk(db, ctx.organizationId, batch).then(async (inserted) => {
      // The same accrual path as a single edit in the admin: commission, flags, waiting refunds.
      const accrued = await accrueConversions(ledger, [...inserted.values()])
      for (const k of Object.keys(ledgerTotals) as (keyof AccrualSummary)[]) ledgerTotals[k] += accrued[k]
      insertMs += performance.now() - t0
      classify(batch, inserted)
    })
    // Awaited by the next flush or drain; this only keeps a parse error meanwhile from leaving it unhandled.
    p.catch(() => undefined)
    inFlight = p
  }

  await db.execute(sql`savepoint import_rows`)
  for await (const ev of parseCsvRows(slices(input.bytes))) {
    if (ev.type === 'header') {
      const resolved = resolveMapping(ev.headers, input.mapping)
      mapping = resolved.mapping
      preset = resolved.preset?.id ?? null
      // A known export's number format wins over the organization's setting.
      const decimalComma = resolved.preset?.decimalComma ?? settings.decimalComma
      parse = createConversionParser(mapping, { ...settings, decimalComma })
      fileInfo = { delimiter: ev.delimiter, headerRow: ev.rowNumber, headers: ev.headers }
      continue
    }
    if (ev.type === 'end') {
      fileInfo = { ...fileInfo, blankRows: ev.blankRows, lastRowNumber: ev.lastRowNumber, encoding: ev.encoding }
      continue
    }
    report.rowRead(ev.rowNumber)
    if (ev.type === 'row_error') {
      report.reject(ev.rowNumber, [fromCsvRowError(ev)])
      continue
    }
    if (!parse || !mapping) throw new Error('import: a row arrived before the header')
    if (isContinuationRow(preset as Parameters<typeof isContinuationRow>[0], ev.values, mapping)) {
      duplicates.inFile++
      report.outcome(ev.rowNumber, 'duplicate', { of: 'the first row of the same order (line item)' })
      continue
    }
    const parsed = parse(ev.values, ev.rowNumber)
    if (!parsed.ok) {
      report.reject(ev.rowNumber, parsed.errors.map(fromRowError))
      continue
    }
    const record = parsed.record
    if (record.valueMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
      const column = mapping.amount ?? 'amount'
      report.reject(ev.rowNumber, [
        {
          row: ev.rowNumber,
          column,
          value: String(ev.values[column] ?? ''),
          code: 'amount_out_of_range',
          message: `Row ${ev.rowNumber}, column "${column}": the amount is too large to store.`,
        },
      ])
      continue
    }
    const key = dedupeKey(String(ctx.organizationId), record.code.canonical, record.orderId)
    const first = seen.get(key)
    if (first !== undefined) {
      duplicates.inFile++
      report.outcome(ev.rowNumber, 'duplicate', { code: record.code.canonical, orderId: record.orderId, of: `row ${first}` })
      continue
    }
    seen.set(key, ev.rowNumber)
    pending.push({
      row: ev.rowNumber,
      record,
      partnerId: partnerByCode.get(record.code.canonical) ?? null,
      valueMinor: Number(record.valueMinor),
    })
    if (pending.length >= CHUNK_ROWS) await flush()
  }
  await flush()
  await drain()

  const invariant = report.checkInvariant()
  if (!invariant.ok) throw new Error(`import report does not balance: ${invariant.message}`)
  if (input.dryRun) await db.execute(sql`rollback to savepoint import_rows`)
  await db.execute(sql`release savepoint import_rows`)

  const counts = report.counts
  const errors = [...report.errors].sort((a, b) => a.row - b.row)
  const errorsTotal = report.errors.length + report.errorsNotKept
  const finished = new Date()
  const overrides = earlier && input.override ? earlier : null
  const status = input.dryRun ? ('dry_run' as const) : ('completed' as const)
  const stored = {
    counts,
    duplicates,
    errors,
    errorsTotal,
    samples: report.samples as Readonly<Record<string, readonly ReportSample[]>>,
    preset,
    file: fileInfo,
    overrides,
    ledger: ledgerTotals,
    durationMs: finished.getTime() - ctx.started.getTime(),
    insertMs: Math.round(insertMs),
  }
  const row = await insertImportRecord(db, {
    organizationId: ctx.organizationId,
    status,
    fileName: input.fileName,
    sha: ctx.sha,
    override: overrides != null,
    rowsIn: counts.rowsIn,
    counts: {
      ...counts,
      duplicateInFile: duplicates.inFile,
      duplicateExisting: duplicates.existing,
      errorsTotal,
      flagged: ledgerTotals.flagged,
      accrued: ledgerTotals.accrued,
    },
    report: stored,
    mapping,
    userId: ctx.userId,
    started: ctx.started,
    finished,
  })
  await writeAudit(req, {
    action: input.dryRun ? 'import.dry_run' : 'import.created',
    entityType: 'import',
    entityId: row.id,
    changes: {
      kind: 'conversions',
      fileName: input.fileName,
      sha256: ctx.sha,
      counts,
      duplicates,
      errorsTotal,
      ledger: ledgerTotals,
      ...(overrides ? { override: true, overrides } : {}),
    },
  })
  return {
    importId: row.id,
    status,
    organizationId: ctx.organizationId,
    createdAt: row.createdAt,
    fileName: input.fileName,
    fileSha256: ctx.sha,
    counts,
    duplicates,
    ledger: ledgerTotals,
    errors,
    errorsTotal,
    mapping: mapping ?? {},
    overrides,
    durationMs: stored.durationMs,
    insertMs: stored.insertMs,
  }
}

function resolveMapping(headers: readonly string[], given: FieldMapping | null) {
  const preset = detectPreset(headers, 'conversions')
  if (given) {
    const v = validateMapping(given, headers, 'conversions')
    if (!v.ok) {
      throw new ImportRefusal('mapping_invalid', v.errors.map((e: MappingError) => e.message).join(' '), { errors: v.errors, headers })
    }
    return { mapping: given, preset }
  }
  const s = suggestMapping(headers, 'conversions')
  if (s.missingRequired.length > 0) {
    const labels = s.missingRequired.map((k) => fieldsOf('conversions').find((d) => d.key === k)?.label ?? k)
    throw new ImportRefusal(
      'mapping_incomplete',
      `No column was recognised for ${labels.join(', ')}. Send a mapping that names the column for each (its columns are ${headers.map((h) => `"${h}"`).join(', ')}).`,
      { missing: s.missingRequired, suggested: s.mapping, headers },
    )
  }
  return { mapping: s.mapping, preset }
}

async function loadSettings(db: SqlExecutor, organizationId: number): Promise<ProgramSettings> {
  try {
    return await loadProgramSettings(db, organizationId)
  } catch (err) {
    if (err instanceof InvalidSettingsError) throw new ImportRefusal('invalid_settings', err.message, { issues: err.issues })
    throw err
  }
}

/** Canonical code -> partner id, for the organization (RLS), in one query. */
async function loadPartnerCodes(db: SqlExecutor): Promise<Map<string, number>> {
  const { rows } = await db.execute(sql`select code, partner_id from partner_codes`)
  return new Map(rows.map((r) => [String(r.code), Number(r.partner_id)]))
}

async function findEarlierImport(db: SqlExecutor, sha: string): Promise<EarlierImport | null> {
  const { rows } = await db.execute(
    sql`select id, created_at, file_name from imports where kind = 'conversions' and file_sha256 = ${sha} and status = 'completed' order by id limit 1`,
  )
  const r = rows[0]
  return r ? { importId: Number(r.id), importedAt: new Date(r.created_at as string).toISOString(), fileName: String(r.file_name) } : null
}

function alreadyImported(e: EarlierImport): ImportRefusal {
  return new ImportRefusal(
    'already_imported',
    `This file was already imported as import #${e.importId} ("${e.fileName}") on ${e.importedAt}. Nothing was stored; send override=true to import it again anyway.`,
    e,
  )
}

/** One statement per chunk; returns the (code, order id) keys the database actually inserted, with their ids. */
async function insertChunk(db: SqlExecutor, organizationId: number, rows: readonly PendingRow[]): Promise<Map<string, number>> {
  const col = <T>(f: (p: PendingRow) => T) => sql.param(rows.map(f))
  const { rows: inserted } = await db.execute(sql`
    insert into conversions (code, order_id, partner_id, value_minor, currency, occurred_at, customer_email, customer_name, status, organization_id, updated_at, created_at)
    select t.code, t.order_id, t.partner_id, t.value_minor, t.currency, t.occurred_at, t.customer_email, t.customer_name,
           t.status::enum_conversions_status, ${organizationId}, now(), now()
      from unnest(
        ${col((p) => p.record.code.canonical)}::text[],
        ${col((p) => p.record.orderId)}::text[],
        ${col((p) => p.partnerId)}::integer[],
        ${col((p) => p.valueMinor)}::numeric[],
        ${col((p) => p.record.currency)}::text[],
        ${col((p) => p.record.occurredAt)}::timestamptz[],
        ${col((p) => p.record.customerEmail)}::text[],
        ${col((p) => p.record.customerName)}::text[],
        ${col((p) => (p.partnerId == null ? 'unattributed' : 'attributed'))}::text[]
      ) as t(code, order_id, partner_id, value_minor, currency, occurred_at, customer_email, customer_name, status)
    on conflict (organization_id, code, order_id) do nothing
    returning id, code, order_id`)
  return new Map(inserted.map((r) => [JSON.stringify([String(r.code), String(r.order_id)]), Number(r.id)]))
}

interface ImportRecordInput {
  organizationId: number
  status: 'completed' | 'dry_run' | 'failed'
  fileName: string
  sha: string
  override: boolean
  rowsIn: number
  counts: unknown
  report: unknown
  mapping: unknown
  userId: number | null
  started: Date
  finished: Date
}

/**
 * Written with SQL rather than the Local API so the database's own refusal (the partial unique
 * index on completed files) reaches us as itself; access was checked by the caller, RLS still applies.
 */
async function insertImportRecord(db: SqlExecutor, r: ImportRecordInput): Promise<{ id: number; createdAt: string }> {
  const json = (v: unknown) => (v == null ? null : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)))
  const { rows } = await db.execute(sql`
    insert into imports (kind, status, file_name, file_sha256, override, rows_in, counts, report, mapping, created_by_id, started_at, finished_at, organization_id, updated_at, created_at)
    values ('conversions', ${r.status}::enum_imports_status, ${r.fileName}, ${r.sha}, ${r.override}, ${r.rowsIn},
            ${json(r.counts)}::jsonb, ${json(r.report)}::jsonb, ${json(r.mapping)}::jsonb, ${r.userId}, ${r.started.toISOString()}, ${r.finished.toISOString()},
            ${r.organizationId}, now(), now())
    returning id, created_at`)
  const row = rows[0] as { id: number; created_at: string | Date }
  return { id: Number(row.id), createdAt: new Date(row.created_at).toISOString() }
}

/** A refused file leaves a `failed` record (and event) behind, in its own transaction: nothing else. */
async function recordFailedImport(
  req: PayloadRequest,
  input: ConversionImportInput,
  sha: string,
  started: Date,
  error: { code: string; message: string; rowNumber: number | null },
) {
  try {
    await inTenantTransaction(req, async () => {
      const tenant = await resolveTenant(req)
      if (tenant.organizationId == null) return
      const db = await transactionDb(req)
      const row = await insertImportRecord(db, {
        organizationId: tenant.organizationId,
        status: 'failed',
        fileName: input.fileName,
        sha,
        override: false,
        rowsIn: 0,
        counts: null,
        report: { error },
        mapping: input.mapping,
        userId: tenant.userId,
        started,
        finished: new Date(),
      })
      await writeAudit(req, {
        action: 'import.failed',
        entityType: 'import',
        entityId: row.id,
        changes: { kind: 'conversions', fileName: input.fileName, sha256: sha, error },
      })
    })
  } catch (err) {
    req.payload.logger.error({ err, msg: 'could not record the failed import' })
  }
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const pgErr = e as { code?: unknown; constraint?: unknown }
    if (pgErr.code === '23505' && pgErr.constraint === constraint) return true
  }
  return false
}
