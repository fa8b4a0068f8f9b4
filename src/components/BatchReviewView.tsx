import { DefaultTemplate } from '@payloadcms/next/templates'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

import { BatchReview } from './BatchReview'

/**
 * /admin/batches/:id/review, a root admin view inside the normal admin frame. A root view rather
 * than a document tab because the document views check access with a query outside the request's
 * tenant transaction, where row-level security shows no rows (see the report on this branch).
 */
export function BatchReviewView({ initPageResult, params, searchParams }: AdminViewServerProps) {
  const segments = Array.isArray(params?.segments) ? (params.segments as string[]) : []
  const id = /^\d{1,9}$/.test(segments[1] ?? '') ? Number(segments[1]) : null
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
      visibleEntities={visibleEntities}
    >
      {id === null ? <p style={{ padding: 24 }}>No such batch.</p> : <BatchReview id={id} />}
    </DefaultTemplate>
  )
}
