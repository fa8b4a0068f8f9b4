import { describe, expect, test } from 'vitest'
import {
  approvalsRequired,
  availableEvents,
  canDraft,
  newDraftRecord,
  transition,
  type Actor,
  type ApprovalPolicy,
  type BatchEvent,
  type BatchRecord,
  type BatchState,
} from './approval'

const ops: Actor = { id: 'u-ops', roles: ['ops'] }
const ops2: Actor = { id: 'u-ops2', roles: ['ops'] }
const mgr: Actor = { id: 'u-mgr', roles: ['manager'] }
const mgr2: Actor = { id: 'u-mgr2', roles: ['manager'] }
const fin: Actor = { id: 'u-fin', roles: ['finance'] }
const admin: Actor = { id: 'u-admin', roles: ['admin'] }
const auditor: Actor = { id: 'u-aud', roles: ['auditor'] }
const opsAndMgr: Actor = { id: 'u-both', roles: ['ops', 'manager'] }

const AT = '2026-03-02T10:00:00Z'
const H = 'a'.repeat(64)
const totals = [{ currency: 'USD', totalMinor: 100_000n }]

const ev = {
  submit: { type: 'submit', at: AT, contentHash: H },
  approve: { type: 'approve', at: AT, contentHash: H },
  reject: { type: 'reject', at: AT, reason: 'amounts look wrong' },
  discard: { type: 'discard', at: AT },
  export: { type: 'export', at: AT, contentHash: H, format: 'nacha', files: [{ name: 'b.ach', sha256: 'f'.repeat(64) }] },
  mark_paid: { type: 'mark_paid', at: AT, paymentReference: 'WIRE-123', paidOn: '2026-03-04' },
} as const satisfies Record<string, BatchEvent>

function record(state: BatchState, patch: Partial<BatchRecord> = {}): BatchRecord {
  const submitted = state !== 'draft' && state !== 'discarded'
  return {
    state,
    draftedBy: ops.id,
    submittedBy: submitted ? ops.id : null,
    contentHash: submitted ? H : null,
    totals,
    approvals: ['approved', 'exported', 'paid'].includes(state) ? [{ actorId: mgr.id, at: AT, contentHash: H }] : [],
    ...patch,
  }
}

function ok(r: ReturnType<typeof transition>) {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}`)
  return r
}

describe('happy path', () => {
  test('draft -> submitted -> approved -> exported -> paid', () => {
    expect(canDraft(ops)).toEqual({ ok: true })
    let b = newDraftRecord(ops, totals)
    const s = ok(transition(b, ev.submit, ops))
    expect(s.effects).toEqual(['lock_content'])
    b = s.next
    expect(b).toMatchObject({ state: 'submitted', submittedBy: ops.id, contentHash: H })
    b = ok(transition(b, ev.approve, mgr)).next
    expect(b.state).toBe('approved')
    b = ok(transition(b, ev.export, fin)).next
    expect(b).toMatchObject({
      state: 'exported',
      exported: { actorId: fin.id, at: AT, format: 'nacha', files: [{ name: 'b.ach', sha256: 'f'.repeat(64) }] },
    })
    b = ok(transition(b, ev.mark_paid, fin)).next
    expect(b).toMatchObject({ state: 'paid', payment: { reference: 'WIRE-123', paidOn: '2026-03-04', actorId: fin.id } })
  })

  test('reject is terminal and releases the entries', () => {
    const r = ok(transition(record('submitted'), ev.reject, mgr))
    expect(r.next).toMatchObject({ state: 'rejected', rejection: { actorId: mgr.id, reason: 'amounts look wrong' } })
    expect(r.effects).toEqual(['release_entries'])
  })

  test('discard a draft releases the entries', () => {
    const r = ok(transition(record('draft'), ev.discard, ops))
    expect(r.next.state).toBe('discarded')
    expect(r.effects).toEqual(['release_entries'])
  })
})

describe('roles', () => {
  test.each<[string, BatchState, BatchEvent, Actor]>([
    ['manager cannot submit', 'draft', ev.submit, mgr],
    ['admin cannot submit (admin grants nothing here)', 'draft', ev.submit, admin],
    ['ops cannot approve', 'submitted', ev.approve, ops2],
    ['admin cannot approve', 'submitted', ev.approve, admin],
    ['finance cannot approve', 'submitted', ev.approve, fin],
    ['auditor cannot reject', 'submitted', ev.reject, auditor],
    ['manager cannot export', 'approved', ev.export, mgr2],
    ['ops cannot export', 'approved', ev.export, ops],
    ['manager cannot mark paid', 'exported', ev.mark_paid, mgr2],
    ['finance cannot discard', 'draft', ev.discard, fin],
  ])('%s', (_name, state, event, actor) => {
    expect(transition(record(state), event, actor)).toEqual({ ok: false, code: 'role_not_allowed' })
  })

  test('only ops may draft', () => {
    expect(canDraft(mgr)).toEqual({ ok: false, code: 'role_not_allowed' })
    expect(canDraft(admin)).toEqual({ ok: false, code: 'role_not_allowed' })
  })
})

describe('segregation of duties', () => {
  test.each<[string, BatchRecord, Actor, BatchEvent, string]>([
    ['drafter approves', record('submitted', { draftedBy: mgr.id }), mgr, ev.approve, 'approver_is_preparer'],
    ['submitter approves', record('submitted', { submittedBy: opsAndMgr.id }), opsAndMgr, ev.approve, 'approver_is_preparer'],
    ['drafter rejects', record('submitted', { draftedBy: mgr.id }), mgr, ev.reject, 'approver_is_preparer'],
    [
      'same manager approves twice',
      record('submitted', { approvals: [{ actorId: mgr.id, at: AT, contentHash: H }] }),
      mgr,
      ev.approve,
      'approver_already_approved',
    ],
  ])('%s -> %s', (_name, batch, actor, event, code) => {
    expect(transition(batch, event, actor, { secondApproverThresholdMinor: 0n })).toEqual({ ok: false, code })
  })

  test('a person holding ops and manager may approve a batch someone else prepared', () => {
    expect(ok(transition(record('submitted'), ev.approve, opsAndMgr)).next.state).toBe('approved')
  })
})

describe('second approver', () => {
  const policy: ApprovalPolicy = { secondApproverThresholdMinor: 50_000n }

  test('above the threshold the first approval waits for a second, distinct manager', () => {
    const first = ok(transition(record('submitted'), ev.approve, mgr, policy))
    expect(first.next.state).toBe('submitted')
    expect(first.awaitingSecondApproval).toBe(true)
    expect(transition(first.next, ev.approve, mgr, policy)).toEqual({ ok: false, code: 'approver_already_approved' })
    const second = ok(transition(first.next, ev.approve, mgr2, policy))
    expect(second.next.state).toBe('approved')
    expect(second.awaitingSecondApproval).toBe(false)
    expect(second.next.approvals.map((a) => a.actorId)).toEqual([mgr.id, mgr2.id])
  })

  test('the second manager can still reject', () => {
    const first = ok(transition(record('submitted'), ev.approve, mgr, policy)).next
    expect(ok(transition(first, ev.reject, mgr2, policy)).next.state).toBe('rejected')
  })

  test.each<[string, ApprovalPolicy, bigint, string, 1 | 2]>([
    ['no policy', {}, 10n ** 12n, 'USD', 1],
    ['at the threshold (not above)', { secondApproverThresholdMinor: 100n }, 100n, 'USD', 1],
    ['one above', { secondApproverThresholdMinor: 100n }, 101n, 'USD', 2],
    ['per currency, under', { secondApproverThresholdMinor: { USD: 100n } }, 100n, 'USD', 1],
    ['per currency, above', { secondApproverThresholdMinor: { USD: 100n } }, 101n, 'USD', 2],
    ['per currency, currency not configured -> fail safe', { secondApproverThresholdMinor: { USD: 100n } }, 1n, 'JPY', 2],
  ])('%s', (_name, policy, total, currency, required) => {
    expect(approvalsRequired([{ currency, totalMinor: total }], policy)).toBe(required)
  })

  test('any currency above its threshold requires two', () => {
    expect(
      approvalsRequired(
        [
          { currency: 'EUR', totalMinor: 1n },
          { currency: 'USD', totalMinor: 1_000n },
        ],
        { secondApproverThresholdMinor: { EUR: 500n, USD: 500n } },
      ),
    ).toBe(2)
  })
})

describe('content binding', () => {
  test('approval refuses content that differs from what was submitted', () => {
    expect(transition(record('submitted'), { ...ev.approve, contentHash: 'b'.repeat(64) }, mgr)).toEqual({
      ok: false,
      code: 'content_changed',
    })
  })

  test('export refuses when the lines changed after approval', () => {
    expect(transition(record('approved'), { ...ev.export, contentHash: 'c'.repeat(64) }, fin)).toEqual({
      ok: false,
      code: 'content_changed',
    })
  })

  test('export refuses when an approval was given to other content', () => {
    const b = record('approved', { approvals: [{ actorId: mgr.id, at: AT, contentHash: 'd'.repeat(64) }] })
    expect(transition(b, ev.export, fin)).toEqual({ ok: false, code: 'content_changed' })
  })

  test('an export records at least one file hash', () => {
    expect(transition(record('approved'), { ...ev.export, files: [] }, fin)).toEqual({ ok: false, code: 'export_files_required' })
  })

  test('submit needs a hash', () => {
    expect(transition(record('draft'), { ...ev.submit, contentHash: '' }, ops)).toEqual({ ok: false, code: 'content_hash_required' })
  })
})

describe('ordering (checklist 23: export before approval, double export, re-open after paid)', () => {
  test.each<[BatchState, BatchEvent, Actor, string]>([
    ['draft', ev.approve, mgr, 'batch_not_submitted'],
    ['approved', ev.approve, mgr2, 'batch_not_submitted'],
    ['approved', ev.reject, mgr2, 'batch_not_submitted'],
    ['exported', ev.reject, mgr2, 'batch_not_submitted'],
    ['draft', ev.export, fin, 'batch_not_approved'],
    ['submitted', ev.export, fin, 'batch_not_approved'],
    ['exported', ev.export, fin, 'already_exported'],
    ['approved', ev.mark_paid, fin, 'batch_not_exported'],
    ['submitted', ev.submit, ops, 'batch_not_draft'],
    ['approved', ev.submit, ops, 'batch_not_draft'],
    ['approved', ev.discard, ops, 'batch_not_draft'],
    ['paid', ev.mark_paid, fin, 'invalid_transition'],
    ['paid', ev.export, fin, 'invalid_transition'],
    ['paid', ev.submit, ops, 'invalid_transition'],
    ['paid', ev.reject, mgr2, 'invalid_transition'],
    ['rejected', ev.submit, ops, 'invalid_transition'],
    ['rejected', ev.approve, mgr2, 'invalid_transition'],
    ['discarded', ev.submit, ops, 'invalid_transition'],
  ])('%s + %o -> %s', (state, event, actor, code) => {
    expect(transition(record(state), event, actor)).toEqual({ ok: false, code })
  })

  test('mark paid needs a reference and a date', () => {
    expect(transition(record('exported'), { ...ev.mark_paid, paymentReference: ' ' }, fin)).toEqual({
      ok: false,
      code: 'payment_reference_required',
    })
    expect(transition(record('exported'), { ...ev.mark_paid, paidOn: '4 March' }, fin)).toEqual({ ok: false, code: 'paid_on_invalid' })
  })

  test('reject needs a reason', () => {
    expect(transition(record('submitted'), { ...ev.reject, reason: '  ' }, mgr)).toEqual({ ok: false, code: 'reason_required' })
  })

  test('transition never mutates its input', () => {
    const b = record('submitted')
    const copy = structuredClone(b)
    transition(b, ev.approve, mgr)
    expect(b).toEqual(copy)
  })
})

describe('availableEvents', () => {
  test.each<[BatchState, Actor, string[]]>([
    ['draft', ops, ['submit', 'discard']],
    ['draft', mgr, []],
    ['submitted', mgr, ['approve', 'reject']],
    ['approved', fin, ['export']],
    ['exported', fin, ['mark_paid']],
    ['paid', fin, []],
    ['rejected', mgr, []],
  ])('%s for %o', (state, actor, events) => {
    expect(availableEvents(record(state), actor).sort()).toEqual(events.sort())
  })
})
