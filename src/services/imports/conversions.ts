import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import type { SqlExecutor } from '../../db/session'
import {
  createConversionParser,
  dedupeKey,
  differingFacts,
  formatMinor,
  fromRowError,
  isContinuationRow,
  type ConversionRecord,
  type OrderFact,
  type OrderFacts,
} from '../../ledger'
import { accrueConversions, type PartnerRow } from '../ledger/accruals'
import { runImport, type HandlerEnv, type ImportInput, type ImportResult, type KindHandler } from './run-import'

/**
 * Conversions: codes arrive canonical from the row parser; partner codes are read once; rows are
 * inserted 5,000 at a time with one `INSERT … SELECT FROM unnest(…) ON CONFLICT (organization_id,
 * code, order_id) DO NOTHING RETURNING` each, so the database's duplicate key decides, also
 * against a racing import. Each inserted chunk goes through the ledger's accrual path (commission,
 * flags, waiting refunds), the same one a single conversion typed into the admin takes.
 *
 * `created` means stored AND attributed; `unattributed` means stored with no partner (the queue).
 * `duplicate` covers a repeat of an earlier row of the same file, a key already stored, and
 * Shopify line-item continuation rows, when the repeat carries the same amount, currency and
 * date. A repeat with other facts is rejected as `duplicate_conflict` naming the column
 * (checklist row 11): a corrected price in a later export must reach a person, not vanish.
 *
 * Memory stays flat however long the file: only the chunk being built remembers its keys (a
 * repeat inside it names the earlier row). A repeat of a row in an earlier chunk meets that row
 * in the database (ON CONFLICT); the conflicting rows are then looked up, and one this very
 * transaction inserted (its created_at is the transaction's now()) counts as in-file, anything
 * older as already stored.
 */

export const CHUNK_ROWS = 5_000

export function importConversions(req: PayloadRequest, input: ImportInput): Promise<ImportResult> {
  return runImport(req, 'conversions', input, conversionsHandler)
}

interface PendingRow {
  readonly row: number
  readonly record: ConversionRecord
  readonly partnerId: number | null
}

function conversionsHandler(env: HandlerEnv): KindHandler {
  const { db, report, mapping, ledger } = env
  const parse = createConversionParser(mapping, env.settings)
  const presetId = env.preset?.id ?? null
  /** Keys of the chunk being built -> their row; cleared with each chunk. */
  let seen = new Map<string, PendingRow>()
  const duplicates = { inFile: 0, existing: 0 }
  /** Rows rejected as duplicate_conflict (counted in `rejected` too). */
  let duplicateConflicts = 0
  const rejectConflict = (row: number, record: ConversionRecord, stored: OrderFacts, differs: OrderFact[], of: string) => {
    duplicateConflicts++
    report.reject(row, conflictErrors(row, record, stored, differs, of, mapping))
  }
  const ledgerTotals = { accrued: 0, flagged: 0, flags: 0, zeroWithError: 0, refundsMatched: 0 }
  let partnerByCode: Map<string, number> | null = null
  let pending: PendingRow[] = []
  let insertMs = 0
  /** Where insertMs goes, per step (summed over chunks), for the bench and anyone profiling. */
  const stepMs: Record<string, number> = {}
  const partnerCache = new Map<number, PartnerRow>()

  const classify = (
    batch: readonly PendingRow[],
    inserted: ReadonlyMap<string, number>,
    storedFacts: ReadonlyMap<string, StoredFacts>,
    flagged: ReadonlyMap<number, string[]>,
  ) => {
    for (const p of batch) {
      const r = p.record
      const key = JSON.stringify([r.code.canonical, r.orderId])
      const id = inserted.get(key)
      if (id === undefined) {
        const stored = storedFacts.get(key)
        const ofThisImport = stored?.thisImport === true
        const differs = stored ? differingFacts(stored, r) : []
        if (stored && differs.length > 0) {
          rejectConflict(p.row, r, stored, differs, ofThisImport ? 'by an earlier row of this file' : `as conversion ${stored.id}`)
        } else if (ofThisImport) {
          duplicates.inFile++
          report.outcome(p.row, 'duplicate', { code: r.code.canonical, orderId: r.orderId, of: 'an earlier row of this file' })
        } else {
          duplicates.existing++
          report.outcome(p.row, 'duplicate', { code: r.code.canonical, orderId: r.orderId, of: 'a conversion already stored' })
        }
        continue
      }
      if (p.partnerId != null)
        report.outcome(p.row, 'created', { code: r.code.canonical, orderId: r.orderId, partner: String(p.partnerId) })
      else report.outcome(p.row, 'unattributed', { code: r.code.canonical, orderId: r.orderId })
      const rules = flagged.get(id)
      if (rules) report.flag(p.row, rules)
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
    seen = new Map()
    const t0 = performance.now()
    const p = insertChunk(db, ledger.organizationId, batch).then(async (inserted) => {
      const t1 = performance.now()
      stepMs.insert = (stepMs.insert ?? 0) + (t1 - t0)
      const storedFacts = inserted.size < batch.length ? await storedFactsOfRefused(db, ledger.organizationId, batch, inserted) : new Map()
      stepMs.duplicates = (stepMs.duplicates ?? 0) + (performance.now() - t1)
      const accrued = await accrueConversions(ledger, [...inserted.values()], { timings: stepMs, partnerCache })
      for (const k of Object.keys(ledgerTotals) as (keyof typeof ledgerTotals)[]) ledgerTotals[k] += accrued[k]
      insertMs += performance.now() - t0
      classify(batch, inserted, storedFacts, accrued.flaggedRules)
    })
    // Awaited by the next flush or drain; this only keeps a parse error meanwhile from leaving it unhandled.
    p.catch(() => undefined)
    inFlight = p
  }

  return {
    async row(values, rowNumber) {
      partnerByCode ??= await loadPartnerCodes(db)
      if (isContinuationRow(presetId, values, mapping)) {
        duplicates.inFile++
        report.outcome(rowNumber, 'duplicate', { of: 'the first row of the same order (line item)' })
        return
      }
      const parsed = parse(values, rowNumber)
      if (!parsed.ok) {
        report.reject(rowNumber, parsed.errors.map(fromRowError))
        return
      }
      const record = parsed.record
      if (record.valueMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
        const column = mapping.amount ?? 'amount'
        report.reject(rowNumber, [
          {
            row: rowNumber,
            column,
            value: String(values[column] ?? ''),
            code: 'amount_out_of_range',
            message: `Row ${rowNumber}, column "${column}": the amount is too large to store.`,
          },
        ])
        return
      }
      const key = dedupeKey(String(ledger.organizationId), record.code.canonical, record.orderId)
      const first = seen.get(key)
      if (first !== undefined) {
        const differs = differingFacts(first.record, record)
        if (differs.length > 0) {
          rejectConflict(rowNumber, record, first.record, differs, `by row ${first.row} of this file`)
          return
        }
        duplicates.inFile++
        report.outcome(rowNumber, 'duplicate', { code: record.code.canonical, orderId: record.orderId, of: `row ${first.row}` })
        return
      }
      const pendingRow: PendingRow = { row: rowNumber, record, partnerId: partnerByCode.get(record.code.canonical) ?? null }
      seen.set(key, pendingRow)
      pending.push(pendingRow)
      if (pending.length >= CHUNK_ROWS) await flush()
    },
    async finish() {
      await flush()
      await drain()
    },
    details: () => ({
      duplicates,
      duplicateConflicts,
      ledger: ledgerTotals,
      insertMs: Math.round(insertMs),
      stepMs: Object.fromEntries(Object.entries(stepMs).map(([k, v]) => [k, Math.round(v)])),
    }),
  }
}

/** Canonical code -> partner id, for the organization (RLS), in one query. */
async function loadPartnerCodes(db: SqlExecutor): Promise<Map<string, number>> {
  const { rows } = await db.execute(sql`select code, partner_id from partner_codes`)
  return new Map(rows.map((r) => [String(r.code), Number(r.partner_id)]))
}

interface StoredFacts extends OrderFacts {
  readonly id: number
  /** Stored by an earlier chunk of this same import (this transaction), not before it. */
  readonly thisImport: boolean
}

/**
 * For the chunk's rows the database refused as duplicates, the stored conversion's facts, so a
 * repeat is told apart from a conflict, and whether this transaction itself stored it (an earlier
 * chunk of the same file): `created_at = now()` is the transaction's start time, which rows stored
 * before it cannot carry (timestamp(3), so compared at that precision).
 */
async function storedFactsOfRefused(
  db: SqlExecutor,
  organizationId: number,
  batch: readonly PendingRow[],
  inserted: ReadonlyMap<string, number>,
): Promise<Map<string, StoredFacts>> {
  const refused = batch.filter((p) => !inserted.has(JSON.stringify([p.record.code.canonical, p.record.orderId])))
  const { rows } = await db.execute(sql`
    select c.id, c.code, c.order_id, c.value_minor, c.currency, c.occurred_at, c.created_at = now()::timestamptz(3) as this_import
      from conversions c
      join unnest(${sql.param(refused.map((p) => p.record.code.canonical))}::text[], ${sql.param(refused.map((p) => p.record.orderId))}::text[]) as t(code, order_id)
        on c.organization_id = ${organizationId} and c.code = t.code and c.order_id = t.order_id`)
  return new Map(
    rows.map((r) => [
      JSON.stringify([String(r.code), String(r.order_id)]),
      {
        id: Number(r.id),
        valueMinor: BigInt(String(r.value_minor)),
        currency: String(r.currency),
        occurredAt: r.occurred_at instanceof Date ? r.occurred_at : new Date(String(r.occurred_at)),
        thisImport: r.this_import === true,
      },
    ]),
  )
}

const FACT_FIELD: Record<OrderFact, { field: string; describe: (f: OrderFacts) => string }> = {
  valueMinor: {
    field: 'amount',
    describe: (f) => (f.valueMinor == null ? 'no amount' : `${formatMinor(f.valueMinor, f.currency)} ${f.currency}`),
  },
  currency: { field: 'currency', describe: (f) => f.currency },
  occurredAt: { field: 'occurred_at', describe: (f) => new Date(f.occurredAt).toISOString() },
}

/** One error per differing fact, naming the row, the customer's column and both values. */
function conflictErrors(
  row: number,
  record: ConversionRecord,
  stored: OrderFacts,
  differs: readonly OrderFact[],
  of: string,
  mapping: Readonly<Record<string, string | undefined>>,
) {
  return differs.map((fact) => {
    const { field, describe } = FACT_FIELD[fact]
    const column = mapping[field] ?? field
    return {
      row,
      column,
      value: describe(record),
      code: 'duplicate_conflict',
      message:
        `Row ${row}, column "${column}": order ${record.orderId} under code ${record.code.canonical} was already stored ${of} ` +
        `with ${describe(stored)}; this row says ${describe(record)}. A changed ${field.replace('_', ' ')} is a conflict, not a duplicate: ` +
        `nothing was changed; correct it with a refund or an adjustment.`,
    }
  })
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
        ${col((p) => p.record.valueMinor.toString())}::numeric[],
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
