import type { FieldHook, TextField, TextFieldSingleValidation } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { transactionDb } from '../db/session'
import { decryptPayout, encryptPayout, isEncrypted, isMasked, maskPayout } from '../security/payout-crypto'

/**
 * A payout-detail field: encrypted on the way in, masked (last 4) on the way out. The admin form
 * sends back the masked value it was shown when only another field changed; that keeps what is
 * stored. Full details leave only through GET /api/partners/:id/payout-details (audited) and
 * the payout export (audited).
 */
const encryptOnWrite =
  (column: string): FieldHook =>
  async ({ value, originalDoc, operation, req }) => {
    if (value == null || value === '') return null
    const text = String(value)
    if (isEncrypted(text)) return text
    if (isMasked(text)) {
      if (operation !== 'update' || originalDoc?.id == null) return null
      const db = await transactionDb(req)
      const { rows } = await db.execute(sql`select ${sql.raw(column)} as v from partners where id = ${originalDoc.id}`)
      return (rows[0]?.v as string | null | undefined) ?? null
    }
    return encryptPayout(text.trim())
  }

const maskOnRead: FieldHook = ({ value, req }) => {
  if (value == null || value === '') return value
  const plain = decryptPayout(String(value))
  return req.context?.revealPayoutDetails === true ? plain : maskPayout(plain)
}

export function payoutDetailField(name: string, column: string, validate?: TextFieldSingleValidation): TextField {
  return {
    name,
    type: 'text',
    ...(validate ? { validate } : {}),
    hooks: { beforeChange: [encryptOnWrite(column)], afterRead: [maskOnRead] },
    admin: { description: 'Stored encrypted; shown as its last 4 characters.' },
  }
}

/**
 * An email, or the masked value the form was shown (unchanged). Payload validates after the
 * field's beforeChange hook, so an encrypted value is checked in the clear.
 */
export const payoutEmailValidate: TextFieldSingleValidation = (value) => {
  if (value == null || value === '' || isMasked(String(value))) return true
  const plain = isEncrypted(String(value)) ? decryptPayout(String(value)) : String(value)
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(plain) ? true : 'Not an email address.'
}
