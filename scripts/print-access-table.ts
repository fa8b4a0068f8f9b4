import { accessTableMarkdown } from '../src/access/access-table'

/** Prints the role table for docs/access.md (`npx tsx scripts/print-access-table.ts`). */
const tables = accessTableMarkdown()
console.log(`${tables.collections}\n\n${tables.functions}`)
