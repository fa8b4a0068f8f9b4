import { getPayload } from 'payload'

import { seedDemo } from '../src/seed/demo'

/** Seeds the demo organization into the database named by DATABASE_URL (as the app role). */
const { default: config } = await import('../payload.config')
const payload = await getPayload({ config })
const result = await seedDemo(payload, { password: process.env.SEED_PASSWORD || undefined })
if (result) {
  console.log('\nDemo organization created. These passwords are shown once:')
  for (const u of result.users) console.log(`  ${u.role.padEnd(8)} ${u.email.padEnd(22)} ${u.password}`)
  console.log('')
} else {
  console.log('Demo organization already present; nothing seeded.')
}
await payload.destroy()
process.exit(0)
