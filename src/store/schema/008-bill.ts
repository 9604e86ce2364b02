import type { Migration } from '../migrations.js';

/**
 * `meterscope bill` results, keyed by the billed run and the time of the bill (a run can be billed
 * again with other metrics or settings; readers take the latest billed_at):
 * - bill_usage: one row per metric × customer × period × group values (the model's usage[]).
 * - bill_metrics: one row per metric: events billed and excluded, with the reasons.
 * - bill_parity: with --stripe, one row per metric × customer × period compared with Stripe.
 */
export const BILL_TABLES: Migration = {
  version: 8,
  name: 'bill',
  statements: [
    `CREATE TABLE IF NOT EXISTS bill_usage (
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
      aggregation LowCardinality(String),
      period LowCardinality(String) COMMENT 'month | week | day | hour',
      period_start DateTime('UTC'),
      customer String,
      group_values Map(String, String) COMMENT 'group key -> value; empty for a metric without group keys',
      quantity Float64,
      events UInt64 COMMENT 'billed events behind the quantity'
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric, customer, period_start)`,
    `CREATE TABLE IF NOT EXISTS bill_metrics (
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
      aggregation LowCardinality(String),
      aggregation_key String,
      dedup LowCardinality(String),
      events UInt64,
      billed_events UInt64,
      excluded_events UInt64,
      excluded Map(String, UInt64) COMMENT 'reason -> events',
      detail String COMMENT 'the metrics[] entry as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, billed_at, metric)`,
    `CREATE TABLE IF NOT EXISTS bill_parity (
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
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
  ],
};
