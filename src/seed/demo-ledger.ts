import { createLocalReq, type Payload } from 'payload'
import { sql } from '@payloadcms/db-postgres'

import { systemContext } from '../access/tenant'
import { transactionDb } from '../db/session'
import { inTenantTransaction } from '../db/transaction'
import { DEFAULT_PROGRAM_SETTINGS, serializeProgramSettings } from '../ledger'
import { writeAudit } from '../services/audit'
import { importConversions } from '../services/imports/conversions'
import { memorySource } from '../services/imports/source'
import { importRefunds } from '../services/imports/refunds'

/**
 * The demo organization's history, so every view has something in it on first start: six
 * months of orders imported through the real import runner (accruals, flags, duplicates, an
 * unattributed code, a rejected row), a paid batch with its export record, a batch waiting for
 * approval, and refunds (one clawed back after payout, leaving a negative balance; one waiting
 * unmatched). Fixed dates and amounts: the same seed gives the same rows.
 */

export interface DemoPartner {
  id: number
  name: string
  code: string
  email: string
}

export async function seedSettings(
  payload: Payload,
  organization: number,
  context: Record<string, unknown>,
  opts: { ownDomains?: string[] },
) {
  const settings = serializeProgramSettings({
    ...DEFAULT_PROGRAM_SETTINGS,
    fraud: { ...DEFAULT_PROGRAM_SETTINGS.fraud, employeeDomain: { enabled: true, ownDomains: opts.ownDomains ?? [] } },
  })
  await payload.update({
    collection: 'organizations',
    id: organization,
    data: { settings: settings as Record<string, unknown> },
    overrideAccess: true,
    context: { ...context },
  })
}

const MONTHS = ['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'] as const

/** Rows of a conversions CSV: each partner's orders per month, amounts from a fixed formula. */
function conversionsCsv(partners: DemoPartner[]): { csv: string; orders: Map<string, { id: string; amount: string }[]> } {
  const rows = ['code,order_id,amount,date,currency,customer_email']
  const orders = new Map<string, { id: string; amount: string }[]>()
  let n = 0
  partners.forEach((p, pi) => {
    MONTHS.forEach((month, mi) => {
      // Pat Lee only sold in the first two months: their clawback later has nothing to net against.
      if (p.code === 'PATLEE' && mi > 1) return
      const perMonth = 2 + ((pi + mi) % 3)
      for (let k = 0; k < perMonth; k++) {
        n++
        const day = String(1 + ((k * 9 + pi * 3 + mi) % 27)).padStart(2, '0')
        const cents = (n * 37) % 100
        const dollars = 25 + ((n * 53 + pi * 17) % 190)
        const amount = `${dollars}.${String(cents).padStart(2, '0')}`
        rows.push(`${p.code},#${15000 + n},${amount},${month}-${day},USD,buyer${n}@mail.example`)
        orders.set(p.code, [...(orders.get(p.code) ?? []), { id: `#${15000 + n}`, amount }])
      }
    })
  })
  const maya = partners.find((p) => p.code === 'MAYA')!
  const trailFirst = orders.get('TRAIL15')![0]!
  rows.push(
    // A self-referral (the partner's own email) and an employee buying through a link: both held for review.
    `MAYA,#16001,89.00,2026-11-10,USD,${maya.email}`,
    `https://shop.example/?ref=jane10,#16002,120.00,2026-11-12,USD,alex@demo-outfitters.example`,
    // A code nobody owns yet: it waits in the unattributed queue.
    `SPRING25,#16003,64.00,2026-11-14,USD,`,
    `SPRING25,#16004,38.50,2026-11-15,USD,`,
    // The same order twice, and a row with an amount nobody can read.
    `TRAIL15,${trailFirst.id},${trailFirst.amount},2026-05-01,USD,`,
    `CYCLE5,#16005,12.345,2026-11-16,USD,`,
  )
  return { csv: rows.join('\n') + '\n', orders }
}

export async function seedDemoLedger(
  payload: Payload,
  organization: number,
  first: DemoPartner[],
  users: { preparer: number; approver: number },
) {
  const context = systemContext(organization, 'seed')
  const more: DemoPartner[] = []
  for (const [name, email, code, data] of [
    [
      'Northside Cycling Blog',
      'hello@northside.example',
      'CYCLE5',
      { rateHistory: [{ effectiveFrom: '2026-01-01', rule: { kind: 'flat', amountMinor: 500 } }] },
    ],
    ['Pat Lee Deals', 'pat@patlee.example', 'PATLEE', {}],
  ] as [string, string, string, Record<string, unknown>][]) {
    const partner = await payload.create({
      collection: 'partners',
      data: { name, email, status: 'active', payoutMethod: 'paypal', payoutEmail: email, organization, ...data },
      context: { ...context },
    })
    await payload.create({ collection: 'partner-codes', data: { code, partner: partner.id, organization }, context: { ...context } })
    more.push({ id: partner.id, name, code, email })
  }
  const partners = [...first, ...more]

  const req = await createLocalReq({ context: { ...systemContext(organization, 'seed') } }, payload)
  const file = (name: string, text: string) => ({
    fileName: name,
    source: memorySource(new TextEncoder().encode(text)),
    mapping: null,
    dryRun: false,
    override: false,
  })
  const { csv, orders } = conversionsCsv(partners)
  await importConversions(req, file('demo-orders-2026.csv', csv))

  // Paid in August: everything eligible by then. Waiting for approval: what became eligible until October.
  await seedBatch(req, organization, users, { reference: 'B-2026-08-0001', asOf: '2026-08-01T00:00:00Z', paid: true })
  await seedBatch(req, organization, users, { reference: 'B-2026-10-0002', asOf: '2026-10-01T00:00:00Z', paid: false })

  const refunds = [
    'order_id,amount,refunded_at,currency',
    // Pat's first order, refunded after it was paid: a clawback, and Pat now owes it.
    `${orders.get('PATLEE')![0]!.id},,2026-09-20,USD`,
    // A partial refund inside the hold: the commission is reduced before it is ever payable.
    `${orders.get('JANE10')!.at(-1)!.id},10.00,2026-11-20,USD`,
    // An order we never saw: it waits in the unmatched queue.
    '#19999,15.00,2026-11-21,USD',
  ]
  await importRefunds(req, file('demo-refunds-2026.csv', refunds.join('\n') + '\n'))
}

async function seedBatch(
  req: Awaited<ReturnType<typeof createLocalReq>>,
  organization: number,
  users: { preparer: number; approver: number },
  b: { reference: string; asOf: string; paid: boolean },
) {
  await inTenantTransaction(req, async () => {
    const db = await transactionDb(req)
    const { rows: lines } = await db.execute(sql`
      select m.partner_id, p.name, p.payout_method, p.payout_email, m.currency, sum(m.amount_minor) as total, count(*)::integer as entries,
             array_agg(m.id) as ids
        from commissions m join partners p on p.id = m.partner_id
       where m.status = 'eligible' and m.batch_id is null and m.eligible_at <= ${b.asOf}
       group by 1, 2, 3, 4, 5 having sum(m.amount_minor) > 0 order by 2`)
    const totals = new Map<string, bigint>()
    for (const l of lines) totals.set(String(l.currency), (totals.get(String(l.currency)) ?? 0n) + BigInt(String(l.total)))
    const totalsJson = [...totals].map(([currency, t]) => ({
      currency,
      totalMinor: t.toString(),
      lineCount: lines.filter((l) => l.currency === currency).length,
    }))
    const { rows } = await db.execute(sql`
      insert into batches (reference, status, as_of, totals, line_count, prepared_by_id, organization_id, created_at, updated_at)
      values (${b.reference}, 'draft', ${b.asOf}, ${JSON.stringify(totalsJson)}::jsonb, ${lines.length}, ${users.preparer}, ${organization},
              ${b.asOf}, ${b.asOf}) returning id`)
    const batchId = Number(rows[0]!.id)
    let lineNo = 0
    for (const l of lines) {
      lineNo++
      const payee = { method: l.payout_method, email: l.payout_email }
      await db.execute(sql`
        insert into batch_lines (batch_id, line_no, partner_id, partner_name, amount_minor, currency, entry_count, payee, status, organization_id, created_at, updated_at)
        values (${batchId}, ${lineNo}, ${l.partner_id}, ${l.name}, ${String(l.total)}, ${l.currency}, ${l.entries}, ${JSON.stringify(payee)}::jsonb,
                'open', ${organization}, ${b.asOf}, ${b.asOf})`)
      await db.execute(
        sql`update commissions set status = 'in_batch', batch_id = ${batchId} where id = any(${sql.param((l.ids as unknown[]).map(Number))}::integer[])`,
      )
    }
    await db.execute(
      sql`update batches set status = 'submitted', submitted_by_id = ${users.preparer}, submitted_at = ${b.asOf} where id = ${batchId}`,
    )
    if (b.paid) {
      const paidAt = '2026-08-05T12:00:00Z'
      await db.execute(
        sql`update batches set status = 'approved', approved_by_id = ${users.approver}, approved_at = ${b.asOf} where id = ${batchId}`,
      )
      await db.execute(sql`
        insert into payout_exports (batch_id, format, file_name, sha256, totals, files, created_by_id, organization_id, created_at, updated_at)
        values (${batchId}, 'generic-csv', ${`${b.reference}_generic-csv.csv`}, ${'0'.repeat(64)},
                ${JSON.stringify(totalsJson.map(({ currency, totalMinor }) => ({ currency, totalMinor })))}::jsonb, '[]'::jsonb,
                ${users.approver}, ${organization}, ${paidAt}, ${paidAt})`)
      await db.execute(sql`update batches set status = 'exported', exported_at = ${paidAt} where id = ${batchId}`)
      await db.execute(
        sql`update batches set status = 'paid', paid_at = ${paidAt}, payment_reference = 'DEMO-PAY-0801' where id = ${batchId}`,
      )
      await db.execute(
        sql`update batch_lines set status = 'paid', paid_at = ${paidAt}, payment_reference = 'DEMO-PAY-0801' where batch_id = ${batchId}`,
      )
      await db.execute(
        sql`update commissions set status = 'paid', paid_at = ${paidAt}, payment_reference = 'DEMO-PAY-0801' where batch_id = ${batchId}`,
      )
    }
    await writeAudit(req, {
      action: 'batch.seeded',
      entityType: 'batch',
      entityId: batchId,
      changes: { reference: b.reference, status: b.paid ? 'paid' : 'submitted', totals: totalsJson, lines: lines.length },
    })
  })
}
