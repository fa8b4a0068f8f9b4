import * as migration_20261125_153847_initial from './20261125_153847_initial'
import * as migration_20261125_153900_tenant_guards from './20261125_153900_tenant_guards'
import * as migration_20261125_155724_imports from './20261125_155724_imports'
import * as migration_20261125_155800_imports_guards from './20261125_155800_imports_guards'
import * as migration_20261125_171919_ledger_and_batches from './20261125_171919_ledger_and_batches'
import * as migration_20261125_172000_ledger_guards from './20261125_172000_ledger_guards'
import * as migration_20261125_175500_list_indexes from './20261125_175500_list_indexes'
import * as migration_20261125_175855_jobs_queue from './20261125_175855_jobs_queue'
import * as migration_20261125_203000_idempotency_and_import_slots from './20261125_203000_idempotency_and_import_slots'
import * as migration_20261125_210000_row_counts from './20261125_210000_row_counts'
import * as migration_20261125_220000_drop_redundant_keys from './20261125_220000_drop_redundant_keys'

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
  {
    up: migration_20261125_155724_imports.up,
    down: migration_20261125_155724_imports.down,
    name: '20261125_155724_imports',
  },
  {
    up: migration_20261125_155800_imports_guards.up,
    down: migration_20261125_155800_imports_guards.down,
    name: '20261125_155800_imports_guards',
  },
  {
    up: migration_20261125_171919_ledger_and_batches.up,
    down: migration_20261125_171919_ledger_and_batches.down,
    name: '20261125_171919_ledger_and_batches',
  },
  {
    up: migration_20261125_172000_ledger_guards.up,
    down: migration_20261125_172000_ledger_guards.down,
    name: '20261125_172000_ledger_guards',
  },
  {
    up: migration_20261125_175500_list_indexes.up,
    down: migration_20261125_175500_list_indexes.down,
    name: '20261125_175500_list_indexes',
  },
  {
    up: migration_20261125_175855_jobs_queue.up,
    down: migration_20261125_175855_jobs_queue.down,
    name: '20261125_175855_jobs_queue',
  },
  {
    up: migration_20261125_203000_idempotency_and_import_slots.up,
    down: migration_20261125_203000_idempotency_and_import_slots.down,
    name: '20261125_203000_idempotency_and_import_slots',
  },
  {
    up: migration_20261125_210000_row_counts.up,
    down: migration_20261125_210000_row_counts.down,
    name: '20261125_210000_row_counts',
  },
  {
    up: migration_20261125_220000_drop_redundant_keys.up,
    down: migration_20261125_220000_drop_redundant_keys.down,
    name: '20261125_220000_drop_redundant_keys',
  },
]
