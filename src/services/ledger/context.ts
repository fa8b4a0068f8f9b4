import type { PayloadRequest } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { resolveTenant } from '../../access/tenant'
import { transactionDb, type SqlExecutor } from '../../db/session'
import { parseProgramSettings, type ProgramSettings } from '../../ledger'

/**
 * What every ledger use case works with: the request's transaction (RLS set to the organization),
 * who acts, the program's settings and one "now" for the whole operation, so an import that
 * runs across midnight still decides pending/eligible by one clock.
 */
export interface LedgerContext {
  readonly req: PayloadRequest
  readonly db: SqlExecutor
  readonly organizationId: number
  readonly userId: number | null
  readonly settings: ProgramSettings
  readonly now: Date
}

export class InvalidSettingsError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(
      `The organization's program settings are invalid (${issues.map((i) => `${i.path || 'settings'}: ${i.message}`).join('; ')}); fix them first.`,
    )
    this.name = 'InvalidSettingsError'
  }
}

export async function loadProgramSettings(db: SqlExecutor, organizationId: number): Promise<ProgramSettings> {
  const { rows } = await db.execute(sql`select settings from organizations where id = ${organizationId}`)
  const parsed = parseProgramSettings(rows[0]?.settings ?? null)
  if (!parsed.ok) throw new InvalidSettingsError(parsed.issues)
  return parsed.settings
}

/** Must be called inside the request's tenant transaction (inTenantTransaction or a collection operation). */
export async function ledgerContext(req: PayloadRequest, now = new Date()): Promise<LedgerContext> {
  const tenant = await resolveTenant(req)
  if (tenant.organizationId == null) throw new Error('ledger: no active organization')
  const db = await transactionDb(req)
  const settings = await loadProgramSettings(db, tenant.organizationId)
  return { req, db, organizationId: tenant.organizationId, userId: tenant.userId, settings, now }
}

/** Postgres numeric/bigint columns arrive as strings; money never passes through a float. */
export const minor = (v: unknown): bigint => (v == null ? 0n : BigInt(String(v)))
export const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)))
