import { ensureBuild } from './lib/build'
import { run } from './lib/database'

/**
 * `npm test`: unit tests, then integration tests (real Postgres, real HTTP against the production
 * build), then browser tests in Debian's chromium. With TEST_PG_ADMIN_URL the database is created
 * on that server; without it, in the embedded default. Extra arguments go to vitest.
 */
const extra = process.argv.slice(2)
await ensureBuild()
await run('npx', ['vitest', 'run', '--project', 'unit', '--project', 'integration', '--project', 'e2e', ...extra])
