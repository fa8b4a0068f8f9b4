import { readFileSync } from 'node:fs'
import path from 'node:path'

import { expect, test } from 'vitest'

import { accessTableMarkdown } from './access-table'

test('docs/access.md shows the role table exactly as the code enforces it', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/access.md'), 'utf8')
  const tables = accessTableMarkdown()
  expect(doc).toContain(tables.collections)
  expect(doc).toContain(tables.functions)
})
