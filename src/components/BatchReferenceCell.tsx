'use client'
import type { DefaultCellComponentProps } from 'payload'
import React from 'react'

/** The batch reference in the list links to the review, where every batch action lives. */
export function BatchReferenceCell({ cellData, rowData }: DefaultCellComponentProps) {
  const id = (rowData as { id?: number | string } | undefined)?.id
  if (id == null) return <span>{String(cellData ?? '')}</span>
  return <a href={`/admin/batches/${id}/review`}>{String(cellData ?? id)}</a>
}
