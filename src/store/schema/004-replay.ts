import type { Migration } from '../migrations.js';

/**
 * Replay results: one row per replay run, its HDR histograms (encoded, plus percentile rows for
 * SQL comparisons), the per-second series, and per-status / per-outcome counts.
 */
export const REPLAY_RESULTS: Migration = {
  version: 4,
  name: 'replay',
  statements: [
    `CREATE TABLE IF NOT EXISTS replay_runs (
      run_id String,
      source_run_id String,
      protocol LowCardinality(String),
      target String COMMENT 'credentials and query values removed',
      pacing String,
      connections UInt32,
      pipelining UInt32,
      batch UInt32,
      started_at DateTime64(3, 'UTC'),
      finished_at DateTime64(3, 'UTC'),
      status LowCardinality(String),
      elapsed_s Float64,
      events_input UInt64,
      events_sent UInt64,
      acknowledged UInt64,
      rejected UInt64,
      failed UInt64,
      not_sent UInt64,
      requests UInt64,
      attempts UInt64,
      retries UInt64,
      events_per_s Float64,
      requests_per_s Float64,
      latency_p50_ms Float64,
      latency_p99_ms Float64,
      latency_max_ms Float64,
      lag_p99_ms Nullable(Float64),
      settings String COMMENT 'the replay settings as JSON (no secrets)',
      created_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(created_at) ORDER BY run_id`,
    `CREATE TABLE IF NOT EXISTS replay_histograms (
      run_id String,
      metric LowCardinality(String) COMMENT 'latency (from scheduled time) | service (per attempt) | connection_wait (per attempt) | lag (schedule lag)',
      unit LowCardinality(String),
      count UInt64,
      encoded String COMMENT 'HdrHistogram compressed base64 (hdr-histogram-js encodeIntoCompressedBase64)',
      created_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(created_at) ORDER BY (run_id, metric)`,
    `CREATE TABLE IF NOT EXISTS replay_percentiles (
      run_id String,
      metric LowCardinality(String),
      percentile Float64,
      value_ms Float64
    ) ENGINE = MergeTree ORDER BY (run_id, metric, percentile)`,
    `CREATE TABLE IF NOT EXISTS replay_series (
      run_id String,
      second UInt32,
      requests UInt64,
      events UInt64,
      attempts UInt64,
      retries UInt64,
      acknowledged UInt64,
      rejected UInt64,
      failed UInt64,
      p50_ms Float64,
      p99_ms Float64,
      max_ms Float64,
      lag_max_ms Float64
    ) ENGINE = MergeTree ORDER BY (run_id, second)`,
    `CREATE TABLE IF NOT EXISTS replay_statuses (
      run_id String,
      kind LowCardinality(String) COMMENT 'attempt: attempts per HTTP status; outcome: final outcome per status and reason',
      status UInt16 COMMENT '0 = no HTTP answer (connection error or timeout)',
      outcome LowCardinality(String),
      reason String,
      requests UInt64,
      events UInt64
    ) ENGINE = MergeTree ORDER BY (run_id, kind, status)`,
  ],
};
