import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * Payout details (bank accounts, PayPal and Wise addresses) are stored encrypted with AES-256-GCM
 * under a key that lives outside the database (environment), so a database dump or a read
 * replica holds no account number in the clear.
 *
 * Stored form: `pl1:<key id>:<base64(iv | ciphertext | tag)>`. The key id picks the key, so old
 * rows stay readable while `npm run payout-keys:rotate` re-encrypts them under the current key.
 *
 * Keys: PAYOUT_ENCRYPTION_KEY (32 bytes, base64) with PAYOUT_ENCRYPTION_KEY_ID (default `k1`);
 * earlier keys in PAYOUT_ENCRYPTION_OLD_KEYS as `id:base64,id:base64`. Without a key outside
 * production, one is derived from PAYLOAD_SECRET (id `dev`) so a checkout works out of the box;
 * production refuses to start encrypting without PAYOUT_ENCRYPTION_KEY.
 */

const PREFIX = 'pl1'

export interface PayoutKeyring {
  readonly current: { id: string; key: Buffer }
  readonly byId: ReadonlyMap<string, Buffer>
}

function decodeKey(b64: string, what: string): Buffer {
  const key = Buffer.from(b64.trim(), 'base64')
  if (key.length !== 32) throw new Error(`${what}: expected 32 bytes of base64, got ${key.length}`)
  return key
}

export function keyringFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PayoutKeyring {
  const byId = new Map<string, Buffer>()
  for (const part of (env.PAYOUT_ENCRYPTION_OLD_KEYS ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = part.indexOf(':')
    if (at <= 0) throw new Error('PAYOUT_ENCRYPTION_OLD_KEYS: expected id:base64 pairs separated by commas')
    byId.set(part.slice(0, at).trim(), decodeKey(part.slice(at + 1), `PAYOUT_ENCRYPTION_OLD_KEYS ${part.slice(0, at)}`))
  }
  let current: { id: string; key: Buffer }
  if (env.PAYOUT_ENCRYPTION_KEY) {
    current = { id: (env.PAYOUT_ENCRYPTION_KEY_ID ?? 'k1').trim(), key: decodeKey(env.PAYOUT_ENCRYPTION_KEY, 'PAYOUT_ENCRYPTION_KEY') }
  } else {
    if (env.NODE_ENV === 'production' && env.PAYOUT_ENCRYPTION_DEV_KEY !== 'allow') {
      throw new Error('PAYOUT_ENCRYPTION_KEY is not set: payout details cannot be stored (see docs/deployment.md).')
    }
    if (!env.PAYLOAD_SECRET) throw new Error('PAYOUT_ENCRYPTION_KEY or PAYLOAD_SECRET must be set to store payout details.')
    current = { id: 'dev', key: createHash('sha256').update(`payout-details:${env.PAYLOAD_SECRET}`).digest() }
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(current.id)) throw new Error('PAYOUT_ENCRYPTION_KEY_ID: letters, digits, - and _ only')
  byId.set(current.id, current.key)
  return { current, byId }
}

let cached: PayoutKeyring | null = null
function keyring(): PayoutKeyring {
  cached ??= keyringFromEnv()
  return cached
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(`${PREFIX}:`)
}

export function encryptPayout(plain: string, ring: PayoutKeyring = keyring()): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv)
  const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${PREFIX}:${ring.current.id}:${body.toString('base64')}`
}

/** Plain text of a stored value; a value written before encryption existed is returned as it is. */
export function decryptPayout(stored: string, ring: PayoutKeyring = keyring()): string {
  if (!isEncrypted(stored)) return stored
  const [, id, b64] = stored.split(':')
  const key = ring.byId.get(id ?? '')
  if (!key) throw new Error(`payout details were encrypted with key "${id}", which is not configured (PAYOUT_ENCRYPTION_OLD_KEYS)`)
  const body = Buffer.from(b64 ?? '', 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12))
  decipher.setAuthTag(body.subarray(body.length - 16))
  return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString('utf8')
}

export function keyIdOf(stored: string): string | null {
  return isEncrypted(stored) ? (stored.split(':')[1] ?? null) : null
}

/** What the admin shows: the last four characters, the rest as bullets. */
export function maskPayout(plain: string): string {
  const tail = plain.slice(-4)
  return plain.length <= 4 ? '••••' : `•••• ${tail}`
}

export function isMasked(value: string): boolean {
  return value.startsWith('••••')
}

/** The partners columns that hold payout details. */
export const PAYOUT_COLUMNS = [
  'payout_email',
  'payout_details_holder_name',
  'payout_details_iban',
  'payout_details_bic',
  'payout_details_routing_number',
  'payout_details_account_number',
] as const

/**
 * A payee snapshot (a batch line's approved payout details) as stored: encrypted as a whole, with
 * only the method in the clear so a reader can tell lines apart without the key.
 */
export function sealPayee(payee: { method: string } & Record<string, unknown>): { method: string; sealed: string } {
  return { method: payee.method, sealed: encryptPayout(JSON.stringify(payee)) }
}

export function openPayee<T>(stored: unknown, ring: PayoutKeyring = keyring()): T {
  const s = stored as { sealed?: unknown } | null
  return (s && typeof s.sealed === 'string' ? JSON.parse(decryptPayout(s.sealed, ring)) : stored) as T
}
