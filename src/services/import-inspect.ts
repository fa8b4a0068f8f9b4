import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { transactionDb } from '../db/session'
import { inTenantTransaction } from '../db/transaction'
import {
  fieldsOf,
  parseCsvRows,
  presetById,
  StreamingDecoder,
  suggestMapping,
  type CsvRowError,
  type FieldMapping,
  type ImportKind,
  type MappingSource,
} from '../ledger'
import type { ImportSource } from './imports/source'

/**
 * What the import wizard needs before the person maps columns: the file's headers, a few rows,
 * and suggestions. Reads only up to the fifth data row (the rest of the file is not parsed) and
 * stores nothing.
 */

export const SAMPLE_ROWS = 5

export interface InspectResult {
  readonly kind: ImportKind
  readonly fileName: string
  readonly headers: readonly string[]
  readonly headerRow: number
  readonly delimiter: string
  /** What the first bytes read say; `decided: false` means plain ASCII so far (read as UTF-8). */
  readonly encoding: { readonly name: string; readonly bom: boolean; readonly decided: boolean }
  /** Values in header order, so a header such as "1" cannot reorder them. */
  readonly sampleRows: readonly { readonly row: number; readonly values: readonly string[] }[]
  /** Rows among the first ones that could not be split into the header's columns. */
  readonly sampleErrors: readonly {
    readonly row: number
    readonly column: string | null
    readonly value: string | null
    readonly message: string
  }[]
  /** Saved mapping first, then the preset, then header names (suggestMapping). */
  readonly suggested: {
    readonly mapping: FieldMapping
    readonly sources: Readonly<Record<string, MappingSource>>
    readonly missingRequired: readonly string[]
    readonly unmappedHeaders: readonly string[]
  }
  readonly preset: { readonly id: string; readonly label: string; readonly notes: readonly string[] } | null
  /** The mapping of this organization's last completed import of this kind, as it was stored. */
  readonly savedMapping: FieldMapping | null
  readonly fields: readonly { readonly key: string; readonly label: string; readonly required: boolean }[]
}

/** Throws CsvFileError for a file that cannot be read at all (the endpoint answers 422). */
export async function inspectImport(
  req: PayloadRequest,
  input: { kind: ImportKind; fileName: string; source: ImportSource },
): Promise<InspectResult> {
  // A second decoder sees exactly the bytes the parser consumed, so the encoding reported is what
  // the parser decided on, without reading further into the file than the sample needs.
  const probe = new StreamingDecoder()
  let probeFailed = false
  let consumedAll = false
  async function* watched(): AsyncGenerator<Uint8Array> {
    for await (const s of input.source.open()) {
      // After a decoding error the parser throws it itself; the probe just stops.
      if (!probeFailed) probeFailed = probe.push(s).error !== null
      yield s
    }
    consumedAll = true
  }

  let headers: readonly string[] = []
  let headerRow = 1
  let delimiter = ','
  const sampleRows: { row: number; values: string[] }[] = []
  const sampleErrors: InspectResult['sampleErrors'][number][] = []
  for await (const ev of parseCsvRows(watched())) {
    if (ev.type === 'header') {
      headers = ev.headers
      headerRow = ev.rowNumber
      delimiter = ev.delimiter
    } else if (ev.type === 'row') {
      sampleRows.push({ row: ev.rowNumber, values: headers.map((h) => ev.values[h] ?? '') })
    } else if (ev.type === 'row_error') {
      const e = ev as CsvRowError
      sampleErrors.push({ row: e.rowNumber, column: e.column, value: e.value, message: e.message })
    }
    if (sampleRows.length + sampleErrors.length >= SAMPLE_ROWS) break
  }
  if (consumedAll && !probeFailed) probe.end()
  const info = probe.info

  const savedMapping = await loadSavedMapping(req, input.kind)
  const s = suggestMapping(headers, input.kind, savedMapping)
  const preset = s.preset ? presetById(s.preset) : null
  return {
    kind: input.kind,
    fileName: input.fileName,
    headers,
    headerRow,
    delimiter,
    encoding: { name: info.encoding, bom: info.bom, decided: info.decidedAtByte !== null || consumedAll },
    sampleRows,
    sampleErrors,
    suggested: { mapping: s.mapping, sources: s.sources, missingRequired: s.missingRequired, unmappedHeaders: s.unmappedHeaders },
    preset: preset ? { id: preset.id, label: preset.label, notes: preset.notes } : null,
    savedMapping,
    fields: fieldsOf(input.kind).map((f) => ({ key: f.key, label: f.label, required: f.required })),
  }
}

/** Under the organization's RLS settings, so only its own imports are read. */
async function loadSavedMapping(req: PayloadRequest, kind: ImportKind): Promise<FieldMapping | null> {
  return inTenantTransaction(req, async () => {
    const db = await transactionDb(req)
    const { rows } = await db.execute(
      sql`select mapping from imports where kind = ${kind} and status = 'completed' and mapping is not null order by created_at desc, id desc limit 1`,
    )
    const m = rows[0]?.mapping
    if (!m || typeof m !== 'object' || Array.isArray(m)) return null
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v === 'string') out[k] = v
    return out
  })
}
