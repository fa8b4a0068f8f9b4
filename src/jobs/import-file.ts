import type { TaskConfig } from 'payload'

import { IMPORT_TASK, runImportJob, type ImportJobInput } from '../services/imports/background'

/**
 * The background import (src/services/imports/background.ts). No retries: a failed import is a
 * `failed` import record with its error, and the person decides what to fix and re-upload.
 */
export const importFileTask: TaskConfig<{ input: ImportJobInput; output: { status: string } }> = {
  slug: IMPORT_TASK,
  label: 'Import a file',
  retries: 0,
  handler: async ({ input, req }) => ({ output: await runImportJob(req.payload, input) }),
}
