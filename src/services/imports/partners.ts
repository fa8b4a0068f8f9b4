import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { createPartnerParser, fromRowError, localDate, ruleInEffect, ruleToJson, type PartnerRecord, type ReportError } from '../../ledger'
import { decryptPayout, encryptPayout, maskPayout, PAYOUT_COLUMNS } from '../../security/payout-crypto'
import { writeAudit } from '../audit'
import { parseRateHistory } from '../ledger/accruals'
import { runImport, type HandlerEnv, type ImportInput, type ImportResult, type KindHandler } from './run-import'

/**
 * Partners: a row creates a partner with its code and aliases, or updates the partner that
 * already owns the code. A blank cell keeps what is stored (a partner list exported from another
 * tool rarely carries every column). Each created or changed partner gets its own audit event
 * with the changes; a commission different from the rule in effect becomes a new rate-history
 * entry from the `effective_from` column, else from the import date (history is never rewritten).
 * A code or alias that belongs to another partner rejects the row, naming the column.
 */

export function importPartners(req: PayloadRequest, input: ImportInput): Promise<ImportResult> {
  return runImport(req, 'partners', input, partnersHandler)
}

/** Where a new partner's imported rule starts: before any conversion a program could hold. */
const BEGINNING = '2000-01-01'

interface StoredPartner {
  id: number
  name: string
  email: string | null
  status: string
  employee: boolean
  payout_method: string | null
  payout_email: string | null
  currency: string | null
  payout_details_holder_name: string | null
  payout_details_iban: string | null
  payout_details_bic: string | null
  payout_details_routing_number: string | null
  payout_details_account_number: string | null
  rate_history: unknown
}

type Column = Exclude<keyof StoredPartner, 'id' | 'rate_history'>

function columnsOf(r: PartnerRecord): Partial<Record<Column, string | boolean | null>> {
  const out: Partial<Record<Column, string | boolean | null>> = { name: r.name }
  const set = (k: Column, v: string | boolean | null | undefined) => {
    if (v !== null && v !== undefined) out[k] = v
  }
  set('email', r.email)
  set('status', r.status)
  set('employee', r.employee)
  set('payout_method', r.payoutMethod)
  set('payout_email', r.payoutEmail)
  set('currency', r.currency)
  set('payout_details_holder_name', r.bank?.holderName)
  set('payout_details_iban', r.bank?.iban)
  set('payout_details_bic', r.bank?.bic)
  set('payout_details_routing_number', r.bank?.routingNumber)
  set('payout_details_account_number', r.bank?.accountNumber)
  return out
}

function partnersHandler(env: HandlerEnv): KindHandler {
  const { db, report, mapping, ledger, req } = env
  const parse = createPartnerParser(mapping, env.settings)
  const today = localDate(ledger.now, ledger.settings.timeZone)
  const totals = { created: 0, updated: 0, unchanged: 0, rateChanges: 0, codesAdded: 0 }
  const seen = new Map<string, number>()
  let owners: Map<string, number> | null = null

  const conflict = (row: number, field: string, value: string, message: string): ReportError => {
    const column = mapping[field] ?? field
    return { row, column, value, code: 'code_taken', message: `Row ${row}, column "${column}": ${message}` }
  }

  return {
    async row(values, rowNumber) {
      owners ??= new Map(
        (await db.execute(sql`select code, partner_id from partner_codes`)).rows.map((r) => [String(r.code), Number(r.partner_id)]),
      )
      const parsed = parse(values, rowNumber)
      if (!parsed.ok) {
        report.reject(rowNumber, parsed.errors.map(fromRowError))
        return
      }
      const r = parsed.record
      const code = r.code.canonical
      const first = seen.get(code)
      if (first !== undefined) {
        report.outcome(rowNumber, 'duplicate', { code, of: `row ${first}` })
        return
      }
      seen.set(code, rowNumber)
      const partnerId = owners.get(code) ?? null
      const taken = r.aliases.filter((a) => {
        const o = owners?.get(a.canonical)
        return o !== undefined && o !== partnerId
      })
      if (taken.length > 0) {
        report.reject(rowNumber, [
          conflict(
            rowNumber,
            'aliases',
            taken.map((a) => a.canonical).join(';'),
            `${taken.map((a) => a.canonical).join(', ')} already belongs to another partner.`,
          ),
        ])
        return
      }

      const wanted = columnsOf(r)
      // Payout details are compared in the clear and stored encrypted; the audit shows them masked.
      const secret = (c: Column) => (PAYOUT_COLUMNS as readonly string[]).includes(c)
      const stored = (c: Column, v: unknown) => (secret(c) && typeof v === 'string' ? encryptPayout(v) : v)
      const shown = (c: Column, v: unknown) => (secret(c) && typeof v === 'string' && v !== '' ? maskPayout(decryptPayout(v)) : v)
      let id: number
      let changes: Record<string, [unknown, unknown]> = {}
      let history: unknown[] | null = partnerId == null ? [] : null
      if (partnerId == null) {
        const cols = Object.keys(wanted) as Column[]
        const { rows } = await db.execute(sql`
          insert into partners (${sql.raw(cols.join(', '))}, status, organization_id, updated_at, created_at)
          values (${sql.join(
            cols.map((c) => sql`${stored(c, wanted[c])}`),
            sql`, `,
          )}, ${wanted.status ?? 'active'}, ${ledger.organizationId}, now(), now())
          returning id`)
        id = Number(rows[0]?.id)
        changes = Object.fromEntries(cols.map((c) => [c, [null, shown(c, wanted[c])]]))
      } else {
        id = partnerId
        const { rows } = await db.execute(sql`select * from partners where id = ${id} for update`)
        const current = rows[0] as unknown as StoredPartner
        for (const [k, v] of Object.entries(wanted) as [Column, string | boolean | null][]) {
          const before = secret(k) && typeof current[k] === 'string' ? decryptPayout(current[k] as string) : current[k]
          if (before !== v) changes[k] = [shown(k, current[k]), shown(k, v)]
        }
        history = parseRateHistory(current.rate_history, id).map((h) => ({
          effectiveFrom: h.effectiveFrom instanceof Date ? h.effectiveFrom.toISOString() : h.effectiveFrom,
          rule: ruleToJson(h.rule),
          ...(h.version ? { version: h.version } : {}),
        }))
        const set = Object.keys(changes) as Column[]
        if (set.length > 0) {
          await db.execute(
            sql`update partners set ${sql.join(
              set.map((c) => sql`${sql.raw(c)} = ${stored(c, wanted[c])}`),
              sql`, `,
            )}, updated_at = now() where id = ${id}`,
          )
        }
      }

      if (r.commission) {
        const from = r.effectiveFrom ?? (partnerId == null ? BEGINNING : today)
        const current = partnerId == null ? null : ruleInEffect(parseRateHistory(history, id), from, ledger.settings.timeZone, null)
        const next = ruleToJson(r.commission)
        if (!current || JSON.stringify(ruleToJson(current.rule)) !== JSON.stringify(next)) {
          const entry = { effectiveFrom: from, rule: next, version: `import ${today}` }
          const updated = [...(history ?? []), entry]
          await db.execute(sql`update partners set rate_history = ${JSON.stringify(updated)}::jsonb, updated_at = now() where id = ${id}`)
          changes.rateHistory = [current ? { effectiveFrom: current.effectiveFrom, rule: ruleToJson(current.rule) } : null, entry]
          totals.rateChanges++
        }
      }

      const newCodes = [r.code, ...r.aliases].map((c) => c.canonical).filter((c) => owners?.get(c) === undefined)
      for (const c of new Set(newCodes)) {
        await db.execute(sql`
          insert into partner_codes (code, partner_id, organization_id, updated_at, created_at) values (${c}, ${id}, ${ledger.organizationId}, now(), now())`)
        owners.set(c, id)
        totals.codesAdded++
      }
      if (newCodes.length > 0) changes.codes = [null, [...new Set(newCodes)]]

      if (partnerId == null) {
        totals.created++
        report.outcome(rowNumber, 'created', { code, partner: r.name })
      } else if (Object.keys(changes).length > 0) {
        totals.updated++
        report.outcome(rowNumber, 'updated', { code, partner: r.name, changed: Object.keys(changes).join(', ') })
      } else {
        totals.unchanged++
        report.outcome(rowNumber, 'duplicate', { code, of: 'the partner as stored (no change)' })
      }
      if (Object.keys(changes).length > 0) {
        await writeAudit(req, {
          action: partnerId == null ? 'partner.created' : 'partner.updated',
          entityType: 'partner',
          entityId: id,
          changes: { ...changes, source: 'import' },
        })
      }
    },
    async finish() {},
    details: () => ({ partners: totals }),
  }
}
