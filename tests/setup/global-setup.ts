import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'

import type { TestProject } from 'vitest/node'

import { run } from '../../scripts/lib/database'
import { ensureBuild } from '../../scripts/lib/build'
import { createTestDatabase } from './test-database'

export const SEED_PASSWORD = 'demo-password-123'
export const TEST_SECRET = 'test-secret-0123456789abcdef'
/** 32 bytes, base64: the payout-detail key of the test server (tests decrypt with it too). */
export const TEST_PAYOUT_KEY = Buffer.alloc(32, 7).toString('base64')

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    ownerUrl: string
    appUrl: string
    dbKind: string
    sheetsPort: number
  }
}

/**
 * One real stack per test project: a fresh database (migrated as the owner, seeded with the
 * demo organization), and the production Next.js server logged in to Postgres as the app role.
 */
export default async function setup(project: TestProject) {
  const db = await createTestDatabase()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.appUrl,
    PAYLOAD_SECRET: TEST_SECRET,
    PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
    PAYOUT_ENCRYPTION_KEY_ID: 'test1',
    SEED_PASSWORD,
    NODE_ENV: 'production',
  }
  delete env.SMTP_HOST
  await run('npx', ['tsx', 'scripts/seed.ts'], env)
  await ensureBuild(env)

  const port = await freePort()
  // Google Sheets links are fetched from a local server the sheets tests start on this port
  // (src/services/fetch-sheet.ts honours the base in a production build only with the _ALLOWED flag).
  const sheetsPort = await freePort()
  const server = spawn('npx', ['next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    env: {
      ...env,
      PORT: String(port),
      INSECURE_COOKIES: 'true',
      DATABASE_POOL_MAX: '4',
      SHEETS_FETCH_BASE_URL: `http://127.0.0.1:${sheetsPort}`,
      SHEETS_FETCH_BASE_URL_ALLOWED: 'true',
      // Short, so the timeout test does not wait the production 15 s; a local answer takes milliseconds.
      SHEETS_FETCH_TIMEOUT_MS: '5000',
      // Files over 1 MB import in the background (a Payload job), so tests reach that path with small files.
      IMPORT_SYNC_MAX_BYTES: String(1024 * 1024),
      // The worker looks for queued jobs and interrupted imports every second instead of every 10.
      IMPORT_WORKER_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const log: string[] = []
  server.stdout?.on('data', (d: Buffer) => log.push(d.toString()))
  server.stderr?.on('data', (d: Buffer) => log.push(d.toString()))
  const baseUrl = `http://127.0.0.1:${port}`
  await waitForHttp(`${baseUrl}/api/users/me`, server, log)

  project.provide('baseUrl', baseUrl)
  project.provide('ownerUrl', db.ownerUrl)
  project.provide('appUrl', db.appUrl)
  project.provide('dbKind', db.kind)
  project.provide('sheetsPort', sheetsPort)

  return async () => {
    if (server.pid) process.kill(-server.pid, 'SIGTERM')
    await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 5000))])
    if (process.env.TEST_SERVER_LOG) console.log(log.join(''))
    await db.drop()
  }
}

export async function freePort(): Promise<number> {
  const srv = net.createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const port = (srv.address() as net.AddressInfo).port
  srv.close()
  return port
}

export async function waitForHttp(url: string, child: ChildProcess, log: string[]) {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode != null) throw new Error(`next start exited early:\n${log.join('')}`)
    try {
      const res = await fetch(url)
      if (res.status < 500) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`server did not answer at ${url}:\n${log.join('')}`)
}
