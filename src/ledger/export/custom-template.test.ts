import { describe, expect, test } from 'vitest'
import { columnTotal, parseCsv } from './csv-test-utils.fixture'
import { renderExport } from './index'
import { SAMPLE_BATCH } from './sample-batch.fixture'

describe('custom-template', () => {
  test('chosen, renamed, ordered columns with German number and date format', () => {
    const r = renderExport('custom-template', SAMPLE_BATCH, {
      columns: [{ field: 'amount', header: 'Betrag' }, { field: 'reference' }, { field: 'batch_date', header: 'Datum' }],
      decimalSeparator: ',',
      delimiter: ';',
      dateFormat: 'DD.MM.YYYY',
    })
    if (!r.ok) throw new Error(r.code)
    const eur = r.files.find((f) => f.currency === 'EUR')!
    expect(eur.content.toString('utf8')).toBe(
      'Betrag;Reference;Datum\r\n118,00;"PO-000017-00005";02.03.2026\r\n2500,99;"PO-000017-00006";02.03.2026\r\n',
    )
    expect(columnTotal(parseCsv(eur.content, ';').slice(1), 0, 'EUR', ',')).toBe(261899n)
  })

  test('decimal comma with comma delimiter quotes the amount; header and BOM toggles', () => {
    const r = renderExport('custom-template', SAMPLE_BATCH, {
      columns: [{ field: 'reference' }, { field: 'amount' }],
      decimalSeparator: ',',
      header: false,
      bom: true,
      lineEnding: '\n',
    })
    if (!r.ok) throw new Error(r.code)
    expect(r.files.find((f) => f.currency === 'GBP')!.content.toString('utf8')).toBe('\uFEFF"PO-000017-00007","75,25"\n')
  })

  test('every field renders for every payee kind', () => {
    const columns = (
      [
        'reference',
        'batch_reference',
        'batch_date',
        'partner_name',
        'email',
        'payout_method',
        'payout_account',
        'holder_name',
        'paypal_email',
        'iban',
        'bic',
        'routing_number',
        'account_number',
        'account_type',
        'currency',
        'amount',
        'memo',
      ] as const
    ).map((field) => ({ field }))
    const r = renderExport('custom-template', SAMPLE_BATCH, { columns })
    if (!r.ok) throw new Error(r.code)
    const usd = parseCsv(r.files.find((f) => f.currency === 'USD')!.content)
    expect(usd[4]?.slice(7, 14)).toEqual(['Zoë Ålvarez-Smith', '', '', '', '111000025', '00012345678901234', 'savings'])
  })

  test.each([
    [{}, 'missing_option'],
    [{ columns: [] }, 'missing_option'],
    [{ columns: [{ field: 'password' as never }] }, 'invalid_option'],
    [{ columns: [{ field: 'amount' as const }], dateFormat: 'nonsense' }, 'invalid_option'],
  ])('%o -> %s', (options, code) => {
    expect(renderExport('custom-template', SAMPLE_BATCH, options)).toMatchObject({ ok: false, code })
  })
})
