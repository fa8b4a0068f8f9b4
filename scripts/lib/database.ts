import { spawn } from 'node:child_process'

import pg from 'pg'

/**
 * Runs the checked-in migrations as the owner role, then lets the app role log in.
 * The app itself never connects as the owner: row-level security is forced on tenant tables,
 * and the app role has neither BYPASSRLS nor ownership.
 */
export async function migrate(ownerUrl: string, extraEnv: Record<string, string> = {}): Promise<void> {
  await run('npx', ['payload', 'migrate'], {
    ...process.env,
    ...extraEnv,
    DATABASE_URL: ownerUrl,
    PAYLOAD_SECRET: process.env.PAYLOAD_SECRET || 'migrations-only',
  })
}

/** Gives the app role a login (and password where the server wants one). */
export async function enableAppLogin(ownerUrl: string, password: string | null): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    const pw = password == null ? '' : ` PASSWORD ${client.escapeLiteral(password)}`
    await client.query(`ALTER ROLE ledger_app LOGIN${pw}`)
  } finally {
    await client.end()
  }
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env })
    child.on('error', reject)
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`)),
    )
  })
}
