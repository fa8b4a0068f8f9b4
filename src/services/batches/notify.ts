import type { PayloadRequest } from 'payload'

import type { Role } from '../../access/roles'
import { withTenantClient } from '../../db/scoped-query'
import { databasePool } from '../../db/session'

/**
 * Mail to the people who act next: managers when a batch is submitted, finance when it is
 * approved. Sent after the transaction commits (a rolled-back approval must not announce
 * itself); a mail failure is logged and never undoes the committed transition.
 */
export async function notifyRole(
  req: PayloadRequest,
  organizationId: number,
  role: Role,
  mail: { subject: string; text: string },
): Promise<number> {
  try {
    const pool = databasePool(req.payload)
    const { rows } = await withTenantClient(pool, { orgId: organizationId }, (client) =>
      client.query<{ email: string }>(
        `select distinct u.email from memberships m join users u on u.id = m.user_id
          where m.organization_id = $1 and m.role = $2 and coalesce(u.disabled, false) = false order by u.email`,
        [organizationId, role],
      ),
    )
    for (const { email } of rows) {
      await req.payload.sendEmail({ to: email, subject: mail.subject, text: mail.text, organizationId } as Parameters<
        typeof req.payload.sendEmail
      >[0])
    }
    return rows.length
  } catch (err) {
    req.payload.logger.error({ msg: `batch mail to ${role} failed`, err })
    return 0
  }
}

export function batchLink(req: PayloadRequest, batchId: number): string {
  const base = process.env.PUBLIC_URL ?? req.payload.config.serverURL ?? ''
  return `${base}/admin/batches/${batchId}/review`
}
