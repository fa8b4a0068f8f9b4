import * as migration_20261125_145602_initial from './20261125_145602_initial'
import * as migration_20261125_150000_tenant_guards from './20261125_150000_tenant_guards'

export const migrations = [
  {
    up: migration_20261125_145602_initial.up,
    down: migration_20261125_145602_initial.down,
    name: '20261125_145602_initial',
  },
  {
    up: migration_20261125_150000_tenant_guards.up,
    down: migration_20261125_150000_tenant_guards.down,
    name: '20261125_150000_tenant_guards',
  },
]
