import type { Field } from 'payload'
import { ValidationError } from 'payload'

import { resolveTenant } from '../access/tenant'

/**
 * The organization a row belongs to. Always set on the server from the acting tenant;
 * whatever a client sends is overwritten on create and can never be changed afterwards.
 */
export const organizationField: Field = {
  name: 'organization',
  type: 'relationship',
  relationTo: 'organizations',
  required: true,
  index: true,
  maxDepth: 0,
  access: { update: () => false },
  admin: { readOnly: true, position: 'sidebar' },
  hooks: {
    beforeValidate: [
      async ({ operation, req, value, originalDoc }) => {
        if (operation !== 'create') return originalDoc?.organization ?? value
        const t = await resolveTenant(req)
        if (t.organizationId == null) {
          throw new ValidationError({
            errors: [{ message: 'You have no active organization to create this in.', path: 'organization' }],
          })
        }
        return t.organizationId
      },
    ],
  },
}
