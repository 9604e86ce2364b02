/**
 * The advice section of the report model (`advice`): how good each payload key is to price by, the
 * group-key plan per event name with Metronome's confirmation table, and billable-metric drafts.
 * Everything here is derived from measured figures (`properties`, `keyUsage`, `stripe.meters`);
 * docs/json-report.md documents every field.
 */
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';

export type MetricRequest = BillableMetricCreateParams;

/** Why a key is (not) a pricing candidate: the first rule that matches, in this order. */
export type KeyVerdict =
  'constant' | 'near-constant' | 'identifier-like' | 'grows with usage' | 'too many values' | 'many values per customer' | 'too sparse' | 'pricing candidate';

export interface DimensionScore {
  eventName: string;
  key: string;
  /** 0..1, higher is better to price by: presence × cardinality fit × evenness × growth (docs/json-report.md). */
  score: number;
  verdict: KeyVerdict;
  presence: number;
  /** Events of the name lacking the key, and the value they carry: what an exists filter on it drops. */
  dropped: Dropped;
  distinct: number;
  /** Share of the most frequent value among events carrying the key. */
  topShare: number;
  /** Distinct values first seen after the name's median time (null: not measured). */
  newInSecondHalf: number | null;
  growsWithUsage: boolean;
  /** Most distinct values one customer has (null: not measured). */
  perCustomerMax: number | null;
  /** One line built from the numbers. */
  reason: string;
}

export interface Dropped {
  events: number;
  /** events ÷ events of the name. */
  eventsShare: number;
  /** Sum of the value column over those events. */
  value: number;
  /** value ÷ total value of the name (0 when the name has no value). */
  valueShare: number;
}

export type RowRole = 'pricing candidate' | 'stripe meter dimension' | 'requested (--group-key)' | 'compound' | 'none';

/** One row of Metronome's confirmation table (a dimension, or a compound group key). */
export interface ConfirmationRow {
  /** One key, or the keys of a compound group key. */
  dimension: string[];
  inGroupKeys: boolean;
  role: RowRole;
  /** Distinct values (or value combinations) observed in the span; null when not measured. */
  cardinality: number | null;
  /** Distinct values per customer (nearest-rank p50, p99, max); null when not measured. */
  perCustomer: { p50: number; p99: number; max: number } | null;
  growsWithUsage: boolean | null;
  /** What an exists filter on the dimension leaves out of the metric (null when not measured). */
  dropped: Dropped | null;
  /** Warnings: 'near-constant', 'grows with usage', 'identifier-like', '~1,000 values per customer', '> 1,000 combined values', 'drops events'. */
  flags: string[];
  reason: string;
}

export interface GroupKeyPlan {
  eventName: string;
  events: number;
  /** Sum of the value column over the name's events. */
  value: number;
  /** Where the group keys come from: the Stripe meter's dimension_payload_keys, or the profile's candidates. */
  source: 'stripe-meter' | 'profile';
  /** Keys fit to price by (standalone each), best first. */
  pricingCandidates: string[];
  groupKeys: string[][];
  rows: ConfirmationRow[];
  notes: string[];
}

/** Where a draft field came from. */
export type FieldSource = 'stripe-meter' | 'profile' | 'flag';

export interface DraftFlag {
  /** The payload key the flag is about (null: the metric as a whole). */
  key: string | null;
  kind:
    | 'identifier-like'
    | 'missing-key'
    | 'non-numeric'
    | 'negative'
    | 'gauge-guess'
    | 'stripe-mismatch'
    | 'many-combinations'
    | 'per-customer-cardinality'
    | 'grows-with-usage'
    | 'unmetered';
  text: string;
}

export interface BilledShare {
  /** Events the metric's filters keep (every filter key present). */
  events: number;
  eventsShare: number;
  value: number;
  valueShare: number;
}

export interface MetricDraft {
  eventName: string;
  events: number;
  /** 'stripe-meter': built from the Stripe meter; 'profile': inferred from the payloads. */
  basis: 'stripe-meter' | 'profile';
  stripeMeterId: string | null;
  /** The payload key holding the customer (becomes the event's customer_id). */
  customerKey: string;
  /** Where each field came from. */
  sources: { eventName: FieldSource; customer: FieldSource; aggregation: FieldSource; groupKeys: FieldSource };
  /** The request body for POST /v1/billable-metrics/create. */
  request: MetricRequest;
  /** What the metric bills of the name's events (null: not measured, e.g. a report stored by an older version). */
  billed: BilledShare | null;
  /** Why each choice was made, one sentence each. */
  why: string[];
  /** What to check before creating it. */
  flags: DraftFlag[];
}

export interface AdviceSettings {
  /** profile --compound-group-keys: also propose combined group keys. */
  compoundGroupKeys: boolean;
  /** profile --group-key: keys the user insists on. */
  groupKeys: string[];
  /** A pricing candidate is present in at least this share of its name's events. */
  pricingMinPresence: number;
}

export interface AdviceSection {
  settings: AdviceSettings;
  /** Stripe meters the plan followed (null: the meters were not read). */
  stripeMeters: number | null;
  /** Every payload key that could be a dimension, per event name, best first. */
  scores: DimensionScore[];
  /** One per event name, same order as eventNames. */
  plans: GroupKeyPlan[];
  /** One per event name. */
  drafts: MetricDraft[];
  /** Events no draft bills (filtered out): Metronome accepts and silently ignores them. */
  unbilled: { events: number; eventsShare: number; value: number; valueShare: number };
}
