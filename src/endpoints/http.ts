import type { PayloadRequest } from 'payload'
import type { z } from 'zod'

/** The error body every custom endpoint returns: a stable code for programs, a sentence for people. */
export function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  return Response.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status })
}

export async function readJson<T>(
  req: PayloadRequest,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  let body: unknown
  try {
    body = req.json ? await req.json() : undefined
  } catch {
    return { ok: false, response: errorResponse(400, 'invalid_json', 'The request body is not valid JSON.') }
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
    const first = issues[0]
    return {
      ok: false,
      response: errorResponse(400, 'invalid_request', first ? `${first.field || 'body'}: ${first.message}` : 'Invalid request.', issues),
    }
  }
  return { ok: true, value: parsed.data }
}
