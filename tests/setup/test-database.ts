import { randomBytes } from 'node:crypto'
import path from 'node:path'

import pg from 'pg'

import { enableAppLogin, migrate } from '../../scripts/lib/database'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/lib/embedded-postgres'

export const APP_PASSWORD = 'app-role-test-password'

export interface TestDatabase {
  kind: 'server' | 'embedded'
  ownerUrl: string
  appUrl: string
  drop: () => Promise<void>
}

/**
 * A fresh database per test run. With TEST_PG_ADMIN_URL (CI: the machine's Postgres server)
 * it is created there; otherwise in the embedded default under ./data/test-pg (port 54339, so a
 * running `npm start` on 54329 is left alone), so tests run on a machine with no Postgres server.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ledger_test_${process.pid}_${Date.now()}_${randomBytes(3).toString('hex')}`
  const adminUrl = process.env.TEST_PG_ADMIN_URL
  let embedded: SharedCluster | null = null
  let serverAdminUrl: string
  if (adminUrl) {
    serverAdminUrl = adminUrl
  } else {
    embedded = await acquireEmbeddedCluster()
    serverAdminUrl = embedded.db.ownerUrl
  }
  await withClient(serverAdminUrl, (c) => c.query(`create database ${name}`))
  const ownerUrl = withDatabase(serverAdminUrl, name)
  await migrate(ownerUrl)
  await enableAppLogin(ownerUrl, APP_PASSWORD)
  const app = new URL(ownerUrl)
  app.username = 'ledger_app'
  app.password = APP_PASSWORD
  return {
    kind: adminUrl ? 'server' : 'embedded',
    ownerUrl,
    appUrl: app.toString(),
    drop: async () => {
      await withClient(serverAdminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => undefined)
      if (embedded) await releaseEmbeddedCluster(embedded)
    },
  }
}

interface SharedCluster {
  db: EmbeddedDatabase
  users: number
}

const CLUSTER_KEY = Symbol.for('partner-ledger.test-embedded-cluster')
type ClusterHolder = { [CLUSTER_KEY]?: Promise<SharedCluster> }

/**
 * The integration and browser projects each run a global setup, concurrently and possibly in
 * separate module instances of the same process: they share one embedded cluster (each with its
 * own database) through globalThis, and the last one out stops it.
 */
async function acquireEmbeddedCluster(): Promise<SharedCluster> {
  const holder = globalThis as ClusterHolder
  holder[CLUSTER_KEY] ??= startEmbeddedPostgres(path.resolve('data/test-pg'), 'postgres', 54339).then((db) => ({ db, users: 0 }))
  const cluster = await holder[CLUSTER_KEY]
  cluster.users++
  return cluster
}

async function releaseEmbeddedCluster(cluster: SharedCluster): Promise<void> {
  cluster.users--
  if (cluster.users > 0) return
  delete (globalThis as ClusterHolder)[CLUSTER_KEY]
  await cluster.db.stop()
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}
