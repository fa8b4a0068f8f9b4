import { randomBytes } from 'node:crypto'

import { sql } from '@payloadcms/db-postgres'
import { z } from 'zod'

import { serializeProgramSettings, type ExportTemplate, type ProgramSettings } from '../../ledger'
import { CUSTOM_FIELDS } from '../../ledger/export/custom-template'
import { isValidDatePattern } from '../../ledger/export/format-helpers'
import { writeAudit } from '../audit'
import type { LedgerContext } from '../ledger/context'
import { BatchRefusal } from './common'

/**
 * Custom CSV templates live in the organization's program settings (`exports.templates`), so they
 * are one audited JSON with the rest of the setup and need no table of their own. The options are
 * validated here against the custom-template writer's menu before they are saved.
 */
export const templateOptionsSchema = z.strictObject({
  columns: z
    .array(
      z.strictObject({
        field: z.enum(Object.keys(CUSTOM_FIELDS) as [keyof typeof CUSTOM_FIELDS, ...(keyof typeof CUSTOM_FIELDS)[]]),
        header: z.string().max(100).optional(),
      }),
    )
    .min(1),
  dateFormat: z.string().refine(isValidDatePattern, 'use YYYY, MM and DD, e.g. DD/MM/YYYY').optional(),
  decimalSeparator: z.enum(['.', ',']).optional(),
  delimiter: z.enum([',', ';', '\t']).optional(),
  header: z.boolean().optional(),
  bom: z.boolean().optional(),
  lineEnding: z.enum(['\n', '\r\n']).optional(),
})

export const templateInputSchema = z.strictObject({
  /** Given to update a saved template; absent to create one. */
  id: z.string().optional(),
  name: z.string().trim().min(1).max(100),
  options: templateOptionsSchema,
})
export type TemplateInput = z.infer<typeof templateInputSchema>

async function saveSettings(ctx: LedgerContext, settings: ProgramSettings): Promise<void> {
  await ctx.db.execute(sql`
    update organizations set settings = ${JSON.stringify(serializeProgramSettings(settings))}::jsonb, updated_at = now()
     where id = ${ctx.organizationId}`)
}

export async function saveExportTemplate(ctx: LedgerContext, input: TemplateInput): Promise<ExportTemplate> {
  if (input.options.decimalSeparator === ',' && (input.options.delimiter ?? ',') === ',') {
    throw new BatchRefusal('template_invalid', 'A decimal comma needs another delimiter (; or tab), or amounts would split into two cells.')
  }
  const existing = ctx.settings.exports.templates
  if (input.id !== undefined && !existing.some((t) => t.id === input.id)) {
    throw new BatchRefusal('not_found', `Template ${input.id} not found.`)
  }
  const template: ExportTemplate = {
    id: input.id ?? `tpl-${randomBytes(5).toString('hex')}`,
    name: input.name,
    options: input.options,
  }
  const templates = input.id === undefined ? [...existing, template] : existing.map((t) => (t.id === input.id ? template : t))
  await saveSettings(ctx, { ...ctx.settings, exports: { ...ctx.settings.exports, templates } })
  await writeAudit(ctx.req, {
    action: input.id === undefined ? 'export_template.create' : 'export_template.update',
    entityType: 'organization',
    entityId: ctx.organizationId,
    changes: { template },
  })
  return template
}

export async function deleteExportTemplate(ctx: LedgerContext, id: string): Promise<void> {
  const existing = ctx.settings.exports.templates
  if (!existing.some((t) => t.id === id)) throw new BatchRefusal('not_found', `Template ${id} not found.`)
  await saveSettings(ctx, { ...ctx.settings, exports: { ...ctx.settings.exports, templates: existing.filter((t) => t.id !== id) } })
  await writeAudit(ctx.req, { action: 'export_template.delete', entityType: 'organization', entityId: ctx.organizationId, changes: { id } })
}
