import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { ensureBuild } from './lib/build'
import { enableAppLogin, migrate, run } from './lib/database'
import { embeddedAppPassword, startEmbeddedPostgres, type EmbeddedDatabase } from './lib/embedded-postgres'
import { serverNodeOptions } from './lib/server-memory'

/**
 * `npm start`: one command from a fresh clone to a working admin.
 * Without DATABASE_URL it runs PostgreSQL embedded under ./data (no server needed); with it,
 * it uses that server. Either way: migrate as the owner, seed the demo organization once,
 * build if needed, then serve as the non-owner app role on http://localhost:3000.
 */
const dev = process.argv.includes('--dev')
const port = process.env.PORT ?? '3000'
let embedded: EmbeddedDatabase | null = null
let appUrl = process.env.DATABASE_URL
let ownerUrl = process.env.DATABASE_OWNER_URL ?? process.env.DATABASE_URL

if (!appUrl) {
  console.log('No DATABASE_URL: starting the embedded PostgreSQL under ./data/pg …')
  embedded = await startEmbeddedPostgres()
  appUrl = embedded.appUrl
  ownerUrl = embedded.ownerUrl
} else if (!process.env.DATABASE_OWNER_URL) {
  console.warn(
    'DATABASE_OWNER_URL is not set: migrations run as DATABASE_URL. In production, run the app as a role that owns nothing (see docs/deployment.md).',
  )
}

const secret = process.env.PAYLOAD_SECRET || localSecret()
await migrate(ownerUrl!)
if (embedded) await enableAppLogin(ownerUrl!, embeddedAppPassword())

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: appUrl,
  PAYLOAD_SECRET: secret,
  PAYOUT_ENCRYPTION_KEY: process.env.PAYOUT_ENCRYPTION_KEY || localPayoutKey(),
}
const serverEnv: NodeJS.ProcessEnv = { ...env, NODE_OPTIONS: serverNodeOptions(process.env.NODE_OPTIONS) }
if (process.env.SEED !== 'false') await run('npx', ['tsx', 'scripts/seed.ts'], env)
if (!dev) await ensureBuild(env)

const server = spawn('npx', ['next', dev ? 'dev' : 'start', '-p', port], { stdio: 'inherit', env: serverEnv })
console.log(`\nPartner Ledger: http://localhost:${port}/admin\n`)
const shutdown = async (code: number) => {
  await embedded?.stop().catch(() => undefined)
  process.exit(code)
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.kill(sig))
server.on('exit', (code) => void shutdown(code ?? 0))

/** A secret generated once per checkout for local use; production sets PAYLOAD_SECRET. */
function localSecret(): string {
  return localFile('data/payload-secret', () => randomBytes(32).toString('hex'))
}

/** The payout-detail key for local use (outside the database, like production's); production sets PAYOUT_ENCRYPTION_KEY. */
function localPayoutKey(): string {
  return localFile('data/payout-key', () => randomBytes(32).toString('base64'))
}

function localFile(name: string, create: () => string): string {
  const file = path.resolve(name)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(path.dirname(file), { recursive: true })
  const value = create()
  writeFileSync(file, value, { mode: 0o600 })
  return value
}
