/**
 * Every security header the app sends, in one place; next.config.mjs applies these rules to
 * every response (pages, the admin, the REST API, static files).
 *
 * Why the rules are static (next.config `headers()`) rather than per-request (a Next proxy with
 * a CSP nonce): a proxy clones every request body before the route sees it, capped at 10 MB by
 * default, which would cut off large CSV uploads and defeat the streaming 413 of POST /api/imports.
 * So scripts may be inline ('unsafe-inline': Next's bootstrap and Payload's admin inline them);
 * everything else is locked to this origin, nothing may frame us, and no plugin or <base> is allowed.
 *
 * HSTS is sent only where it means something: behind a TLS-terminating proxy that says
 * `x-forwarded-proto: https`, or on every response when the app is built with HSTS=always
 * (Next bakes header rules into the build, so the flag is read by `next build`).
 */

export const HSTS_VALUE = 'max-age=31536000; includeSubDomains'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** @type {{ key: string, value: string }[]} */
export const ALWAYS = [
  { key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
]

/**
 * The `headers()` rules for next.config.mjs.
 * @param {{ hstsAlways?: boolean }} [options]
 */
export function securityHeaderRules(options = {}) {
  const hsts = { key: 'Strict-Transport-Security', value: HSTS_VALUE }
  return [
    { source: '/:path*', headers: options.hstsAlways ? [...ALWAYS, hsts] : ALWAYS },
    ...(options.hstsAlways
      ? []
      : [
          {
            source: '/:path*',
            // First hop's scheme, as a TLS-terminating proxy reports it (Next anchors the pattern).
            has: [{ type: /** @type {const} */ ('header'), key: 'x-forwarded-proto', value: 'https(?:,.*)?' }],
            headers: [hsts],
          },
        ]),
  ]
}
