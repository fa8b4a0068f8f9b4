import { describe, expect, test } from 'vitest'

import { auditHash, canonicalJson, GENESIS_HASH, verifyChain, type StoredAuditEvent } from './audit-chain'

function chain(n: number): StoredAuditEvent[] {
  const out: StoredAuditEvent[] = []
  let prev = GENESIS_HASH
  for (let i = 1; i <= n; i++) {
    const fields = {
      organization: 1,
      seq: i,
      actor: 7,
      actorLabel: 'ops@example.com',
      action: 'partner.updated',
      entityType: 'partners',
      entityId: String(i),
      changes: { name: { before: 'A', after: `B${i}` } },
      requestId: `r${i}`,
      ip: '127.0.0.1',
      userAgent: 'test',
      occurredAt: new Date(Date.UTC(2026, 0, i)).toISOString(),
      prevHash: prev,
    }
    const hash = auditHash(fields)
    out.push({ ...fields, id: 100 + i, hash })
    prev = hash
  }
  return out
}

describe('audit hash chain', () => {
  test('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}')
  })

  test('an intact chain verifies', () => {
    expect(verifyChain(chain(5))).toMatchObject({ ok: true, checked: 5 })
  })

  type Tamper = (c: StoredAuditEvent[]) => void
  const cases: [string, Tamper, number, string][] = [
    ['edited content', (c) => void (c[2]!.action = 'batch.approved'), 3, 'hash_mismatch'],
    ['deleted row', (c) => void c.splice(1, 1), 3, 'seq_gap'],
    [
      're-hashed row breaks the next link',
      (c) => {
        c[1]!.changes = { forged: true }
        const { id: _i, hash: _h, ...f } = c[1]!
        c[1]!.hash = auditHash(f)
      },
      3,
      'prev_hash_mismatch',
    ],
  ]
  test.each(cases)('%s is named as the first broken link', (_name, tamper, seq, reason) => {
    const c = chain(5)
    tamper(c)
    expect(verifyChain(c)).toMatchObject({ ok: false, brokenAtSeq: seq, reason })
  })
})
