import { DefaultTemplate } from '@payloadcms/next/templates'
import type { AdminViewServerProps } from 'payload'
import { redirect } from 'next/navigation'
import React from 'react'

import { BatchReview } from './BatchReview'

/**
 * /admin/batches/:id/review, a root admin view inside the normal admin frame, reached from the
 * batch list. Payload leaves custom views public, so it sends a visitor without a session to login.
 */
export function BatchReviewView({ initPageResult, params, searchParams }: AdminViewServerProps) {
  const segments = Array.isArray(params?.segments) ? (params.segments as string[]) : []
  const id = /^\d{1,9}$/.test(segments[1] ?? '') ? Number(segments[1]) : null
  const { req, permissions, locale, visibleEntities } = initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent(`/admin/batches/${id ?? ''}/review`)}`)
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
