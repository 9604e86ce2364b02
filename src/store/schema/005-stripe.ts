import type { Migration } from '../migrations.js';

/**
 * Stripe integration results, keyed by run id and the time they were taken (a run can be checked
 * or reconciled again; readers take the latest):
 * - stripe_meters: the meters read from Stripe for a check / reconcile / profile --stripe, with the
 *   Metronome aggregation each needs (the billable-metric drafts read it).
 * - stripe_checks: one row per active meter and per event name no active meter bills.
 * - stripe_reconcile: one row per meter × customer × window compared with Stripe's event summaries.
 * No API key is ever stored.
 */
export const STRIPE_TABLES: Migration = {
  version: 5,
  name: 'stripe',
  statements: [
    `CREATE TABLE IF NOT EXISTS stripe_meters (
      run_id String,
      taken_at DateTime64(3, 'UTC'),
      purpose LowCardinality(String) COMMENT 'check | reconcile | profile',
      meter_id String,
      display_name String,
      event_name String,
      status LowCardinality(String),
      formula LowCardinality(String),
      customer_key String,
      value_key String,
      event_time_window LowCardinality(String),
      dimension_keys Array(String),
      livemode Bool,
      metronome_aggregation LowCardinality(String) COMMENT 'SUM | COUNT | LATEST; empty for an unknown formula',
      metronome_aggregation_key String,
      metronome_alternative LowCardinality(String),
      detail String COMMENT 'the normalized meter as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, taken_at, meter_id)`,
    `CREATE TABLE IF NOT EXISTS stripe_checks (
      run_id String,
      checked_at DateTime64(3, 'UTC'),
      finding LowCardinality(String) COMMENT 'ok | problems | idle (active meters) | unmetered | inactive-meter (event names)',
      event_name String,
      meter_id String,
      formula LowCardinality(String),
      customer_key String,
      value_key String,
      events UInt64,
      billable_events UInt64,
      customers UInt64,
      missing_customer_key UInt64,
      missing_value_key UInt64,
      non_numeric_values UInt64,
      negative_values UInt64,
      first_event Nullable(DateTime64(3, 'UTC')),
      last_event Nullable(DateTime64(3, 'UTC')),
      metronome_aggregation LowCardinality(String),
      metronome_aggregation_key String,
      detail String COMMENT 'the MeterCheck / UnmeteredEventName as JSON'
    ) ENGINE = MergeTree ORDER BY (run_id, checked_at, event_name)`,
    `CREATE TABLE IF NOT EXISTS stripe_reconcile (
      run_id String,
      reconciled_at DateTime64(3, 'UTC'),
      meter_id String,
      event_name String,
      formula LowCardinality(String),
      granularity LowCardinality(String),
      customer String,
      window_start DateTime('UTC'),
      window_end DateTime('UTC'),
      log_events UInt64,
      log_value Float64,
      stripe_value Nullable(Float64),
      difference Float64,
      status LowCardinality(String) COMMENT 'match | differs | missing-in-stripe | only-in-stripe | stripe-error',
      error String
    ) ENGINE = MergeTree ORDER BY (run_id, reconciled_at, meter_id, customer, window_start)`,
  ],
};
