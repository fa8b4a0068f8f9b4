import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { postgresAdapter } from '@payloadcms/db-postgres'
import { nodemailerAdapter } from '@payloadcms/email-nodemailer'
import { buildConfig } from 'payload'

import { AuditEvents } from './src/collections/AuditEvents'
import { BatchLines } from './src/collections/BatchLines'
import { Batches } from './src/collections/Batches'
import { Commissions } from './src/collections/Commissions'
import { Conversions } from './src/collections/Conversions'
import { Flags } from './src/collections/Flags'
import { Imports } from './src/collections/Imports'
import { Memberships } from './src/collections/Memberships'
import { Organizations } from './src/collections/Organizations'
import { Outbox } from './src/collections/Outbox'
import { PartnerCodes } from './src/collections/PartnerCodes'
import { Partners } from './src/collections/Partners'
import { PayoutExports } from './src/collections/PayoutExports'
import { Refunds } from './src/collections/Refunds'
import { Users } from './src/collections/Users'
import { withTenantReads } from './src/db/tenant-adapter'
import { outboxAdapter } from './src/email/outbox-adapter'
import { invitationsEndpoint } from './src/endpoints/invitations'
import { dashboardEndpoint, reconciliationEndpoint } from './src/endpoints/program'
import { importFileTask } from './src/jobs/import-file'
import { sessionCookieSettings } from './src/security/session-cookie'
import { startImportWorker } from './src/services/imports/background'

const dirname = path.dirname(fileURLToPath(import.meta.url))

// Wiring only. Where the database comes from (DATABASE_URL or the embedded default) is decided
// by scripts/start.ts before this module loads; see docs/architecture.md.
function emailAdapter() {
  if (!process.env.SMTP_HOST) return outboxAdapter
  return nodemailerAdapter({
    defaultFromAddress: process.env.SMTP_FROM ?? 'ledger@localhost',
    defaultFromName: process.env.SMTP_FROM_NAME ?? 'Partner Ledger',
    skipVerify: true,
    transportOptions: {
      host: process.env.SMTP_HOST,
      port: Number(process.env.SMTP_PORT ?? 587),
      secure: process.env.SMTP_SECURE === 'true',
      auth: process.env.SMTP_USER ? { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS ?? '' } : undefined,
      // A local test relay may use a self-signed certificate; production relays never need this.
      tls: process.env.SMTP_INSECURE_TLS === 'true' ? { rejectUnauthorized: false } : undefined,
    },
  })
}

export default buildConfig({
  serverURL: process.env.PUBLIC_URL ?? '',
  secret: process.env.PAYLOAD_SECRET ?? '',
  // `__Host-payload-token` in production (src/security/session-cookie.ts).
  cookiePrefix: sessionCookieSettings().cookiePrefix,
  admin: {
    user: Users.slug,
    meta: { titleSuffix: ' · Partner Ledger' },
    importMap: { baseDir: dirname },
    // No gravatar: the admin must not call out to third-party hosts.
    avatar: 'default',
    components: {
      // In the header so the active organization is always in view, even with the nav closed.
      actions: ['/src/components/OrganizationSwitcher#OrganizationSwitcher'],
      beforeNavLinks: [
        '/src/components/import/ImportNavLink#ImportNavLink',
        {
          path: '/src/components/program/NavLink#ProgramNavLink',
          clientProps: { href: '/admin/reconciliation', label: 'Reconciliation', id: 'nav-reconciliation' },
        },
        {
          path: '/src/components/program/NavLink#ProgramNavLink',
          clientProps: { href: '/admin/setup', label: 'Program set-up', id: 'nav-setup' },
        },
      ],
      // The organization's dashboard above Payload's collection cards; sends a new admin to the set-up first.
      beforeDashboard: ['/src/components/program/Dashboard#Dashboard'],
      afterNavLinks: ['/src/components/review/ReviewNavLinks#ReviewNavLinks'],
      // The review queues check the session themselves (Payload leaves custom views public).
      views: {
        importWizard: { Component: '/src/components/import/ImportView#ImportView', path: '/import', exact: true },
        // The manager's decision screen for a payout batch (src/components/BatchReview.tsx).
        batchReview: { Component: '/src/components/BatchReviewView#BatchReviewView', path: '/batches/:id/review' },
        programSetup: { Component: '/src/components/program/SetupView#SetupView', path: '/setup', exact: true },
        reconciliation: {
          Component: '/src/components/program/ReconciliationView#ReconciliationView',
          path: '/reconciliation',
          exact: true,
        },
        reviewFlags: { path: '/review/flags', Component: '/src/components/review/ReviewViews#FlagsReviewView' },
        reviewUnattributed: { path: '/review/unattributed', Component: '/src/components/review/ReviewViews#UnattributedReviewView' },
        reviewRefunds: { path: '/review/refunds', Component: '/src/components/review/ReviewViews#RefundsReviewView' },
        reviewNegativeBalances: {
          path: '/review/negative-balances',
          Component: '/src/components/review/ReviewViews#NegativeBalancesReviewView',
        },
      },
    },
  },
  collections: [
    Users,
    Organizations,
    Memberships,
    Partners,
    PartnerCodes,
    Conversions,
    Refunds,
    Commissions,
    Flags,
    Batches,
    BatchLines,
    PayoutExports,
    AuditEvents,
    Outbox,
    Imports,
  ],
  endpoints: [invitationsEndpoint, dashboardEndpoint, reconciliationEndpoint],
  // Background imports (src/services/imports/background.ts). The jobs collection is internal:
  // no REST access and no HTTP runner (jobs run in the server's own worker, started below).
  jobs: {
    tasks: [importFileTask],
    access: { queue: () => false, run: () => false, cancel: () => false },
    jobsCollectionOverrides: ({ defaultJobsCollection }) => ({
      ...defaultJobsCollection,
      endpoints: [],
      lockDocuments: false,
      access: { read: () => false, create: () => false, update: () => false, delete: () => false },
    }),
  },
  onInit: (payload) => startImportWorker(payload),
  // Reads Payload makes straight through the adapter get the request's tenant too (see the module).
  db: withTenantReads(
    postgresAdapter({
      pool: {
        connectionString: process.env.DATABASE_URL,
        max: Number(process.env.DATABASE_POOL_MAX ?? 10),
        // A starved pool fails the request with an error instead of hanging it.
        connectionTimeoutMillis: 15_000,
      },
      // Schema changes only through checked-in migrations, never by push.
      push: false,
      migrationDir: path.resolve(dirname, 'migrations'),
    }),
  ),
  email: emailAdapter(),
  graphQL: { disable: true },
  telemetry: false,
  typescript: { outputFile: path.resolve(dirname, 'src/payload-types.ts') },
})
