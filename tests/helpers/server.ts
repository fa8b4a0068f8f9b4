import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

import { freePort, SEED_PASSWORD, TEST_PAYOUT_KEY, TEST_SECRET, waitForHttp } from '../setup/global-setup'

/**
 * A production `next start` of its own (the build tests/setup/global-setup.ts made), for tests
 * that stop or kill the server, which the shared one must never be. Same secret and payout key as
 * the shared server, so a session cookie from one is valid on the other.
 */
export interface AppServer {
  readonly url: string
  readonly child: ChildProcess
  /** stdout and stderr so far (for the failure message of a test). */
  readonly log: string[]
  /** SIGKILL to the whole process group (npx, next and its workers), then waits for the exit. */
  kill(): Promise<void>
  /** SIGTERM to the process group, SIGKILL after 5 s. */
  stop(): Promise<void>
}

export async function startAppServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<AppServer> {
  // A new port each start: the killed one's sockets may linger.
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PAYLOAD_SECRET: TEST_SECRET,
    PAYOUT_ENCRYPTION_KEY: TEST_PAYOUT_KEY,
    PAYOUT_ENCRYPTION_KEY_ID: 'test1',
    SEED_PASSWORD,
    NODE_ENV: 'production',
    PORT: String(port),
    INSECURE_COOKIES: 'true',
    DATABASE_POOL_MAX: '4',
    IMPORT_WORKER_INTERVAL_MS: '1000',
    ...extraEnv,
  }
  delete env.SMTP_HOST
  const child = spawn('npx', ['next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const log: string[] = []
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()))
  const url = `http://127.0.0.1:${port}`
  const exited = once(child, 'exit')
  const signal = async (sig: NodeJS.Signals, waitMs: number) => {
    if (child.exitCode != null || child.signalCode != null || !child.pid) return
    try {
      process.kill(-child.pid, sig)
    } catch {
      // the group is gone already
    }
    return Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))])
  }
  const server: AppServer = {
    url,
    child,
    log,
    kill: async () => {
      await signal('SIGKILL', 10_000)
    },
    stop: async () => {
      await signal('SIGTERM', 5000)
      await signal('SIGKILL', 5000)
    },
  }
  try {
    await waitForHttp(`${url}/api/users/me`, child, log)
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}
