import type { Endpoint } from 'payload'

export interface ConfigRoute {
  /** "POST /api/batches/:id/approve" */
  readonly route: string
  /** Lower case, as Payload declares it. */
  readonly method: string
  /** The collection the route belongs to; null for a root endpoint. */
  readonly slug: string | null
  readonly path: string
  /** Not one of the routes Payload adds by itself. */
  readonly custom: boolean
}

export const routeKey = (method: string, prefix: string, path: string) => `${method.toUpperCase()} /api${prefix}${path === '/' ? '' : path}`

/**
 * Every route of the real payload.config, collection routes first (in config order), then the
 * root ones, so a test built on it cannot leave a new endpoint out. Payload's own routes are told
 * apart by handler identity: they are the handlers of a probe config with one plain and one auth
 * collection and nothing custom.
 */
export async function configRoutes(): Promise<ConfigRoute[]> {
  process.env.PAYLOAD_SECRET ??= 'config-routes'
  const { buildConfig } = await import('payload')
  const { default: configPromise } = await import('../../payload.config')
  const config = await configPromise
  const probe = await buildConfig({
    secret: 'probe',
    collections: [
      { slug: 'probe', fields: [] },
      { slug: 'probe-auth', auth: true, fields: [] },
    ],
  } as unknown as Parameters<typeof buildConfig>[0]) // no database: only the route list is read
  const builtIn = new Set([...(probe.endpoints || []), ...probe.collections.flatMap((c) => c.endpoints || [])].map((e) => e.handler))
  const out: ConfigRoute[] = []
  const add = (slug: string | null, endpoints: Endpoint[] | false | undefined) => {
    for (const e of endpoints || []) {
      out.push({
        route: routeKey(e.method, slug ? `/${slug}` : '', e.path),
        method: e.method,
        slug,
        path: e.path,
        custom: !builtIn.has(e.handler),
      })
    }
  }
  for (const c of config.collections) add(c.slug, c.endpoints)
  add(null, config.endpoints)
  return out
}
