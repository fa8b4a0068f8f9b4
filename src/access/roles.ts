/**
 * The role x action table: the single place that says who may do what inside an organization.
 * Collections, custom endpoints and docs/access.md all derive from it, and the access test
 * walks every cell for the user's own and a foreign organization.
 */
export const ROLES = ['admin', 'ops', 'manager', 'finance', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export type CrudAction = 'read' | 'create' | 'update' | 'delete'

/** Tenant collections whose access follows the table. */
export const TENANT_COLLECTIONS = [
  'memberships',
  'partners',
  'partner-codes',
  'conversions',
  'commissions',
  'batches',
  'audit-events',
  'outbox',
  'imports',
  'refunds',
  'flags',
  'batch-lines',
  'payout-exports',
] as const
export type TenantCollection = (typeof TENANT_COLLECTIONS)[number]

const ALL: readonly Role[] = ROLES
const NONE: readonly Role[] = []

export const COLLECTION_ACCESS: Record<TenantCollection, Record<CrudAction, readonly Role[]>> = {
  memberships: { read: ALL, create: ['admin'], update: ['admin'], delete: ['admin'] },
  partners: { read: ALL, create: ['admin', 'ops'], update: ['admin', 'ops'], delete: NONE },
  'partner-codes': { read: ALL, create: ['admin', 'ops'], update: NONE, delete: ['admin', 'ops'] },
  // Conversions and ledger entries are written by imports and services, not typed in by hand;
  // history is never edited, so nobody updates or deletes them through the API.
  conversions: { read: ALL, create: ['ops'], update: NONE, delete: NONE },
  commissions: { read: ALL, create: NONE, update: NONE, delete: NONE },
  // Batches are drafted and moved only through the batch endpoints (POST /api/batches/draft, ...),
  // so every state change passes the one state machine; a plain create could start one "approved".
  batches: { read: ALL, create: NONE, update: NONE, delete: NONE },
  // Audit events are appended by the server only; the database refuses edits as well.
  'audit-events': { read: ['admin', 'auditor'], create: NONE, update: NONE, delete: NONE },
  outbox: { read: ['admin'], create: NONE, update: NONE, delete: NONE },
  // An import is created with its file through POST /api/imports and is never edited afterwards.
  imports: { read: ALL, create: ['admin', 'ops'], update: NONE, delete: NONE },
  // A refund typed in by hand is applied to the ledger like an imported one (a new entry).
  refunds: { read: ALL, create: ['ops'], update: NONE, delete: NONE },
  // Flags are raised by the ledger; a manager decides them through POST /api/flags/:id/decision.
  flags: { read: ALL, create: NONE, update: NONE, delete: NONE },
  // Lines are written when a batch is drafted; the batch endpoints move them, nobody edits them.
  'batch-lines': { read: ALL, create: NONE, update: NONE, delete: NONE },
  // Payee details leave the building in these files: ops does not need to see them.
  'payout-exports': { read: ['admin', 'manager', 'finance', 'auditor'], create: NONE, update: NONE, delete: NONE },
}

/** Named functions outside plain CRUD, each enforced by its endpoint. */
export const FUNCTION_ACCESS = {
  'organization.update': ['admin'],
  'organization.create': ['admin'],
  'membership.invite': ['admin'],
  'audit.verify': ['admin', 'auditor'],
  'audit.export': ['admin', 'auditor'],
  // Money decisions are the manager's: whoever imports or drafts never clears their own doubt.
  'flag.decide': ['manager'],
  'commission.adjust': ['manager'],
  'commission.write_off': ['manager'],
  'conversion.assign': ['admin', 'ops'],
  'refund.assign': ['admin', 'ops'],
  // Balances, statements and the queues: everyone in the organization may look.
  'ledger.read': ['admin', 'ops', 'manager', 'finance', 'auditor'],
  // Full bank and PayPal details, decrypted: only who pays or administers; every reveal is audited.
  'payout.reveal': ['admin', 'finance'],
  // Payout batches: the segregation of duties of src/ledger/approval.ts (EVENT_ROLES) as endpoints.
  'batch.draft': ['ops'],
  'batch.submit': ['ops'],
  'batch.discard': ['ops'],
  'batch.approve': ['manager'],
  'batch.reject': ['manager'],
  'batch.export': ['finance'],
  'batch.mark_paid': ['finance'],
  // Custom CSV templates shape what leaves in AP files, so finance (who downloads) keeps them.
  'batch.export_template': ['admin', 'finance'],
} as const satisfies Record<string, readonly Role[]>
export type FunctionName = keyof typeof FUNCTION_ACCESS

export function roleAllows(role: Role | null | undefined, collection: TenantCollection, action: CrudAction) {
  return role != null && COLLECTION_ACCESS[collection][action].includes(role)
}

export function roleMayCall(role: Role | null | undefined, fn: FunctionName): boolean {
  return role != null && (FUNCTION_ACCESS[fn] as readonly Role[]).includes(role)
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export function isTenantCollection(slug: string): slug is TenantCollection {
  return (TENANT_COLLECTIONS as readonly string[]).includes(slug)
}
