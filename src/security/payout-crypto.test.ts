import { describe, expect, test } from 'vitest'

import { decryptPayout, encryptPayout, isEncrypted, keyIdOf, keyringFromEnv, maskPayout } from './payout-crypto'

const key = (n: number) => Buffer.alloc(32, n).toString('base64')

describe('payout detail encryption', () => {
  const ring = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: key(1), PAYOUT_ENCRYPTION_KEY_ID: 'k1' })

  test('round-trips, with a fresh IV each time, and never contains the plain text', () => {
    const a = encryptPayout('DE89370400440532013000', ring)
    const b = encryptPayout('DE89370400440532013000', ring)
    expect(a).not.toBe(b)
    expect(a).not.toContain('DE89370400440532013000')
    expect(isEncrypted(a)).toBe(true)
    expect(keyIdOf(a)).toBe('k1')
    expect(decryptPayout(a, ring)).toBe('DE89370400440532013000')
  })

  test('a tampered value is refused (GCM tag)', () => {
    const a = encryptPayout('123456789', ring)
    const body = Buffer.from(a.split(':')[2]!, 'base64')
    body[14] = body[14]! ^ 1
    expect(() => decryptPayout(`pl1:k1:${body.toString('base64')}`, ring)).toThrow()
  })

  test('after rotation the old key still reads old rows; a missing key is named', () => {
    const old = encryptPayout('old@paypal.test', ring)
    const rotated = keyringFromEnv({
      PAYOUT_ENCRYPTION_KEY: key(2),
      PAYOUT_ENCRYPTION_KEY_ID: 'k2',
      PAYOUT_ENCRYPTION_OLD_KEYS: `k1:${key(1)}`,
    })
    expect(decryptPayout(old, rotated)).toBe('old@paypal.test')
    expect(keyIdOf(encryptPayout('x', rotated))).toBe('k2')
    const withoutOld = keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: key(2), PAYOUT_ENCRYPTION_KEY_ID: 'k2' })
    expect(() => decryptPayout(old, withoutOld)).toThrow(/key "k1"/)
  })

  test('production needs a real key; a short key is refused', () => {
    expect(() => keyringFromEnv({ NODE_ENV: 'production', PAYLOAD_SECRET: 's' })).toThrow(/PAYOUT_ENCRYPTION_KEY/)
    expect(() => keyringFromEnv({ PAYOUT_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/32 bytes/)
    expect(keyringFromEnv({ PAYLOAD_SECRET: 's' }).current.id).toBe('dev')
  })

  test('masks all but the last four', () => {
    expect(maskPayout('DE89370400440532013000')).toBe('•••• 3000')
    expect(maskPayout('abc')).toBe('••••')
  })
})
