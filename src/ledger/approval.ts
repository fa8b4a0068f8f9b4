/**
 * The one payout-batch state machine. Services load the batch, call `transition`, and persist
 * `next` plus the returned effects in one transaction; nothing else decides whether a batch
 * may move. Expected refusals are codes (mapped to 403/409 by endpoints), never throws.
 *
 *   draft --submit--> submitted --approve (1 or 2 managers)--> approved --export--> exported --mark_paid--> paid
 *   draft --discard--> discarded            submitted --reject--> rejected
 *
 * Decisions: `rejected` and `discarded` are terminal and release the
 * entries; a new batch is drafted instead of editing the rejected one, so what the manager
 * refused stays on record exactly as refused. Roles are explicit: `admin` manages the
 * organization and grants nothing here; a person doing two jobs holds two roles, and the
 * preparer/approver separation still applies to them.
 */

export const BATCH_STATES = ['draft', 'submitted', 'approved', 'exported', 'paid', 'rejected', 'discarded'] as const
export type BatchState = (typeof BATCH_STATES)[number]

export type BatchRole = 'admin' | 'ops' | 'manager' | 'finance' | 'auditor'

export interface Actor {
  readonly id: string
  readonly roles: readonly BatchRole[]
}

export interface Approval {
  readonly actorId: string
  readonly at: string
  readonly contentHash: string
}

export interface BatchRecord {
  readonly state: BatchState
  readonly draftedBy: string
  readonly submittedBy: string | null
  /** Hash of the content as submitted (see batch-hash.ts); null while a draft. */
  readonly contentHash: string | null
  readonly totals: readonly { readonly currency: string; readonly totalMinor: bigint }[]
  readonly approvals: readonly Approval[]
  readonly rejection?: { readonly actorId: string; readonly at: string; readonly reason: string } | null
  readonly exported?: {
    readonly actorId: string
    readonly at: string
    readonly format: string
    readonly files: readonly ExportedFileRef[]
  } | null
  readonly payment?: { readonly actorId: string; readonly at: string; readonly reference: string; readonly paidOn: string } | null
}

/** What was handed out, so a later download or bank query can be matched to the exact bytes. */
export interface ExportedFileRef {
  readonly name: string
  readonly sha256: string
}

export type BatchEvent =
  | { readonly type: 'submit'; readonly at: string; readonly contentHash: string }
  | { readonly type: 'approve'; readonly at: string; readonly contentHash: string }
  | { readonly type: 'reject'; readonly at: string; readonly reason: string }
  | { readonly type: 'discard'; readonly at: string }
  | {
      readonly type: 'export'
      readonly at: string
      readonly contentHash: string
      readonly format: string
      readonly files: readonly ExportedFileRef[]
    }
  | { readonly type: 'mark_paid'; readonly at: string; readonly paymentReference: string; readonly paidOn: string }

export type BatchEventType = BatchEvent['type']

export interface ApprovalPolicy {
  /**
   * A second, distinct manager must approve when a currency's batch total is strictly above
   * this. A bigint applies to every currency; a record is per currency, and a currency it does
   * not list requires the second approval (fail safe: an unconfigured currency is not "small").
   * Absent = one approval always.
   */
  readonly secondApproverThresholdMinor?: bigint | Readonly<Record<string, bigint>>
}

export type TransitionError =
  | 'role_not_allowed'
  | 'invalid_transition'
  | 'batch_not_draft'
  | 'batch_not_submitted'
  | 'batch_not_approved'
  | 'batch_not_exported'
  | 'already_exported'
  | 'approver_is_preparer'
  | 'approver_already_approved'
  | 'content_changed'
  | 'content_hash_required'
  | 'reason_required'
  | 'payment_reference_required'
  | 'paid_on_invalid'
  | 'export_files_required'

/** What the service must do alongside saving `next`. */
export type TransitionEffect = 'release_entries' | 'lock_content'

export type TransitionResult =
  | {
      readonly ok: true
      readonly next: BatchRecord
      readonly effects: readonly TransitionEffect[]
      /** True for an approval that was recorded but still awaits the second manager. */
      readonly awaitingSecondApproval: boolean
    }
  | { readonly ok: false; readonly code: TransitionError }

/** Which role may send which event. Not a setting: this is the segregation of duties itself. */
export const EVENT_ROLES: Readonly<Record<BatchEventType | 'draft', BatchRole>> = {
  draft: 'ops',
  submit: 'ops',
  discard: 'ops',
  approve: 'manager',
  reject: 'manager',
  export: 'finance',
  mark_paid: 'finance',
}

const TERMINAL: readonly BatchState[] = ['paid', 'rejected', 'discarded']

function hasRole(actor: Actor, role: BatchRole): boolean {
  return actor.roles.includes(role)
}

/** Drafting creates the record, so it is a check rather than a transition. */
export function canDraft(actor: Actor): { ok: true } | { ok: false; code: 'role_not_allowed' } {
  return hasRole(actor, EVENT_ROLES.draft) ? { ok: true } : { ok: false, code: 'role_not_allowed' }
}

export function newDraftRecord(actor: Actor, totals: BatchRecord['totals']): BatchRecord {
  return { state: 'draft', draftedBy: actor.id, submittedBy: null, contentHash: null, totals, approvals: [] }
}

export function approvalsRequired(totals: BatchRecord['totals'], policy: ApprovalPolicy): 1 | 2 {
  const threshold = policy.secondApproverThresholdMinor
  if (threshold === undefined) return 1
  for (const t of totals) {
    const limit = typeof threshold === 'bigint' ? threshold : threshold[t.currency]
    if (limit === undefined || t.totalMinor > limit) return 2
  }
  return 1
}

function fail(code: TransitionError): TransitionResult {
  return { ok: false, code }
}

function done(next: BatchRecord, effects: readonly TransitionEffect[] = [], awaiting = false): TransitionResult {
  return { ok: true, next, effects, awaitingSecondApproval: awaiting }
}

/** The state an event must start from, and the code when it does not. */
const REQUIRED_STATE: Readonly<Record<BatchEventType, readonly [BatchState, TransitionError]>> = {
  submit: ['draft', 'batch_not_draft'],
  discard: ['draft', 'batch_not_draft'],
  approve: ['submitted', 'batch_not_submitted'],
  reject: ['submitted', 'batch_not_submitted'],
  export: ['approved', 'batch_not_approved'],
  mark_paid: ['exported', 'batch_not_exported'],
}

export function transition(batch: BatchRecord, event: BatchEvent, actor: Actor, policy: ApprovalPolicy = {}): TransitionResult {
  if (!hasRole(actor, EVENT_ROLES[event.type])) return fail('role_not_allowed')
  // Nothing leaves a terminal state; checked first so a paid batch reports "invalid", not "not approved".
  if (TERMINAL.includes(batch.state)) return fail('invalid_transition')
  const [from, wrongState] = REQUIRED_STATE[event.type]
  if (batch.state !== from) {
    return fail(event.type === 'export' && batch.state === 'exported' ? 'already_exported' : wrongState)
  }

  switch (event.type) {
    case 'submit':
      if (event.contentHash === '') return fail('content_hash_required')
      return done({ ...batch, state: 'submitted', submittedBy: actor.id, contentHash: event.contentHash }, ['lock_content'])

    case 'discard':
      return done({ ...batch, state: 'discarded' }, ['release_entries'])

    case 'approve': {
      if (actor.id === batch.draftedBy || actor.id === batch.submittedBy) return fail('approver_is_preparer')
      if (batch.approvals.some((a) => a.actorId === actor.id)) return fail('approver_already_approved')
      if (batch.contentHash === null) throw new Error('submitted batch without a content hash')
      if (event.contentHash !== batch.contentHash) return fail('content_changed')
      const approvals = [...batch.approvals, { actorId: actor.id, at: event.at, contentHash: event.contentHash }]
      const complete = approvals.length >= approvalsRequired(batch.totals, policy)
      return done({ ...batch, state: complete ? 'approved' : 'submitted', approvals }, [], !complete)
    }

    case 'reject':
      if (actor.id === batch.draftedBy || actor.id === batch.submittedBy) return fail('approver_is_preparer')
      if (event.reason.trim() === '') return fail('reason_required')
      return done({ ...batch, state: 'rejected', rejection: { actorId: actor.id, at: event.at, reason: event.reason.trim() } }, [
        'release_entries',
      ])

    case 'export':
      // Recomputed from the stored lines by the caller: any edit since approval voids it.
      if (event.contentHash !== batch.contentHash || batch.approvals.some((a) => a.contentHash !== event.contentHash)) {
        return fail('content_changed')
      }
      if (event.files.length === 0) return fail('export_files_required')
      return done({
        ...batch,
        state: 'exported',
        exported: { actorId: actor.id, at: event.at, format: event.format, files: event.files },
      })

    case 'mark_paid':
      if (event.paymentReference.trim() === '') return fail('payment_reference_required')
      if (!/^\d{4}-\d{2}-\d{2}$/.test(event.paidOn)) return fail('paid_on_invalid')
      return done({
        ...batch,
        state: 'paid',
        payment: { actorId: actor.id, at: event.at, reference: event.paymentReference.trim(), paidOn: event.paidOn },
      })
  }
}

/** Events that `actor` could send now (for showing buttons); each still goes through `transition`. */
export function availableEvents(batch: BatchRecord, actor: Actor): BatchEventType[] {
  if (TERMINAL.includes(batch.state)) return []
  return (Object.keys(REQUIRED_STATE) as BatchEventType[]).filter(
    (type) => REQUIRED_STATE[type][0] === batch.state && hasRole(actor, EVENT_ROLES[type]),
  )
}
