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
import { outboxAdapter } from './src/email/outbox-adapter'
import { invitationsEndpoint } from './src/endpoints/invitations'
import { importFileTask } from './src/jobs/import-file'
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
  admin: {
    user: Users.slug,
    meta: { titleSuffix: ' · Partner Ledger' },
    importMap: { baseDir: dirname },
    // No gravatar: the admin must not call out to third-party hosts.
    avatar: 'default',
    components: {
      // In the header so the active organization is always in view, even with the nav closed.
      actions: ['/src/components/OrganizationSwitcher#OrganizationSwitcher'],
      beforeNavLinks: ['/src/components/import/ImportNavLink#ImportNavLink'],
      views: {
        importWizard: { Component: '/src/components/import/ImportView#ImportView', path: '/import', exact: true },
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
  endpoints: [invitationsEndpoint],
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
  db: postgresAdapter({
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
  email: emailAdapter(),
  graphQL: { disable: true },
  telemetry: false,
  typescript: { outputFile: path.resolve(dirname, 'src/payload-types.ts') },
})
