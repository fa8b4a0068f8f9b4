import { Gutter, SetStepNav } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'
import React from 'react'

import { roleMayCall, type FunctionName } from '../../access/roles'
import { resolveTenant } from '../../access/tenant'
import { AdminFrame } from '../AdminFrame'
import { FlagsReview, NegativeBalancesReview, RefundsReview, UnattributedReview } from './ReviewClient'

/**
 * The review queues as admin views (/admin/review/...). Payload leaves custom views public, so
 * each checks the session here; what a role may do is decided again by the endpoints, this only
 * decides which buttons to show.
 */
async function frame(props: AdminViewServerProps, title: string, fn: FunctionName, body: (allowed: boolean) => React.ReactNode) {
  const { req } = props.initPageResult
  if (!req.user) redirect('/admin/login')
  const tenant = await resolveTenant(req)
  return (
    <AdminFrame props={props} gutter={false}>
      <SetStepNav nav={[{ label: 'Review' }, { label: title }]} />
      <Gutter>
        <h1 style={{ margin: 'calc(var(--base) * 1.5) 0 var(--base)' }}>{title}</h1>
        {body(roleMayCall(tenant.role, fn))}
      </Gutter>
    </AdminFrame>
  )
}

export const FlagsReviewView = (props: AdminViewServerProps) =>
  frame(props, 'Flags to review', 'flag.decide', (allowed) => <FlagsReview canDecide={allowed} />)

export const UnattributedReviewView = (props: AdminViewServerProps) =>
  frame(props, 'Unattributed codes', 'conversion.assign', (allowed) => <UnattributedReview canAssign={allowed} />)

export const RefundsReviewView = (props: AdminViewServerProps) =>
  frame(props, 'Refunds waiting', 'refund.assign', (allowed) => <RefundsReview canAssign={allowed} />)

export const NegativeBalancesReviewView = (props: AdminViewServerProps) =>
  frame(props, 'Negative balances', 'commission.write_off', (allowed) => <NegativeBalancesReview canWriteOff={allowed} />)
