import { migrate } from './lib/database'

/** `npm run migrate`: applies the checked-in migrations as the schema owner. */
const url = process.env.DATABASE_OWNER_URL ?? process.env.DATABASE_URL
if (!url) {
  console.error('Set DATABASE_OWNER_URL (or DATABASE_URL) to the database to migrate.')
  process.exit(2)
}
await migrate(url)
