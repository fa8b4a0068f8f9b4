import pg from 'pg'

import { decryptPayout, encryptPayout, keyIdOf, keyringFromEnv, PAYOUT_COLUMNS } from '../src/security/payout-crypto'

/**
 * Re-encrypts every stored payout detail under the current key (`npm run payout-keys:rotate`).
 *
 *   PAYOUT_ENCRYPTION_KEY=<new base64> PAYOUT_ENCRYPTION_KEY_ID=k2 \
 *   PAYOUT_ENCRYPTION_OLD_KEYS=k1:<old base64> DATABASE_OWNER_URL=postgres://owner@db/ledger npm run payout-keys:rotate
 *
 * Runs as the database owner (like migrations), one organization per transaction with its
 * tenant setting, so row-level security applies as for the app. Restart the app with the same
 * three variables; drop the old key from PAYOUT_ENCRYPTION_OLD_KEYS once this reports 0 left.
 */
const url = process.env.DATABASE_OWNER_URL || process.env.DATABASE_URL
if (!url) throw new Error('Set DATABASE_OWNER_URL (or DATABASE_URL) to the database to rotate.')
const ring = keyringFromEnv()
const client = new pg.Client({ connectionString: url })
await client.connect()
let rotated = 0
try {
  const orgs = (await client.query<{ id: number }>(`select id from organizations order by id`)).rows
  for (const { id } of orgs) {
    await client.query('begin')
    await client.query(`select set_config('app.org_id', $1, true)`, [String(id)])
    const { rows } = await client.query(`select id, ${PAYOUT_COLUMNS.join(', ')} from partners where organization_id = $1 for update`, [id])
    for (const row of rows) {
      const updates: [string, string][] = []
      for (const column of PAYOUT_COLUMNS) {
        const value = row[column] as string | null
        if (value == null || value === '' || keyIdOf(value) === ring.current.id) continue
        updates.push([column, encryptPayout(decryptPayout(value, ring), ring)])
      }
      if (updates.length === 0) continue
      await client.query(`update partners set ${updates.map(([c], i) => `${c} = $${i + 2}`).join(', ')} where id = $1`, [
        row.id,
        ...updates.map(([, v]) => v),
      ])
      rotated += updates.length
    }
    await client.query('commit')
  }
  console.log(`Re-encrypted ${rotated} payout detail values under key "${ring.current.id}".`)
} catch (err) {
  await client.query('rollback').catch(() => undefined)
  throw err
} finally {
  await client.end()
}
