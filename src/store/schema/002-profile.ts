import type { Migration } from '../migrations.js';

/** Stored report models, so `meterscope report <run-id>` re-renders without recomputing. */
export const PROFILE_RESULTS: Migration = {
  version: 2,
  name: 'reports',
  statements: [
    `CREATE TABLE IF NOT EXISTS reports (
      run_id String,
      kind LowCardinality(String),
      model String COMMENT 'the report model as JSON',
      created_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(created_at) ORDER BY (run_id, kind)`,
  ],
};
