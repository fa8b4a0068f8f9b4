/**
 * Which of the file's columns fills which of our fields. Suggestions rank what the organization
 * chose last time over a known export's preset over header-name synonyms, because a person's
 * earlier choice is evidence about their files that no general rule has. A header is used once.
 */
import { fieldsOf, normaliseHeader, type ImportKind } from './fields'
import { detectPreset, presetCandidateMatches, type PresetId } from './presets'

/** field key -> the file's header name. */
export type FieldMapping = Readonly<Record<string, string>>

export type MappingSource = 'saved' | 'preset' | 'synonym'

export interface MappingSuggestion {
  readonly mapping: FieldMapping
  readonly sources: Readonly<Record<string, MappingSource>>
  readonly preset: PresetId | null
  readonly missingRequired: readonly string[]
  readonly unmappedHeaders: readonly string[]
}

const squash = (s: string) => s.replace(/ /g, '')

function sameHeader(a: string, b: string): boolean {
  if (a === b) return true
  const na = normaliseHeader(a)
  const nb = normaliseHeader(b)
  return na === nb || squash(na) === squash(nb)
}

export function suggestMapping(headers: readonly string[], kind: ImportKind, saved?: FieldMapping | null): MappingSuggestion {
  const fields = fieldsOf(kind)
  const usable = headers.filter((h) => h.trim() !== '')
  const claimed = new Set<string>()
  const mapping: Record<string, string> = {}
  const sources: Record<string, MappingSource> = {}
  const assign = (field: string, header: string, source: MappingSource) => {
    mapping[field] = header
    sources[field] = source
    claimed.add(header)
  }
  const free = (pred: (h: string) => boolean) => usable.find((h) => !claimed.has(h) && pred(h))

  for (const [field, header] of Object.entries(saved ?? {})) {
    if (!fields.some((d) => d.key === field) || field in mapping) continue
    const h = free((x) => x === header) ?? free((x) => sameHeader(x, header))
    if (h !== undefined) assign(field, h, 'saved')
  }

  const preset = detectPreset(usable, kind)
  if (preset) {
    for (const [field, candidates] of Object.entries(preset.fields)) {
      if (field in mapping) continue
      for (const c of candidates) {
        const h = free((x) => presetCandidateMatches(c, x))
        if (h !== undefined) {
          assign(field, h, 'preset')
          break
        }
      }
    }
  }

  for (const def of fields) {
    if (def.key in mapping) continue
    for (const syn of def.synonyms) {
      const h = free((x) => normaliseHeader(x) === syn) ?? free((x) => squash(normaliseHeader(x)) === squash(syn))
      if (h !== undefined) {
        assign(def.key, h, 'synonym')
        break
      }
    }
  }

  return {
    mapping,
    sources,
    preset: preset?.id ?? null,
    missingRequired: fields.filter((d) => d.required && !(d.key in mapping)).map((d) => d.key),
    unmappedHeaders: usable.filter((h) => !claimed.has(h)),
  }
}

export type MappingErrorCode = 'unknown_field' | 'header_not_found' | 'required_field_unmapped'

export interface MappingError {
  readonly code: MappingErrorCode
  readonly field: string
  readonly header: string | null
  readonly message: string
}

/**
 * A mapping can be used only when every required field has a column and every mapped column
 * exists in this file. One column may feed two fields on purpose (partner email = PayPal email).
 */
export function validateMapping(
  mapping: FieldMapping,
  headers: readonly string[],
  kind: ImportKind,
): { ok: true } | { ok: false; errors: MappingError[] } {
  const fields = fieldsOf(kind)
  const errors: MappingError[] = []
  const list = headers
    .filter((h) => h !== '')
    .map((h) => `"${h}"`)
    .join(', ')
  for (const [field, header] of Object.entries(mapping)) {
    if (!fields.some((d) => d.key === field)) {
      errors.push({ code: 'unknown_field', field, header, message: `"${field}" is not a field of a ${kind} import.` })
    } else if (!headers.includes(header)) {
      errors.push({
        code: 'header_not_found',
        field,
        header,
        message: `${labelOf(kind, field)} is mapped to the column "${header}", which is not in this file (its columns are ${list}).`,
      })
    }
  }
  // One column that looks like several joined by another character: the delimiter was not found.
  const hint =
    headers.length === 1 && /[|:^~]/.test(headers[0] ?? '')
      ? ` Only one column was found ("${headers[0]}"); the file may use a delimiter other than comma, semicolon or tab.`
      : ''
  for (const d of fields) {
    if (d.required && !(d.key in mapping)) {
      errors.push({
        code: 'required_field_unmapped',
        field: d.key,
        header: null,
        message: `${d.label} is required: choose the column that holds it.${hint}`,
      })
    }
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}

function labelOf(kind: ImportKind, field: string): string {
  return fieldsOf(kind).find((d) => d.key === field)?.label ?? field
}

/**
 * Shopify writes one row per line item; only the first row of an order carries the order's
 * Total and Financial Status. The later rows are part of an order already counted: the caller
 * should count them as duplicates of the first row (rowsIn stays balanced), not reject them.
 */
export function isContinuationRow(preset: PresetId | null, values: Readonly<Record<string, string>>, mapping: FieldMapping): boolean {
  if (preset !== 'shopify_orders') return false
  const cell = (field: string) => {
    const h = mapping[field]
    return h === undefined ? null : (values[h] ?? '').trim()
  }
  const orderId = cell('order_id')
  return orderId !== null && orderId !== '' && cell('amount') === '' && cell('order_status') === ''
}
