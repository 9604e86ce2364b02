import type { Migration } from '../migrations.js';

/**
 * Runs, normalized events, rejects, and the one-pass ingest pipeline:
 * every parser INSERTs into the Null table `ingest_rows`; two materialized views split
 * the rows into `events` (accepted) and `rejects` (with the reason), so a file is read once.
 */
export const FOUNDATION: Migration = {
  version: 1,
  name: 'foundation',
  statements: [
    `CREATE TABLE IF NOT EXISTS runs (
      run_id String,
      command LowCardinality(String),
      sources Array(String),
      options String,
      started_at DateTime64(3, 'UTC'),
      finished_at Nullable(DateTime64(3, 'UTC')),
      status LowCardinality(String),
      summary String,
      updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY run_id`,
    `CREATE TABLE IF NOT EXISTS run_sources (
      run_id String,
      source String,
      format LowCardinality(String),
      lines UInt64,
      events UInt64,
      rejects UInt64,
      loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY (run_id, source)`,
    `CREATE TABLE IF NOT EXISTS events (
      run_id LowCardinality(String),
      event_time DateTime64(3, 'UTC'),
      event_name LowCardinality(String),
      customer String,
      identifier String,
      value Nullable(Float64),
      properties Map(String, String) COMMENT 'payload key -> raw JSON text of the value (strings keep their quotes)',
      source LowCardinality(String),
      line UInt64,
      seq UInt32 COMMENT 'position of the event inside its line (batch formats)',
      format LowCardinality(String),
      received_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY (run_id, event_time)`,
    `CREATE TABLE IF NOT EXISTS rejects (
      run_id LowCardinality(String),
      source LowCardinality(String),
      line UInt64,
      seq UInt32,
      format LowCardinality(String),
      reason String,
      raw String COMMENT 'the offending text, capped at 16 KiB',
      received_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY (run_id, source, line, seq)`,
    `CREATE TABLE IF NOT EXISTS ingest_rows (
      run_id String,
      source String,
      line UInt64,
      seq UInt32,
      format String,
      event_time Nullable(DateTime64(3, 'UTC')),
      event_name String,
      customer String,
      identifier String,
      value Nullable(Float64),
      properties Map(String, String),
      reject_reason String,
      raw String
    ) ENGINE = Null`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_events_mv TO events AS
      SELECT run_id, assumeNotNull(event_time) AS event_time, event_name, customer, identifier, value, properties,
             source, line, seq, format
      FROM ingest_rows WHERE reject_reason = ''`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_rejects_mv TO rejects AS
      SELECT run_id, source, line, seq, format, reject_reason AS reason, substring(raw, 1, 16384) AS raw
      FROM ingest_rows WHERE reject_reason != ''`,
  ],
};
