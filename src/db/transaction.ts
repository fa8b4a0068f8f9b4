import type { PayloadRequest } from 'payload'
import { commitTransaction, initTransaction, killTransaction } from 'payload'

import { resolveTenant } from '../access/tenant'
import { setTenantSettings } from './rls-transaction'

/**
 * Runs a use case in one transaction on the request, under the acting tenant's RLS settings.
 * Payload operations called with the same `req` join it, so the change and its audit event
 * commit or roll back together.
 */
export async function inTenantTransaction<T>(req: PayloadRequest, fn: () => Promise<T>): Promise<T> {
  const tenant = await resolveTenant(req)
  const owns = await initTransaction(req)
  try {
    await setTenantSettings(req, tenant.organizationId, tenant.userId)
    const result = await fn()
    if (owns) await commitTransaction(req)
    return result
  } catch (err) {
    if (owns) await killTransaction(req)
    throw err
  }
}
