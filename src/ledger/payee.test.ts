import { describe, expect, test } from 'vitest'
import {
  isValidBic,
  isValidIban,
  isValidRoutingNumber,
  methodSupportsCurrency,
  payeeAccount,
  resolvePayee,
  routingCheckDigit,
} from './payee'

describe('routing numbers', () => {
  test.each([
    ['987654320', true],
    ['111000025', true],
    ['123456780', true],
    ['021000021', true], // leading zero survives as a string
    ['987654321', false],
    ['12345678', false],
    ['12345678a', false],
    ['', false],
  ])('%s valid=%s', (routing, valid) => {
    expect(isValidRoutingNumber(routing)).toBe(valid)
  })

  test('check digit is (10 - weighted sum mod 10) mod 10 with weights 3,7,1', () => {
    expect(routingCheckDigit('98765432')).toBe(0)
    expect(routingCheckDigit('11100002')).toBe(5)
    expect(() => routingCheckDigit('1234567')).toThrow()
  })
})

describe('IBAN and BIC', () => {
  test.each([
    ['DE89370400440532013000', true],
    ['FR7630006000011234567890189', true],
    ['GB29NWBK60161331926819', true],
    ['DE89370400440532013001', false],
    ['de89370400440532013000', false], // must be normalised first
    ['XX00', false],
  ])('IBAN %s valid=%s', (iban, valid) => {
    expect(isValidIban(iban)).toBe(valid)
  })

  test.each([
    ['COBADEFFXXX', true],
    ['COBADEFF', true],
    ['COBADE1F', false],
    ['COBADEFFXX', false],
  ])('BIC %s valid=%s', (bic, valid) => {
    expect(isValidBic(bic)).toBe(valid)
  })
})

describe('resolvePayee', () => {
  const base = { name: 'Jane Doe' }
  test.each([
    [null, {}, 'no_payout_method'],
    ['  ', {}, 'no_payout_method'],
    ['cheque', {}, 'unsupported_payout_method'],
    ['other', {}, 'unsupported_payout_method'],
    ['bank', {}, 'missing_bank_details'],
    ['bank', { iban: 'DE00' }, 'invalid_iban'],
    ['bank', { routingNumber: '123' }, 'invalid_routing_number'],
    ['paypal', {}, 'missing_email'],
    ['paypal', { email: 'not an email' }, 'invalid_email'],
    ['wise', { email: 'a@b.co', iban: 'DE00 0000' }, 'invalid_iban'],
    ['wise', { email: 'a@b.co', receiverType: 'robot' }, 'invalid_receiver_type'],
    ['ach', {}, 'missing_routing_number'],
    ['ach', { routingNumber: '987654321', accountNumber: '1' }, 'invalid_routing_number'],
    ['ach', { routingNumber: '987654320' }, 'missing_account_number'],
    ['ach', { routingNumber: '987654320', accountNumber: '123456789012345678' }, 'invalid_account_number'],
    ['ach', { routingNumber: '987654320', accountNumber: '12-34' }, 'invalid_account_number'],
    ['ach', { routingNumber: '987654320', accountNumber: '1234', accountType: 'brokerage' }, 'invalid_account_type'],
    ['sepa', {}, 'missing_iban'],
    ['sepa', { iban: 'DE89370400440532013000', bic: 'nope' }, 'invalid_bic'],
  ])('%s %j -> %s', (method, details, code) => {
    expect(resolvePayee({ ...base, payoutMethod: method, payoutDetails: details })).toEqual({ ok: false, code })
  })

  test('normalises what it accepts', () => {
    expect(
      resolvePayee({ ...base, payoutMethod: 'SEPA', payoutDetails: { iban: 'de89 3704 0044 0532 0130 00', bic: ' cobadeffxxx ' } }),
    ).toEqual({
      ok: true,
      payee: { method: 'sepa', holderName: 'Jane Doe', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
    })
    expect(
      resolvePayee({
        ...base,
        payoutMethod: 'ach',
        payoutDetails: { routingNumber: '021000021', accountNumber: '00012', accountType: 'Savings', holderName: 'J Doe' },
      }),
    ).toEqual({
      ok: true,
      payee: { method: 'ach', holderName: 'J Doe', routingNumber: '021000021', accountNumber: '00012', accountType: 'savings' },
    })
    expect(resolvePayee({ ...base, payoutMethod: 'wise', payoutDetails: { email: 'j@x.io' } })).toEqual({
      ok: true,
      payee: { method: 'wise', email: 'j@x.io', holderName: 'Jane Doe', iban: null, receiverType: 'PERSON' },
    })
  })

  test('"bank" picks the rail from the details', () => {
    const sepa = resolvePayee({ ...base, payoutMethod: 'bank', payoutDetails: { iban: 'DE89370400440532013000' } })
    expect(sepa.ok && sepa.payee.method).toBe('sepa')
    const ach = resolvePayee({ ...base, payoutMethod: 'bank', payoutDetails: { routingNumber: '987654320', accountNumber: '1' } })
    expect(ach.ok && ach.payee.method).toBe('ach')
  })

  test('method currencies and account shown to humans', () => {
    expect(methodSupportsCurrency('ach', 'USD')).toBe(true)
    expect(methodSupportsCurrency('ach', 'EUR')).toBe(false)
    expect(methodSupportsCurrency('sepa', 'EUR')).toBe(true)
    expect(methodSupportsCurrency('sepa', 'GBP')).toBe(false)
    expect(methodSupportsCurrency('paypal', 'JPY')).toBe(true)
    expect(payeeAccount({ method: 'wise', email: 'a@b.co', holderName: 'A', iban: null, receiverType: 'PERSON' })).toBe('a@b.co')
  })
})
