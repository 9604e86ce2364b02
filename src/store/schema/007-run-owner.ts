import type { Migration } from '../migrations.js';

/**
 * Which process runs a run: a run left 'running' by a process that is gone (kill -9, power loss)
 * is found and marked 'abandoned' the next time the store is opened (src/store/runs.ts).
 */
export const RUN_OWNER: Migration = {
  version: 7,
  name: 'run-owner',
  statements: [`ALTER TABLE runs ADD COLUMN IF NOT EXISTS pid UInt32 DEFAULT 0`, `ALTER TABLE runs ADD COLUMN IF NOT EXISTS host String DEFAULT ''`],
};
