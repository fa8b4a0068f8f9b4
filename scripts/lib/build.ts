import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'

import { run } from './database'

const SOURCES = ['src', 'payload.config.ts', 'next.config.mjs', 'package-lock.json']

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)))
  return newest
}

/**
 * Builds the production app when there is no build or a source file is newer than it.
 * Two test runs at once must not both build into .next, so builds are serialised by a lock
 * directory (mkdir is atomic); a waiter re-checks freshness after getting the lock.
 */
export async function ensureBuild(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const lock = path.resolve('.next-build.lock')
  const deadline = Date.now() + 15 * 60_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 15 minutes; remove it if no build is running`)
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
  try {
    await buildIfStale(env)
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

async function buildIfStale(env: NodeJS.ProcessEnv): Promise<void> {
  const buildId = path.resolve('.next/BUILD_ID')
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0
  const changedAt = Math.max(...SOURCES.map((s) => newestMtime(path.resolve(s))))
  if (builtAt > changedAt) return
  console.log(builtAt ? 'Sources changed since the last build; rebuilding…' : 'Building the app (first run, about 2 minutes)…')
  await run('npx', ['next', 'build'], { ...env, PAYLOAD_SECRET: env.PAYLOAD_SECRET || 'build-time-placeholder' })
}
