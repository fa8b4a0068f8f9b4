/**
 * The session cookie (docs/decisions/005-sessions-and-step-up.md). In production it is
 * `__Host-payload-token`: the browser then only accepts it with Secure, Path=/ and no Domain, so
 * neither a sibling subdomain nor a plain-http page can plant or overwrite it. Local http runs
 * (INSECURE_COOKIES=true, development) keep Payload's `payload-token` name, which a browser takes
 * without Secure. Payload sets HttpOnly and Path=/ itself.
 */
export interface SessionCookieSettings {
  /** Payload's `cookiePrefix`: the token cookie is `${prefix}-token`. */
  cookiePrefix: string
  secure: boolean
  sameSite: 'Lax'
}

export function sessionCookieSettings(env: Record<string, string | undefined> = process.env): SessionCookieSettings {
  const secure = env.NODE_ENV === 'production' && env.INSECURE_COOKIES !== 'true'
  return { cookiePrefix: secure ? '__Host-payload' : 'payload', secure, sameSite: 'Lax' }
}
