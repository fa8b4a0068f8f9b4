import type { AdminViewServerProps } from 'payload'
import { redirect } from 'next/navigation'
import React from 'react'

import { AdminFrame } from './AdminFrame'
import { BatchReview } from './BatchReview'

/**
 * /admin/batches/:id/review, a root admin view inside the normal admin frame, reached from the
 * batch list. Payload leaves custom views public, so it sends a visitor without a session to login.
 */
export function BatchReviewView(props: AdminViewServerProps) {
  const { initPageResult, params } = props
  const segments = Array.isArray(params?.segments) ? (params.segments as string[]) : []
  const id = /^\d{1,9}$/.test(segments[1] ?? '') ? Number(segments[1]) : null
  const { req } = initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent(`/admin/batches/${id ?? ''}/review`)}`)
  return (
    <AdminFrame props={props} gutter={false}>
      {id === null ? <p style={{ padding: 24 }}>No such batch.</p> : <BatchReview id={id} />}
    </AdminFrame>
  )
}
