import { formatMinor } from '../money'
import { isValidBic, isValidIban, normaliseIban } from '../payee'
import { calendarDate, formatDate, parseIsoDate, transliterate, truncate, wallClock } from './format-helpers'
import { exportError, type CommonExportOptions, type ExportChunk, type ExportFormat, type ExportLine, type Rendered } from './types'

/**
 * ISO 20022 pain.001.001.03 SEPA credit transfer: one PmtInf per file, EUR only. We write .03
 * because many banks still take it and it is the schema we validate against in tests; .09
 * differs in ReqdExctnDt/Dt and BICFI.
 */
export interface Pain001Options extends CommonExportOptions {
  readonly initiatingPartyName?: string
  readonly debtorName?: string
  readonly debtorIban?: string
  /** Optional; without it the agent is `Othr/Id NOTPROVIDED`, which SEPA banks accept (IBAN-only). */
  readonly debtorBic?: string
  /** YYYY-MM-DD. */
  readonly requestedExecutionDate?: string
  /** Default derived from the batch reference; must be unique per sender, so split parts get a suffix. */
  readonly messageId?: string
  readonly batchBooking?: boolean
  readonly createdAt?: Date
}

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'
/** EPC basic character set; everything else is transliterated or dropped before it reaches a bank. */
const SEPA_CHAR = /^[A-Za-z0-9/\-?:().,'+ ]$/
const MAX_AMOUNT_CENTS = 99_999_999_999n // 999,999,999.99

export function sepaText(value: string, max: number): string {
  return truncate(transliterate(value, SEPA_CHAR), max).trim()
}

/** Identifiers: [A-Za-z0-9-] only, so the EPC rule (no leading/trailing `/`, no `//`) holds by construction. */
function sepaId(value: string, max: number): string {
  return value.replace(/[^A-Za-z0-9-]/g, '').slice(0, max)
}

export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

function sepaPayee(line: ExportLine) {
  if (line.payee.method !== 'sepa') throw new Error(`line ${line.reference} is not a SEPA payee`)
  return line.payee
}

const el = (name: string, value: string) => `<${name}>${xmlEscape(value)}</${name}>`

function agent(bic: string | null): string {
  return bic === null ? '<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>' : `<FinInstnId>${el('BIC', bic)}</FinInstnId>`
}

export function renderPain001(chunk: ExportChunk, options: Pain001Options): Rendered {
  const initiator = sepaText(options.initiatingPartyName ?? '', 70)
  if (initiator === '') return exportError('missing_option', 'initiatingPartyName')
  const debtor = sepaText(options.debtorName ?? '', 70)
  if (debtor === '') return exportError('missing_option', 'debtorName')
  if ((options.debtorIban ?? '').trim() === '') return exportError('missing_option', 'debtorIban')
  const debtorIban = normaliseIban(options.debtorIban ?? '')
  if (!isValidIban(debtorIban)) return exportError('invalid_option', 'debtorIban')
  const debtorBic = options.debtorBic?.trim().toUpperCase() || null
  if (debtorBic !== null && !isValidBic(debtorBic)) return exportError('invalid_option', 'debtorBic')
  if (options.requestedExecutionDate === undefined) return exportError('missing_option', 'requestedExecutionDate')
  const execution = parseIsoDate(options.requestedExecutionDate)
  if (execution === null) return exportError('invalid_option', 'requestedExecutionDate')

  const base = sepaId(options.messageId ?? chunk.batch.reference, 24) || sepaId(chunk.batch.batchId, 24)
  if (base === '') return exportError('invalid_option', 'messageId')
  const msgId = chunk.partCount > 1 ? `${base}-P${chunk.part}` : base
  const created = options.createdAt ?? chunk.batch.approvedAt
  const t = wallClock(created, options.timeZone)
  const p2 = (n: number) => String(n).padStart(2, '0')
  const creDtTm = `${formatDate(calendarDate(created, options.timeZone), 'YYYY-MM-DD')}T${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`

  let sumCents = 0n
  const txs: string[] = []
  for (const line of chunk.lines) {
    const p = sepaPayee(line)
    if (line.currency !== 'EUR') throw new Error(`line ${line.reference}: pain.001 chunk is not EUR`)
    if (line.amountMinor > MAX_AMOUNT_CENTS) return exportError('amount_too_large', line.reference)
    const name = sepaText(p.holderName, 70)
    if (name === '') return exportError('invalid_payee', `creditor name of ${line.reference}`)
    sumCents += line.amountMinor
    const memo = sepaText(line.memo, 140)
    txs.push(
      '      <CdtTrfTxInf>\n' +
        `        <PmtId>${el('EndToEndId', sepaId(line.reference, 35))}</PmtId>\n` +
        `        <Amt><InstdAmt Ccy="EUR">${formatMinor(line.amountMinor, 'EUR')}</InstdAmt></Amt>\n` +
        (p.bic === null ? '' : `        <CdtrAgt>${agent(p.bic)}</CdtrAgt>\n`) +
        `        <Cdtr>${el('Nm', name)}</Cdtr>\n` +
        `        <CdtrAcct><Id>${el('IBAN', p.iban)}</Id></CdtrAcct>\n` +
        (memo === '' ? '' : `        <RmtInf>${el('Ustrd', memo)}</RmtInf>\n`) +
        '      </CdtTrfTxInf>\n',
    )
  }
  const nb = String(chunk.lines.length)
  const ctrlSum = formatMinor(sumCents, 'EUR')
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Document xmlns="${PAIN001_NAMESPACE}">\n` +
    '  <CstmrCdtTrfInitn>\n' +
    '    <GrpHdr>\n' +
    `      ${el('MsgId', msgId)}\n` +
    `      ${el('CreDtTm', creDtTm)}\n` +
    `      ${el('NbOfTxs', nb)}\n` +
    `      ${el('CtrlSum', ctrlSum)}\n` +
    `      <InitgPty>${el('Nm', initiator)}</InitgPty>\n` +
    '    </GrpHdr>\n' +
    '    <PmtInf>\n' +
    `      ${el('PmtInfId', `${msgId}-EUR`)}\n` +
    '      <PmtMtd>TRF</PmtMtd>\n' +
    (options.batchBooking === undefined ? '' : `      ${el('BtchBookg', String(options.batchBooking))}\n`) +
    `      ${el('NbOfTxs', nb)}\n` +
    `      ${el('CtrlSum', ctrlSum)}\n` +
    '      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>\n' +
    `      ${el('ReqdExctnDt', formatDate(execution, 'YYYY-MM-DD'))}\n` +
    `      <Dbtr>${el('Nm', debtor)}</Dbtr>\n` +
    `      <DbtrAcct><Id>${el('IBAN', debtorIban)}</Id></DbtrAcct>\n` +
    `      <DbtrAgt>${agent(debtorBic)}</DbtrAgt>\n` +
    '      <ChrgBr>SLEV</ChrgBr>\n' +
    txs.join('') +
    '    </PmtInf>\n' +
    '  </CstmrCdtTrfInitn>\n' +
    '</Document>\n'
  return { ok: true, content: xml, totalMinor: sumCents }
}

export const pain001: ExportFormat<Pain001Options> = {
  id: 'pain001',
  label: 'SEPA credit transfer (ISO 20022 pain.001.001.03)',
  extension: 'xml',
  mimeType: 'application/xml',
  maxRowsPerFile: null,
  currencies: ['EUR'],
  methods: ['sepa'],
  render: renderPain001,
}
