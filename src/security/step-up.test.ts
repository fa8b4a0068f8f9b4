import type { PayloadRequest } from 'payload'
import { describe, expect, test } from 'vitest'

import { ACCOUNT_FAILURES, ACCOUNT_LOCK_MS, clientAddress, MAX_IN_FLIGHT, PER_CLIENT_FAILURES } from './login-throttle'
import { changesPayee, checkStepUp, STEP_UP_WINDOW_MS } from './step-up'

const reqFor = (user: unknown) => ({ user }) as unknown as PayloadRequest

describe('step-up', () => {
  const now = Date.parse('2026-11-25T12:00:00Z')
  const session = (ageMs: number) =>
    reqFor({ id: 1, _strategy: 'local-jwt', _sid: 's1', sessions: [{ id: 's1', createdAt: new Date(now - ageMs).toISOString() }] })

  test('a session younger than the window passes; an older one does not', async () => {
    expect(await checkStepUp(session(STEP_UP_WINDOW_MS - 1000), 'Approving', now)).toEqual({ ok: true })
    const old = await checkStepUp(session(STEP_UP_WINDOW_MS + 1000), 'Approving', now)
    expect(old.ok).toBe(false)
  })

  test('API keys and sessions that are not in the list never pass', async () => {
    expect((await checkStepUp(reqFor({ id: 1, _strategy: 'api-key' }), 'Approving', now)).ok).toBe(false)
    const foreign = reqFor({
      id: 1,
      _strategy: 'local-jwt',
      _sid: 'gone',
      sessions: [{ id: 's1', createdAt: new Date(now).toISOString() }],
    })
    expect((await checkStepUp(foreign, 'Approving', now)).ok).toBe(false)
  })

  test('what counts as a payee change', () => {
    const original = { payoutMethod: 'paypal' }
    expect(changesPayee({ payoutEmail: 'new@example.test' }, original)).toBe(true)
    expect(changesPayee({ payoutDetails: { iban: 'DE89370400440532013000' } }, original)).toBe(true)
    expect(changesPayee({ payoutMethod: 'bank' }, original)).toBe(true)
    expect(changesPayee({ payoutMethod: 'paypal', name: 'Renamed' }, original)).toBe(false)
    expect(changesPayee({ payoutEmail: '•••• test', payoutDetails: { iban: '•••• 3000' } }, original)).toBe(false)
    expect(changesPayee({ name: 'Renamed', payoutEmail: '' }, original)).toBe(false)
  })
})

describe('login throttling numbers', () => {
  test('the per-account cap allows at most 100 failures an hour (ASVS 2.2.1)', () => {
    expect(ACCOUNT_FAILURES * Math.ceil((60 * 60 * 1000) / ACCOUNT_LOCK_MS)).toBeLessThanOrEqual(100)
    // One client alone cannot reach the account lock, not even with a burst of parallel guesses.
    expect(PER_CLIENT_FAILURES - 1 + MAX_IN_FLIGHT).toBeLessThan(ACCOUNT_FAILURES)
  })

  test('the client is the right-most X-Forwarded-For entry (added by our proxy), not what the client wrote', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '1.2.3.4, 10.0.0.9' }))).toBe('10.0.0.9')
    expect(clientAddress(new Headers({ 'x-forwarded-for': '10.0.0.9' }))).toBe('10.0.0.9')
    expect(clientAddress(new Headers({ 'x-real-ip': '10.0.0.8' }))).toBe('10.0.0.8')
  })
})
