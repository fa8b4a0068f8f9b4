import { COLLECTION_ACCESS, FUNCTION_ACCESS, ROLES, TENANT_COLLECTIONS } from './roles'

/** The role tables as Markdown; docs/access.md embeds them and a test keeps them equal. */
export function accessTableMarkdown(): { collections: string; functions: string } {
  const head = `| collection | action | ${ROLES.join(' | ')} |\n|---|---|${ROLES.map(() => '---').join('|')}|`
  const rows = TENANT_COLLECTIONS.flatMap((c) =>
    (['read', 'create', 'update', 'delete'] as const).map(
      (a) => `| ${c} | ${a} | ${ROLES.map((r) => (COLLECTION_ACCESS[c][a].includes(r) ? 'yes' : '—')).join(' | ')} |`,
    ),
  )
  const fnHead = `| function | ${ROLES.join(' | ')} |\n|---|${ROLES.map(() => '---').join('|')}|`
  const fnRows = Object.entries(FUNCTION_ACCESS).map(
    ([fn, roles]) => `| ${fn} | ${ROLES.map((r) => ((roles as readonly string[]).includes(r) ? 'yes' : '—')).join(' | ')} |`,
  )
  return { collections: [head, ...rows].join('\n'), functions: [fnHead, ...fnRows].join('\n') }
}
