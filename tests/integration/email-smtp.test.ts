import { once } from 'node:events'
import type { AddressInfo } from 'node:net'

import type { Payload } from 'payload'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

import { ownerQuery } from '../helpers/accounts'

interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

/** Header block and decoded body of a raw message (enough for single-part text or HTML mails). */
function parse(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n')
  const headers = raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/\r\n/g, '\n')
  let body = raw.slice(split + 4)
  if (/content-transfer-encoding:\s*quoted-printable/i.test(raw)) {
    body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  }
  if (/content-transfer-encoding:\s*base64/i.test(headers)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  return { headers, body }
}

/**
 * The real nodemailer adapter from payload.config.ts, talking SMTP to a server in this process:
 * what a deployment with SMTP_HOST set does, minus the internet.
 */
describe('email over SMTP', () => {
  const received: ReceivedMail[] = []
  const waiters: (() => void)[] = []
  let server: SMTPServer
  let payload: Payload

  async function nextMail(count: number): Promise<ReceivedMail> {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve))
    return received[count - 1]!
  }

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          })
          waiters.splice(0).forEach((w) => w())
          callback()
        })
      },
    })
    server.listen(0, '127.0.0.1')
    await once(server.server, 'listening')
    const port = (server.server.address() as AddressInfo).port

    process.env.SMTP_HOST = '127.0.0.1'
    process.env.SMTP_PORT = String(port)
    process.env.SMTP_FROM = 'ledger-test@partner-ledger.test'
    process.env.SMTP_SECURE = 'false'
    process.env.SMTP_INSECURE_TLS = 'true'
    delete process.env.SMTP_USER
    process.env.DATABASE_URL = inject('appUrl')
    process.env.PAYLOAD_SECRET = 'x-test-secret-0123456789'

    const { getPayload } = await import('payload')
    const { default: config } = await import('../../payload.config')
    payload = await getPayload({ config })
  })

  afterAll(async () => {
    await payload?.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  })

  test('the configured adapter is nodemailer, not the outbox', () => {
    expect(payload.email.name).toBe('nodemailer')
  })

  test('payload.sendEmail delivers subject and text to the SMTP server', async () => {
    const outboxBefore = await ownerQuery('select id from outbox')
    const info = (await payload.sendEmail({
      to: 'someone@partner-ledger.test',
      subject: 'SMTP check 4711',
      text: 'Hello from the ledger, plain text body.',
    })) as { accepted?: string[] }
    expect(info.accepted).toEqual(['someone@partner-ledger.test'])

    const mail = await nextMail(1)
    expect(mail.to).toEqual(['someone@partner-ledger.test'])
    expect(mail.from).toBe('ledger-test@partner-ledger.test')
    const { headers, body } = parse(mail.raw)
    expect(headers).toMatch(/^Subject: SMTP check 4711$/m)
    expect(headers).toMatch(/^From: Partner Ledger <ledger-test@partner-ledger\.test>$/m)
    expect(headers).toMatch(/^To: someone@partner-ledger\.test$/m)
    expect(body).toContain('Hello from the ledger, plain text body.')
    // Nothing went to the outbox collection instead.
    expect(await ownerQuery('select id from outbox')).toHaveLength(outboxBefore.length)
  })

  test('forgotPassword mails a reset link carrying the stored token', async () => {
    const token = await payload.forgotPassword({ collection: 'users', data: { email: 'auditor@demo.test' } })
    expect(typeof token).toBe('string')

    const mail = await nextMail(2)
    expect(mail.to).toEqual(['auditor@demo.test'])
    const { headers, body } = parse(mail.raw)
    expect(headers).toMatch(/^Subject: Reset your Partner Ledger password$/m)
    const link = /\/admin\/reset\/([A-Za-z0-9_-]+)/.exec(body)
    expect(link, body).not.toBeNull()
    expect(link![1]).toBe(token)
    const [row] = await ownerQuery<{ reset_password_token: string }>(
      `select reset_password_token from users where email = 'auditor@demo.test'`,
    )
    expect(row?.reset_password_token).toBe(token)
  })
})
