import type { Migration } from '../migrations.js';

/** The columns every bill table starts with: which bill, of which run, which metric. */
const KEY = `bill_id String,
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String`;

/** A usage line after the key; bill_rows carries the same, plus the exclusion reason and value. */
const USAGE = `aggregation LowCardinality(String),
      period LowCardinality(String) COMMENT 'month | week | day | hour',
      period_start DateTime('UTC'),
      customer String,
      group_values Map(String, String) COMMENT 'group key -> value; empty for a metric without group keys',
      quantity Float64,
      events UInt64 COMMENT 'billed events behind the quantity'`;

/**
 * `meterscope bill` results, keyed by the billed run and the bill (bill_id, billed_at: a run can be
 * billed again with other metrics or settings; readers take the latest billed_at):
 * - bill_usage: one row per metric × customer × period × group values (the model's usage[]).
 * - bill_exclusions: one row per metric × reason an event was left out, with the events and value.
 * - bill_metrics: one row per metric, with the model's metrics[] entry.
 * - bill_parity: with --stripe, one row per metric × customer × period compared with Stripe.
 * As for ingestion, one query per metric INSERTs into the Null table bill_rows and two materialized
 * views split its rows into bill_usage (reason '') and bill_exclusions, so the events are read once.
 */
export const BILL_TABLES: Migration = {
  version: 8,
  name: 'bill',
  statements: [
    `CREATE TABLE IF NOT EXISTS bill_usage (
      ${KEY},
      ${USAGE}
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric, customer, period_start)`,
    `CREATE TABLE IF NOT EXISTS bill_exclusions (
      ${KEY},
      reason String COMMENT 'the first reason that applied, e.g. "missing group key region"',
      events UInt64,
      value Nullable(Float64) COMMENT 'sum of the aggregation key values of these events (COUNT: the events; UNIQUE: NULL)'
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric, reason)`,
    `CREATE TABLE IF NOT EXISTS bill_metrics (
      ${KEY},
      aggregation LowCardinality(String),
      aggregation_key String,
      dedup LowCardinality(String),
      events UInt64,
      billed_events UInt64,
      excluded_events UInt64,
      detail String COMMENT 'the metrics[] entry as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric)`,
    `CREATE TABLE IF NOT EXISTS bill_parity (
      ${KEY},
      meter_id String,
      customer String,
      period_start DateTime('UTC'),
      log_value Float64,
      stripe_value Nullable(Float64),
      diff Float64 COMMENT 'stripe - log',
      rel_diff Float64,
      status LowCardinality(String) COMMENT 'match | differs | only-in-log | only-in-stripe',
      error String
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric, customer, period_start)`,
    `CREATE TABLE IF NOT EXISTS bill_rows (
      ${KEY},
      ${USAGE},
      reason String,
      value Nullable(Float64)
    ) ENGINE = Null`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS bill_usage_mv TO bill_usage AS
      SELECT bill_id, run_id, billed_at, metric, aggregation, period, period_start, customer, group_values, quantity, events
      FROM bill_rows WHERE reason = ''`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS bill_exclusions_mv TO bill_exclusions AS
      SELECT bill_id, run_id, billed_at, metric, reason, events, value
      FROM bill_rows WHERE reason != ''`,
  ],
};
