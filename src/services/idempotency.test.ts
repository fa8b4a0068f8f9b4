import { describe, expect, test } from 'vitest'

import { readIdempotencyKey, requestHashOf } from './idempotency'

const req = (value: string | null) => ({ headers: new Headers(value === null ? {} : { 'Idempotency-Key': value }) })

describe('readIdempotencyKey', () => {
  test('absent is no key; 1 to 255 printable ASCII characters are a key', () => {
    expect(readIdempotencyKey(req(null))).toEqual({ ok: true, key: null })
    expect(readIdempotencyKey(req('a'))).toEqual({ ok: true, key: 'a' })
    const longest = `~ ${'k'.repeat(252)}!`
    expect(readIdempotencyKey(req(longest))).toEqual({ ok: true, key: longest })
  })

  test.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'caf\u00e9'],
  ])('%s is a 400 naming the header', async (_what, value) => {
    const r = readIdempotencyKey(req(value))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.response.status).toBe(400)
    const body = await r.response.json()
    expect(body.error.code).toBe('invalid_idempotency_key')
    expect(body.error.message).toMatch(/^Idempotency-Key:/)
  })
})

describe('requestHashOf', () => {
  test('the same parameters in another order are the same request; undefined fields are absent', () => {
    expect(requestHashOf('post', '/api/batches/draft', { a: 1, b: { c: 2, d: [1, 2] } })).toBe(
      requestHashOf('POST', '/api/batches/draft', { b: { d: [1, 2], c: 2 }, a: 1, e: undefined }),
    )
  })

  test('another method, path or value is another request', () => {
    const base = requestHashOf('POST', '/api/batches/1/approve', {})
    expect(requestHashOf('GET', '/api/batches/1/approve', {})).not.toBe(base)
    expect(requestHashOf('POST', '/api/batches/2/approve', {})).not.toBe(base)
    expect(requestHashOf('POST', '/api/batches/1/approve', { x: 1 })).not.toBe(base)
    expect(requestHashOf('POST', '/api/batches/1/approve', { d: [2, 1] })).not.toBe(
      requestHashOf('POST', '/api/batches/1/approve', { d: [1, 2] }),
    )
  })
})
