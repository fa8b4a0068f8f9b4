import * as migration_20261125_153847_initial from './20261125_153847_initial'
import * as migration_20261125_153900_tenant_guards from './20261125_153900_tenant_guards'

export const migrations = [
  {
    up: migration_20261125_153847_initial.up,
    down: migration_20261125_153847_initial.down,
    name: '20261125_153847_initial',
  },
  {
    up: migration_20261125_153900_tenant_guards.up,
    down: migration_20261125_153900_tenant_guards.down,
    name: '20261125_153900_tenant_guards',
  },
]
