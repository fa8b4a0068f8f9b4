import type { Endpoint, PayloadRequest } from 'payload'

import { isCsvFileError } from '../ledger'
import { inspectImport } from '../services/import-inspect'
import { authorize } from './guard'
import { errorResponse } from './http'
import { removeTempFile } from '../services/imports/source'
import { maxBytes, readUpload, resolveUpload, type ParsedUpload } from './imports'

/**
 * POST /api/imports/inspect: the same form as POST /api/imports (`kind`, `file` or `sheetUrl`;
 * mapping and flags are ignored). Answers the file's headers, delimiter, encoding, first rows,
 * the suggested mapping, the detected preset, the organization's last mapping of this kind and
 * our fields. Nothing is stored. Same roles as importing; 422 for a file that cannot be read.
 */
export const importInspectEndpoint: Endpoint = {
  path: '/inspect',
  method: 'post',
  handler: async (req) => {
    const auth = await authorize(req, { collection: 'imports', action: 'create' }, 'Only admins and ops import files.')
    if (!auth.ok) return auth.response
    const limit = maxBytes()
    const upload = await readUpload(req, limit)
    if (upload instanceof Response) return upload
    try {
      return await inspect(req, upload, limit)
    } finally {
      await removeTempFile(upload.source?.path)
    }
  },
}

async function inspect(req: PayloadRequest, upload: ParsedUpload, limit: number): Promise<Response> {
  const resolved = await resolveUpload(upload, limit)
  if (resolved instanceof Response) return resolved
  try {
    return Response.json(await inspectImport(req, resolved))
  } catch (err) {
    if (isCsvFileError(err)) return errorResponse(422, 'invalid_file', err.message, { reason: err.code, ...err.details })
    throw err
  }
}
