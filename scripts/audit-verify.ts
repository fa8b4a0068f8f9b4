import pg from 'pg'

import { verifyOrganizationChain } from '../src/services/verify-audit-chain'

/**
 * `npm run audit:verify [-- --org ID]`: verifies the audit hash chain of one organization, or of
 * every organization, in the database named by DATABASE_URL. Exit code 1 names a broken chain.
 */
const url = process.env.DATABASE_URL
if (!url) {
  console.error('Set DATABASE_URL (the owner URL lists every organization; the app role needs --org).')
  process.exit(2)
}
const orgArg = process.argv.indexOf('--org')
const pool = new pg.Pool({ connectionString: url, max: 2 })
let orgIds: number[]
if (orgArg >= 0) {
  orgIds = [Number(process.argv[orgArg + 1])]
} else {
  orgIds = (await pool.query<{ id: number }>('select id from organizations order by id')).rows.map((r) => r.id)
}
let broken = 0
for (const id of orgIds) {
  const verdict = await verifyOrganizationChain(pool, id)
  if (verdict.ok) {
    console.log(`organization ${id}: ok, ${verdict.checked} events, head ${verdict.lastHash.slice(0, 16)}`)
  } else {
    broken++
    console.log(
      `organization ${id}: BROKEN at seq ${verdict.brokenAtSeq} (event id ${verdict.eventId}, ${verdict.reason}); ${verdict.checked} events before it verify`,
    )
  }
}
await pool.end()
process.exit(broken ? 1 : 0)
