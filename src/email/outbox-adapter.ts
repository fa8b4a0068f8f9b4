import type { EmailAdapter, SendEmailOptions } from 'payload'
import type { Pool } from 'pg'

import { withTenantClient } from '../db/scoped-query'
import { databasePool } from '../db/session'

/**
 * With no SMTP server configured, mail is written to the outbox collection instead of being lost,
 * so invitations and password resets still work on a laptop. Each mail is filed under the
 * organization of its recipient (or the sender's), which decides which admins can read it.
 */
export const outboxAdapter: EmailAdapter = ({ payload }) => ({
  name: 'outbox',
  defaultFromAddress: process.env.SMTP_FROM ?? 'ledger@localhost',
  defaultFromName: 'Partner Ledger',
  sendEmail: async (message: SendEmailOptions) => {
    const pool = databasePool(payload)
    const recipient = addressList(message.to)
    const organizationId = (message as { organizationId?: number }).organizationId ?? (await recipientOrganization(pool, recipient))
    if (organizationId == null) {
      payload.logger.warn({ msg: 'outbox: mail to a user with no organization was not stored', to: recipient })
      return { stored: false }
    }
    await withTenantClient(pool, { orgId: organizationId }, (client) =>
      client.query(
        `insert into outbox (recipient, sender, subject, body_text, body_html, organization_id, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, now(), now())`,
        [recipient, addressList(message.from), message.subject ?? '', toText(message.text), toText(message.html), organizationId],
      ),
    )
    return { stored: true }
  },
})

function addressList(value: unknown): string {
  if (value == null) return ''
  if (Array.isArray(value)) return value.map(addressList).join(', ')
  if (typeof value === 'object' && 'address' in value) return String((value as { address: string }).address)
  return String(value)
}

function toText(value: unknown): string | null {
  return typeof value === 'string' ? value : value == null ? null : String(value)
}

/** The first organization the recipient belongs to, read under that user's own RLS context. */
async function recipientOrganization(pool: Pool, email: string): Promise<number | null> {
  const { rows: users } = await pool.query<{ id: number }>('select id from users where lower(email) = lower($1)', [
    email.split(',')[0]?.trim() ?? '',
  ])
  const userId = users[0]?.id
  if (userId == null) return null
  const rows = await withTenantClient(
    pool,
    { userId, readOnly: true },
    async (client) =>
      (
        await client.query<{ organization_id: number }>(
          'select organization_id from memberships where user_id = $1 order by organization_id limit 1',
          [userId],
        )
      ).rows,
  )
  return rows[0]?.organization_id ?? null
}
