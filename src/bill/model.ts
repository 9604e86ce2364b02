/**
 * The `meterscope bill` model: what each customer would be billed under each billable metric, per
 * period and group, what was left out and why, and (with --stripe) how it compares with Stripe's
 * meter event summaries. One JSON document (`bill --json`); fields: docs/bill.md.
 */
import type { MetricRequest } from './metrics.js';

export const BILL_SCHEMA_VERSION = 1;

export const PERIODS = ['month', 'week', 'day', 'hour'] as const;
export type Period = (typeof PERIODS)[number];

export const DEDUP_MODES = ['metronome', 'stripe', 'none'] as const;
export type DedupMode = (typeof DEDUP_MODES)[number];

export interface BillSettings {
  period: Period;
  /** --from / --to (ISO), null when not given. */
  from: string | null;
  to: string | null;
  dedup: DedupMode;
  /** --backfill: the events are to be sent now, so the acceptance window relative to asOf applies. */
  backfill: boolean;
  /** Reference time of the acceptance window (backfill only; null otherwise). */
  asOf: string | null;
  /** Where the metrics came from: the run's drafts or a --metrics file. */
  metrics: 'drafts' | 'file';
  metricsFile: string | null;
  /** --tolerance as a fraction (0.01 = 1 %); null without --stripe. */
  tolerance: number | null;
}

export interface ExclusionReason {
  reason: string;
  events: number;
  /** Sum of the aggregation key's numeric values over these events (COUNT: the events; UNIQUE: null). */
  value: number | null;
}

export interface MetricBill {
  name: string;
  aggregationType: string;
  aggregationKey: string | null;
  /** event_type_filter.in_values (null: every event type). */
  eventTypes: string[] | null;
  /** event_type_filter.not_in_values ([] when none). */
  eventTypesExcluded: string[];
  /** group_keys as given. */
  groupKeys: string[][];
  /** The keys the usage lines are grouped by: every key of every group_keys entry, in first-seen order. */
  groupBy: string[];
  /** The create-billable-metric body billed. */
  request: MetricRequest;
  /** Events in the run (every metric accounts for all of them: billedEvents + excluded.events). */
  events: number;
  billedEvents: number;
  /** Customers with at least one usage line. */
  customers: number;
  excluded: { events: number; value: number | null; byReason: ExclusionReason[] };
}

export interface UsageLine {
  metric: string;
  customer: string;
  /** Period start, ISO (UTC calendar boundary). */
  periodStart: string;
  /** Group key → value (payload text), null for a metric without group keys. */
  group: Record<string, string> | null;
  quantity: number;
  /** Billed events behind the quantity. */
  events: number;
}

export type ParityStatus = 'match' | 'differs' | 'only-in-log' | 'only-in-stripe';

export interface ParityRow {
  metric: string;
  meter: string;
  customer: string;
  periodStart: string;
  /** The metric's quantity for this customer and period (all groups together; 0 without billed events). */
  log: number;
  /** Stripe's aggregated value; null when Stripe returned no summary (or refused the customer: see error). */
  stripe: number | null;
  /** stripe − log (a missing summary counts as 0). */
  diff: number;
  /** diff ÷ max(|log|, |stripe|): −1…1 for same-signed values, 0 when both are 0. */
  relDiff: number;
  status: ParityStatus;
  /** Stripe's message when it refused this customer (e.g. an unknown customer). */
  error?: string;
}

export interface ParitySummary {
  tolerance: number;
  /** metric × customer × period pairs compared. */
  pairs: number;
  customers: number;
  periods: number;
  /** Pairs equal up to float rounding. */
  matching: number;
  withinOnePercent: number;
  withinTolerance: number;
  /** Pairs over the tolerance: any makes the exit code 4. */
  over: number;
  /** Up to 10 pairs with the largest |relDiff| (then |diff|), not matching. */
  largest: ParityRow[];
  /** Metrics not compared, and why. */
  skipped: { metric: string; reason: string }[];
  /** Stripe API requests sent (pages included). */
  requests: number;
}

export interface BillModel {
  kind: 'bill';
  schemaVersion: typeof BILL_SCHEMA_VERSION;
  runId: string;
  /** Identifies this bill's rows in the bill_* tables. */
  billId: string;
  billedAt: string;
  settings: BillSettings;
  /** Events in the run. */
  events: number;
  /** The run's first and last event (ISO), null for an empty run. */
  span: { first: string | null; last: string | null };
  metrics: MetricBill[];
  usage: UsageLine[];
  parity: ParityRow[] | null;
  paritySummary: ParitySummary | null;
  computeSeconds: number;
}
