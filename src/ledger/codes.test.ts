import { describe, expect, test } from 'vitest'

import { canonicalCode } from './codes'

describe('canonicalCode: plain codes', () => {
  test.each([
    ['jane10', 'JANE10'],
    ['Jane10', 'JANE10'],
    ['  jane10  ', 'JANE10'],
    ['jane 10', 'JANE10'],
    ['ja\tne\n10', 'JANE10'],
    ['\u00a0jane\u3000 10\u2003', 'JANE10'], // no-break, ideographic and em spaces
    ['ｊａｎｅ１０', 'JANE10'], // full-width letters and digits (NFKC)
    ['ＪＡＮＥ　１０', 'JANE10'],
    ['ﬁre', 'FIRE'], // ligature fi decomposes under NFKC
    ['café', 'CAFÉ'],
    ['cafe\u0301', 'CAFÉ'], // combining accent composes to the same code
    ['straße', 'STRASSE'],
    ['SUMMER-SALE_2026', 'SUMMER-SALE_2026'],
    ['a/b', 'A/B'], // a slash alone does not make a link
    ['jane.10', 'JANE.10'],
  ])('%j -> %s', (raw, code) => {
    expect(canonicalCode(raw)).toEqual({ ok: true, code, source: 'plain' })
  })

  test.each(['', '   ', '\t\n', '\u3000'])('%j is empty_code', (raw) => {
    expect(canonicalCode(raw)).toEqual({ ok: false, code: 'empty_code' })
  })
})

describe('canonicalCode: links', () => {
  test.each([
    ['https://shop.example/?utm=x&ref=jane10', 'JANE10', 'query'],
    ['https://shop.example/product?ref=Jane10#top', 'JANE10', 'query'],
    ['http://shop.example/?via=a&ref=b', 'B', 'query'], // list order wins over position: ref before via
    ['https://shop.example/?aff=x&via=y', 'Y', 'query'],
    ['https://shop.example/?promo=p&discount_code=d', 'D', 'query'],
    ['?via=a&ref=b', 'B', 'query'],
    ['?coupon=save5', 'SAVE5', 'query'],
    ['shop.example/?ref=jane10', 'JANE10', 'query'],
    ['shop.example?ref=jane10', 'JANE10', 'query'],
    ['https://shop.example/?REF=jane10', 'JANE10', 'query'], // parameter names are case-insensitive
    ['https://shop.example/?ref=&via=x', 'X', 'query'], // an empty value counts as absent
    ['https://shop.example/?ref=jane%2010', 'JANE10', 'query'],
    ['https://shop.example/?ref=jane+10', 'JANE10', 'query'],
    ['https://shop.example/?ref=%EF%BC%AAane10', 'JANE10', 'query'], // encoded full-width J
    ['https://shop.example/?ref=caf%C3%A9', 'CAFÉ', 'query'],
    ['https://shop.example/?ref=a&ref=b', 'A', 'query'],
    ['HTTPS://SHOP.EXAMPLE/?Ref=Jane10', 'JANE10', 'query'],
    ['ｈｔｔｐｓ：／／shop.example／r／jane10', 'JANE10', 'path'], // full-width URL
    ['  https://shop.example/ r/jane10 ', 'JANE10', 'path'],
    ['shop.example/r/Jane10', 'JANE10', 'path'],
    ['https://shop.example/r/Jane10', 'JANE10', 'path'],
    ['https://shop.example/ref/jane10/', 'JANE10', 'path'],
    ['https://shop.example/go/jane10', 'JANE10', 'path'],
    ['https://shop.example/en/R/jane10', 'JANE10', 'path'],
    ['https://shop.example/r/a/b', 'B', 'path'], // "the last path segment after /r/"
    ['https://shop.example/r/jane%2010', 'JANE10', 'path'],
    ['https://shop.example/r/50%off', '50%OFF', 'path'], // bad percent-encoding is kept as typed
    ['/r/jane10', 'JANE10', 'path'],
    ['https://shop.example/r/x?ref=q', 'Q', 'query'], // a query parameter beats the path
  ] as const)('%j -> %s (%s)', (raw, code, source) => {
    expect(canonicalCode(raw)).toEqual({ ok: true, code, source })
  })

  test.each([
    'https://shop.example/',
    'https://shop.example/?utm_source=x',
    'https://shop.example/products/jane10', // no /r/, /ref/ or /go/
    'https://shop.example/r/',
    'https://shop.example/?ref=%20',
    'shop.example/about',
    'jane10?',
    '?',
  ])('%j is no_code_in_link', (raw) => {
    expect(canonicalCode(raw)).toEqual({ ok: false, code: 'no_code_in_link' })
  })

  test('the parameter and prefix lists come from the settings', () => {
    const link = { linkParams: ['partner'], linkPathPrefixes: ['p'] }
    expect(canonicalCode('https://s.example/?ref=a&partner=b', link)).toEqual({ ok: true, code: 'B', source: 'query' })
    expect(canonicalCode('https://s.example/p/zed', link)).toEqual({ ok: true, code: 'ZED', source: 'path' })
    expect(canonicalCode('https://s.example/r/zed', link)).toEqual({ ok: false, code: 'no_code_in_link' })
  })

  test('canonical form is idempotent', () => {
    for (const raw of ['ｊａｎｅ １０', 'https://x.example/?ref=jane10', 'straße']) {
      const once = canonicalCode(raw)
      expect(once.ok).toBe(true)
      if (once.ok) expect(canonicalCode(once.code)).toEqual({ ok: true, code: once.code, source: 'plain' })
    }
  })
})
