import { describe, expect, test } from 'vitest'

import { COMMON_PASSWORDS } from './common-passwords'
import { emailWords, isCommonPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy'

describe('password policy', () => {
  test('ships the list it claims: 1,356 distinct entries, most common first', () => {
    const list = COMMON_PASSWORDS.split('\n').filter(Boolean)
    expect(list).toHaveLength(1356)
    expect(new Set(list).size).toBe(list.length)
    expect(list.slice(0, 3)).toEqual(['password', '123456', '12345678'])
  })

  test.each([
    'password1234',
    'Password2024!',
    'P@ssw0rd2024',
    '123456789012',
    'qwertyuiopas',
    'iloveyou!!!!',
    'monkeymonkey',
    'aaaaaaaaaaaa',
    'abcabcabcabc',
    '!!!!1234abcd'.split('').reverse().join(''),
    'zxcvbnm12345',
    'trustno1trustno1',
    'letmein-letmein',
    'partnerledger1',
  ])('refuses %s', (pw) => {
    expect(pw.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH)
    expect(passwordProblem(pw)).toMatch(/too common/)
  })

  test.each(['correct-horse-battery-1', 'demo-password-123', 'another-password-99', 'vivid tulip orbit 42', 'G7#kq!Lm2$xPz'])(
    'accepts %s',
    (pw) => {
      expect(passwordProblem(pw)).toBeNull()
    },
  )

  test('length: 12 to 256 characters, counted as characters', () => {
    expect(passwordProblem('Vq7-lark-mo')).toMatch(/at least 12/)
    expect(passwordProblem('Vq7-lark-mos')).toBeNull()
    expect(passwordProblem('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toMatch(/at most 256/)
    expect(passwordProblem('kiwi-🥝-'.repeat(30).slice(0, 200))).toBeNull()
    expect(passwordProblem('🥝🍋🍇🍉🍓🍒🥭🍍🥥🍑🍐')).toMatch(/at least 12/) // 11 characters, 22 UTF-16 units
  })

  test("the account's own email words are refused, padded or not", () => {
    const ctx = emailWords('jane.doe@acmewidgets.test')
    expect(isCommonPassword('janedoe12345', ctx)).toBe(true)
    expect(isCommonPassword('Acmewidgets2026!', ctx)).toBe(true)
    expect(isCommonPassword('janedoe12345')).toBe(false)
    // A local part that ends in digits, with punctuation around it.
    expect(isCommonPassword('ops-mwwlu54c-644db5!', emailWords('ops-mwwlu54c-644db5@example.test'))).toBe(true)
  })
})
