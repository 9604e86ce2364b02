import type { Migration } from '../migrations.js';

/**
 * Profile result tables, keyed by run id (the full report model is also kept in `reports`).
 * - profile_rate_seconds: events per UTC second and event name, non-empty seconds only;
 *   rows with event_name = '' hold the total over all names (no real event has an empty name).
 * - profile_properties: one row per event name × payload key (see PropertyProfile in src/profile/model.ts).
 * - profile_candidates: dimension candidates (single and compound keys) per event name.
 * - profile_fit: the fit verdict per ingestion path.
 */
export const PROFILE_RESULT_TABLES: Migration = {
  version: 6,
  name: 'profile-results',
  statements: [
    `CREATE TABLE IF NOT EXISTS profile_rate_seconds (
      run_id LowCardinality(String),
      event_name LowCardinality(String) COMMENT 'empty = all event names',
      second DateTime('UTC'),
      events UInt64
    ) ENGINE = MergeTree ORDER BY (run_id, event_name, second)`,
    `CREATE TABLE IF NOT EXISTS profile_properties (
      run_id LowCardinality(String),
      event_name String,
      key String,
      events UInt64,
      present UInt64,
      presence Float64,
      distinct_values UInt64,
      distinct_exact Bool,
      class LowCardinality(String),
      types Map(String, UInt64),
      numeric_count UInt64,
      numeric_min Nullable(Float64),
      numeric_max Nullable(Float64),
      numeric_mean Nullable(Float64),
      numeric_p50 Nullable(Float64),
      numeric_p99 Nullable(Float64),
      top_values Array(Tuple(value String, events UInt64)) COMMENT 'raw JSON text of the value, events carrying it',
      detail String COMMENT 'the PropertyProfile as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, event_name, key)`,
    `CREATE TABLE IF NOT EXISTS profile_candidates (
      run_id LowCardinality(String),
      event_name String,
      keys Array(String),
      kind LowCardinality(String),
      combinations UInt64,
      present UInt64,
      presence Float64,
      score Float64,
      reason String
    ) ENGINE = MergeTree ORDER BY (run_id, event_name, keys)`,
    `CREATE TABLE IF NOT EXISTS profile_fit (
      run_id LowCardinality(String),
      path LowCardinality(String),
      verdict LowCardinality(String),
      utilization Float64,
      headroom Nullable(Float64),
      avg_requests_per_second Float64,
      peak_requests_per_second Float64,
      seconds_over_limit UInt64,
      detail String COMMENT 'the FitResult as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, path)`,
  ],
};
