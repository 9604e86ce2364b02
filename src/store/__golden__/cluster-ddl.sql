CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER `meterscope_cluster` (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/schema_migrations', '{replica}') ORDER BY version;

CREATE TABLE IF NOT EXISTS runs ON CLUSTER `meterscope_cluster` (
      run_id String,
      command LowCardinality(String),
      sources Array(String),
      options String,
      started_at DateTime64(3, 'UTC'),
      finished_at Nullable(DateTime64(3, 'UTC')),
      status LowCardinality(String),
      summary String,
      updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/runs', '{replica}', updated_at) ORDER BY run_id;

CREATE TABLE IF NOT EXISTS run_sources ON CLUSTER `meterscope_cluster` (
      run_id String,
      source String,
      format LowCardinality(String),
      lines UInt64,
      events UInt64,
      rejects UInt64,
      loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/run_sources', '{replica}') ORDER BY (run_id, source);

CREATE TABLE IF NOT EXISTS events_local ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}') ORDER BY (run_id, event_time);

CREATE TABLE IF NOT EXISTS events ON CLUSTER `meterscope_cluster` AS events_local ENGINE = Distributed('meterscope_cluster', 'meterscope', 'events_local', cityHash64(identifier));

CREATE TABLE IF NOT EXISTS rejects_local ON CLUSTER `meterscope_cluster` (
      run_id LowCardinality(String),
      source LowCardinality(String),
      line UInt64,
      seq UInt32,
      format LowCardinality(String),
      reason String,
      raw String COMMENT 'the offending text, capped at 16 KiB',
      received_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/rejects_local', '{replica}') ORDER BY (run_id, source, line, seq);

CREATE TABLE IF NOT EXISTS rejects ON CLUSTER `meterscope_cluster` AS rejects_local ENGINE = Distributed('meterscope_cluster', 'meterscope', 'rejects_local', cityHash64(source, line));

CREATE TABLE IF NOT EXISTS ingest_rows ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_events_mv ON CLUSTER `meterscope_cluster` TO events AS
      SELECT run_id, assumeNotNull(event_time) AS event_time, event_name, customer, identifier, value, properties,
             source, line, seq, format
      FROM ingest_rows WHERE reject_reason = '';

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_rejects_mv ON CLUSTER `meterscope_cluster` TO rejects AS
      SELECT run_id, source, line, seq, format, reject_reason AS reason, substring(raw, 1, 16384) AS raw
      FROM ingest_rows WHERE reject_reason != '';

CREATE TABLE IF NOT EXISTS reports ON CLUSTER `meterscope_cluster` (
      run_id String,
      kind LowCardinality(String),
      model String COMMENT 'the report model as JSON',
      created_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/reports', '{replica}', created_at) ORDER BY (run_id, kind);

CREATE TABLE IF NOT EXISTS tail_checkpoints ON CLUSTER `meterscope_cluster` (
      run_id String,
      batch UInt64 COMMENT 'increasing per run, across resumes',
      kind LowCardinality(String) COMMENT 'start (a session began), batch (rows stored), final (run finished)',
      source String COMMENT 'what the user named: absolute path, or - for stdin',
      file_path String COMMENT 'the file the offset is in (the followed path, or where a rotated file was found)',
      file_dev UInt64,
      file_ino UInt64,
      file_offset UInt64 COMMENT 'bytes of that file consumed: just past the last stored line',
      fp_len UInt32 COMMENT 'length of the fingerprinted head of the file',
      fp_hash String COMMENT 'sha1 of the first fp_len bytes: tells a copy-truncated file from the one we read',
      read_at DateTime64(3, 'UTC') COMMENT 'when the position was taken: files rotated away after it hold what came next',
      line UInt64 COMMENT 'last line number whose rows are stored; rows beyond it are uncommitted',
      parser String COMMENT 'the resolved parser choice (JSON), so a resume parses like the first session',
      staging String COMMENT 'the staging table this session used (dropped on resume if a crash left it)',
      saved_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/tail_checkpoints', '{replica}') ORDER BY (run_id, batch);

CREATE TABLE IF NOT EXISTS replay_runs ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/replay_runs', '{replica}', created_at) ORDER BY run_id;

CREATE TABLE IF NOT EXISTS replay_histograms ON CLUSTER `meterscope_cluster` (
      run_id String,
      metric LowCardinality(String) COMMENT 'latency (from scheduled time) | service (per attempt) | connection_wait (per attempt) | lag (schedule lag)',
      unit LowCardinality(String),
      count UInt64,
      encoded String COMMENT 'HdrHistogram compressed base64 (hdr-histogram-js encodeIntoCompressedBase64)',
      created_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/replay_histograms', '{replica}', created_at) ORDER BY (run_id, metric);

CREATE TABLE IF NOT EXISTS replay_percentiles ON CLUSTER `meterscope_cluster` (
      run_id String,
      metric LowCardinality(String),
      percentile Float64,
      value_ms Float64
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/replay_percentiles', '{replica}') ORDER BY (run_id, metric, percentile);

CREATE TABLE IF NOT EXISTS replay_series ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/replay_series', '{replica}') ORDER BY (run_id, second);

CREATE TABLE IF NOT EXISTS replay_statuses ON CLUSTER `meterscope_cluster` (
      run_id String,
      kind LowCardinality(String) COMMENT 'attempt: attempts per HTTP status; outcome: final outcome per status and reason',
      status UInt16 COMMENT '0 = no HTTP answer (connection error or timeout)',
      outcome LowCardinality(String),
      reason String,
      requests UInt64,
      events UInt64
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/replay_statuses', '{replica}') ORDER BY (run_id, kind, status);

CREATE TABLE IF NOT EXISTS stripe_meters ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/stripe_meters', '{replica}') ORDER BY (run_id, taken_at, meter_id);

CREATE TABLE IF NOT EXISTS stripe_checks ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/stripe_checks', '{replica}') ORDER BY (run_id, checked_at, event_name);

CREATE TABLE IF NOT EXISTS stripe_reconcile ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/stripe_reconcile', '{replica}') ORDER BY (run_id, reconciled_at, meter_id, customer, window_start);

CREATE TABLE IF NOT EXISTS profile_rate_seconds ON CLUSTER `meterscope_cluster` (
      run_id LowCardinality(String),
      event_name LowCardinality(String) COMMENT 'empty = all event names',
      second DateTime('UTC'),
      events UInt64
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/profile_rate_seconds', '{replica}') ORDER BY (run_id, event_name, second);

CREATE TABLE IF NOT EXISTS profile_properties ON CLUSTER `meterscope_cluster` (
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/profile_properties', '{replica}') ORDER BY (run_id, event_name, key);

CREATE TABLE IF NOT EXISTS profile_candidates ON CLUSTER `meterscope_cluster` (
      run_id LowCardinality(String),
      event_name String,
      keys Array(String),
      kind LowCardinality(String),
      combinations UInt64,
      present UInt64,
      presence Float64,
      score Float64,
      reason String
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/profile_candidates', '{replica}') ORDER BY (run_id, event_name, keys);

CREATE TABLE IF NOT EXISTS profile_fit ON CLUSTER `meterscope_cluster` (
      run_id LowCardinality(String),
      path LowCardinality(String),
      verdict LowCardinality(String),
      utilization Float64,
      headroom Nullable(Float64),
      avg_requests_per_second Float64,
      peak_requests_per_second Float64,
      seconds_over_limit UInt64,
      detail String COMMENT 'the FitResult as JSON'
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/profile_fit', '{replica}') ORDER BY (run_id, path);

ALTER TABLE runs ADD COLUMN IF NOT EXISTS pid UInt32 DEFAULT 0;

ALTER TABLE runs ADD COLUMN IF NOT EXISTS host String DEFAULT '';

CREATE TABLE IF NOT EXISTS bill_usage ON CLUSTER `meterscope_cluster` (
      bill_id String,
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/bill_usage', '{replica}') ORDER BY (run_id, billed_at, metric, customer, period_start);

CREATE TABLE IF NOT EXISTS bill_exclusions ON CLUSTER `meterscope_cluster` (
      bill_id String,
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
      reason String COMMENT 'the first reason that applied, e.g. "missing group key region"',
      events UInt64,
      value Nullable(Float64) COMMENT 'sum of the aggregation key values of these events (COUNT: the events; UNIQUE: NULL)'
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/bill_exclusions', '{replica}') ORDER BY (run_id, billed_at, metric, reason);

CREATE TABLE IF NOT EXISTS bill_metrics ON CLUSTER `meterscope_cluster` (
      bill_id String,
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
      aggregation LowCardinality(String),
      aggregation_key String,
      dedup LowCardinality(String),
      events UInt64,
      billed_events UInt64,
      excluded_events UInt64,
      detail String COMMENT 'the metrics[] entry as JSON'
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/bill_metrics', '{replica}') ORDER BY (run_id, billed_at, metric);

CREATE TABLE IF NOT EXISTS bill_parity ON CLUSTER `meterscope_cluster` (
      bill_id String,
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
    ) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/bill_parity', '{replica}') ORDER BY (run_id, billed_at, metric, customer, period_start);

CREATE TABLE IF NOT EXISTS bill_rows ON CLUSTER `meterscope_cluster` (
      bill_id String,
      run_id String,
      billed_at DateTime64(3, 'UTC'),
      metric String,
      aggregation LowCardinality(String),
      period LowCardinality(String) COMMENT 'month | week | day | hour',
      period_start DateTime('UTC'),
      customer String,
      group_values Map(String, String) COMMENT 'group key -> value; empty for a metric without group keys',
      quantity Float64,
      events UInt64 COMMENT 'billed events behind the quantity',
      reason String,
      value Nullable(Float64)
    ) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS bill_usage_mv ON CLUSTER `meterscope_cluster` TO bill_usage AS
      SELECT bill_id, run_id, billed_at, metric, aggregation, period, period_start, customer, group_values, quantity, events
      FROM bill_rows WHERE reason = '';

CREATE MATERIALIZED VIEW IF NOT EXISTS bill_exclusions_mv ON CLUSTER `meterscope_cluster` TO bill_exclusions AS
      SELECT bill_id, run_id, billed_at, metric, reason, events, value
      FROM bill_rows WHERE reason != '';

ALTER TABLE events_local ON CLUSTER `meterscope_cluster` MODIFY SETTING min_bytes_for_wide_part = 4294967296, min_rows_for_wide_part = 1000000000;
