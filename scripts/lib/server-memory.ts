/**
 * The V8 limits `npm start` gives the server (and the bench gives the server it measures).
 *
 * Old space: V8 grows it towards what the machine has (gigabytes), so an import's short-lived
 * garbage showed up as 420-530 MB of RSS; a cap makes it collect sooner instead.
 *
 * Young generation: V8's default is two 16 MB semi-spaces, 32 MB that an import keeps full and
 * that count in RSS all the time. A 1,000,000-row import on the server Postgres (docs/performance.md,
 * "Peak memory"): default 300 MB peak in 232 s; 8 MB semi-spaces 253 MB in 241 s;
 * 4 MB 241 MB in 265 s (more scavenges, more promoted too early). 8 MB keeps the speed.
 *
 * SERVER_HEAP_MB and SERVER_SEMI_SPACE_MB change them; a flag already in NODE_OPTIONS wins.
 */
export const DEFAULT_HEAP_MB = 256
export const DEFAULT_SEMI_SPACE_MB = 8

export function serverNodeOptions(nodeOptions: string | undefined, env: Record<string, string | undefined> = process.env): string {
  let options = (nodeOptions ?? '').trim()
  if (!/--max-old-space-size/.test(options)) {
    options += ` --max-old-space-size=${megabytes(env, 'SERVER_HEAP_MB', DEFAULT_HEAP_MB, 64)}`
  }
  if (!/--max-semi-space-size/.test(options)) {
    options += ` --max-semi-space-size=${megabytes(env, 'SERVER_SEMI_SPACE_MB', DEFAULT_SEMI_SPACE_MB, 1)}`
  }
  return options.trim()
}

function megabytes(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const mb = Number(raw)
  if (!Number.isInteger(mb) || mb < min) throw new Error(`${name}: ${raw} is not a size in MB (a whole number >= ${min})`)
  return mb
}
