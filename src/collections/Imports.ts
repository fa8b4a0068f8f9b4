import { importInspectEndpoint } from '../endpoints/import-inspect'
import { importUploadEndpoint } from '../endpoints/imports'
import { tenantCollection } from './tenant-collection'

/**
 * One uploaded file and what became of it: counts, the first errors, the mapping used and the
 * file's SHA-256 (the database refuses a second completed import of the same bytes unless it
 * was an explicit, audited override). Rows are written only by the import service
 * (`POST /api/imports`, src/services/imports/); nobody edits or deletes them.
 */
export const Imports = tenantCollection({
  slug: 'imports',
  auditEntity: 'import',
  admin: {
    useAsTitle: 'fileName',
    defaultColumns: ['fileName', 'kind', 'status', 'rowsIn', 'createdBy', 'createdAt'],
    group: 'Ledger',
    description:
      'Uploaded CSV files and Google Sheets, with counts and row errors. Import with the wizard (Import files) or POST /api/imports.',
    components: { beforeListTable: ['/src/components/import/ImportNavLink#ImportListLink'] },
  },
  defaultSort: '-createdAt',
  // Replaces Payload's JSON create at POST /api/imports: an import row only exists with its file.
  endpoints: [importInspectEndpoint, importUploadEndpoint],
  // Payload's duplicate would make exactly that: an import row copied without any file, as ops.
  disableDuplicate: true,
  fields: [
    {
      name: 'kind',
      type: 'select',
      required: true,
      index: true,
      options: ['partners', 'conversions', 'refunds'].map((v) => ({ label: v, value: v })),
    },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'running',
      options: ['dry_run', 'queued', 'running', 'completed', 'failed'].map((v) => ({ label: v, value: v })),
    },
    {
      name: 'progress',
      type: 'json',
      admin: {
        readOnly: true,
        description: 'Background imports: rows and bytes read so far (rowsRead, bytesRead, bytesTotal, percent).',
      },
    },
    { name: 'fileName', type: 'text', required: true },
    { name: 'fileSha256', type: 'text', required: true, index: true, admin: { description: 'SHA-256 of the uploaded bytes, hex.' } },
    {
      name: 'override',
      type: 'checkbox',
      defaultValue: false,
      admin: { description: 'Imported on purpose although the same file was imported before (audited).' },
    },
    { name: 'rowsIn', type: 'number', defaultValue: 0 },
    { name: 'counts', type: 'json' },
    { name: 'report', type: 'json', admin: { description: 'Counts, samples per outcome and the first row errors.' } },
    { name: 'mapping', type: 'json', admin: { description: 'Our field -> the file’s column header.' } },
    { name: 'createdBy', type: 'relationship', relationTo: 'users', maxDepth: 0, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'startedAt', type: 'date', admin: { date: { pickerAppearance: 'dayAndTime' }, position: 'sidebar' } },
    { name: 'finishedAt', type: 'date', admin: { date: { pickerAppearance: 'dayAndTime' }, position: 'sidebar' } },
  ],
})
