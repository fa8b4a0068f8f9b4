import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

/**
 * A custom admin view inside the admin's own frame: nav, header, and the header actions (the
 * organization switcher), which Payload does not pass to custom views by itself. Every custom
 * view of this app renders through it; each checks the session itself before (Payload leaves
 * custom views public).
 */
export function AdminFrame({
  props,
  children,
  gutter = true,
}: {
  props: AdminViewServerProps
  children: React.ReactNode
  gutter?: boolean
}) {
  const { initPageResult, params, searchParams } = props
  const { req, permissions, locale, visibleEntities } = initPageResult
  return (
    <DefaultTemplate
      i18n={req.i18n}
      locale={locale}
      params={params}
      payload={req.payload}
      permissions={permissions}
      searchParams={searchParams}
      user={req.user ?? undefined}
      req={req}
      viewActions={req.payload.config.admin.components?.actions ?? []}
      // A copy: React 19 refuses the frozen original here (as Payload's own root view notes).
      visibleEntities={{ collections: [...visibleEntities.collections], globals: [...visibleEntities.globals] }}
    >
      {gutter ? <Gutter>{children}</Gutter> : children}
    </DefaultTemplate>
  )
}
