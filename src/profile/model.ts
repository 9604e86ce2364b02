/**
 * The report model: plain data, the one thing every renderer (terminal, JSON, Markdown, HTML) reads.
 * `profile --json` and `report <run-id> --json` print it as is; docs/json-report.md documents every
 * field with its unit. Conventions used throughout:
 * - times are ISO 8601 UTC strings with milliseconds ('2024-01-01T00:00:00.000Z');
 * - "eps" means events per second; "share" and "presence" are fractions in 0..1 (not percent);
 * - counts are plain numbers of events (or seconds, where the name says so);
 * - payload values are untrusted text: renderers must escape them (HTML) or strip control characters (terminal).
 */

import type { StripeSection } from '../stripe/profile-section.js';
import type { AdviceSection } from '../advice/model.js';

/** Bump when a field changes meaning or disappears; adding fields keeps the version. */
export const REPORT_SCHEMA_VERSION = 2 as const;

export interface SourceSummary {
  /** The input as named (absolute path for files, '-' for stdin). */
  source: string;
  /** The detected or forced input format (see src/ingest/formats.ts). */
  format: string;
  /** Highest line number seen (blank lines count as lines). */
  lines: number;
  /** Events accepted from this source. */
  events: number;
  /** Lines/elements rejected from this source. */
  rejects: number;
  /** Wall time spent loading this source, seconds. */
  seconds: number;
  /** Generic JSON / CSV: the field the customer was read from (dotted path or column); absent when none was found and for the other formats. */
  customerField?: string;
}

export interface RejectExample {
  source: string;
  /** 1-based line number in the source. */
  line: number;
  reason: string;
  /** The offending text, first 200 characters (untrusted). */
  raw: string;
}

/** Options the figures depend on, as used. */
export interface ProfileSettings {
  /** --as-of as given (ISO), or null when it defaulted to the last event. */
  asOf: string | null;
  /** Payload key holding the customer (the meter's customer mapping). */
  customerKey: string;
  /** Payload key holding the numeric value (the meter's value settings). */
  valueKey: string;
  /** --require keys ([] when not given). */
  require: string[];
  /** Distinct values are counted exactly up to this many per key, approximated beyond. */
  exactDistinctLimit: number;
}

// ---------------------------------------------------------------------------------------------
// Rates. Time buckets are whole UTC seconds of the event timestamp.

/** The busiest window of `windowSeconds` consecutive seconds (sliding, not aligned to the clock). */
export interface RatePeak {
  windowSeconds: number;
  /** Events in the window. */
  events: number;
  /** events ÷ windowSeconds. */
  eps: number;
  /**
   * Window start (ISO). Windows start on a second that has events; the earliest busiest window wins.
   * A window may reach past the last event (so a span shorter than the window gives events ÷ window).
   * null when there are no events.
   */
  at: string | null;
}

export interface RatePercentiles {
  /** Events in one second, nearest-rank over ALL seconds of the span (empty seconds count as 0). */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Seconds of the span whose event count falls in [from, to] (inclusive). */
export interface RateHistogramBucket {
  from: number;
  to: number;
  seconds: number;
}

export interface HourOfDayRate {
  /** 0..23, UTC. */
  hour: number;
  events: number;
  /** events ÷ all events. */
  share: number;
  /** events ÷ seconds of the span that fall in this hour of day (0 when none do). */
  avgEps: number;
  /** Busiest single second in this hour of day, events. */
  peak1s: number;
}

export interface DayOfWeekRate {
  /** ISO day of week: 1 = Monday … 7 = Sunday (UTC). */
  day: number;
  name: 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
  events: number;
  share: number;
  /** events ÷ seconds of the span that fall on this weekday. */
  avgEps: number;
  peak1s: number;
}

/** Rate over time for charts, in equal buckets: every bucket from the first event's to the last's, empty ones with 0. */
export interface RateSeries {
  /** Bucket length in seconds (1, 10, 60, 300, 900, 3600, 21600 or 86400: the smallest giving ≤ 500 buckets). */
  bucketSeconds: number;
  points: {
    /** Bucket start (ISO). */
    at: string;
    events: number;
    /** events ÷ bucketSeconds. */
    avgEps: number;
    /** Busiest second inside the bucket, events. */
    peak1s: number;
  }[];
}

export interface RateProfile {
  /** Number of 1-second buckets from the first to the last event, inclusive (0 without events). */
  spanSeconds: number;
  /** Seconds of the span with at least one event. */
  activeSeconds: number;
  /** events.total ÷ spanSeconds (0 without events). */
  avgEps: number;
  peak: { '1s': RatePeak; '10s': RatePeak; '60s': RatePeak };
  percentiles: RatePercentiles;
  /** peak['1s'].eps ÷ avgEps (null without events). */
  burstFactor: number | null;
  /** Distribution of per-second counts over the span, zero seconds included; buckets 0, 1, 2–3, 4–7, … */
  histogram: RateHistogramBucket[];
  /** Always 24 entries, hour 0..23. */
  hourOfDay: HourOfDayRate[];
  /** Always 7 entries, Monday first. */
  dayOfWeek: DayOfWeekRate[];
  series: RateSeries;
}

export interface EventNameRate {
  name: string;
  count: number;
  /** count ÷ all events. */
  share: number;
  first: string;
  last: string;
  /** 1-second buckets from this name's first to its last event, inclusive. */
  spanSeconds: number;
  /** count ÷ spanSeconds (this name's own span). */
  avgEps: number;
  /** Busiest single second for this name, events (= eps). */
  peak1s: number;
  peak1sAt: string;
}

export interface CustomerRate {
  customer: string;
  count: number;
  /** count ÷ all events. */
  share: number;
  /** Busiest single second for this customer, events. */
  peak1s: number;
  peak1sAt: string;
}

export interface CustomerProfile {
  /** Where the customer came from: the payload key (Stripe formats) or the format's customer field. */
  key: string;
  /** Distinct non-empty customers (exact). */
  distinct: number;
  /** Events with no customer. */
  missing: number;
  /** Top 10 customers by event count (ties: customer ascending). */
  top: CustomerRate[];
}

// ---------------------------------------------------------------------------------------------
// Properties (payload keys), per event name × key.

export type PropertyClass = 'constant' | 'dimension' | 'identifier-like' | 'measure' | 'free text';

/** Counts of present values by JSON type (the first character of the raw JSON text). */
export interface PropertyTypes {
  number: number;
  string: number;
  boolean: number;
  null: number;
  /** JSON objects and arrays. */
  object: number;
}

export interface NumericStats {
  /** Present values that are numeric: JSON numbers or strings holding a decimal number ("25", "-1.5e3"). */
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Nearest-rank percentiles of the numeric values (the ⌈q·count⌉-th smallest). */
  p50: number;
  p99: number;
  /** false when the key has more distinct values than the exact limit: p50/p99 are then t-digest estimates. */
  quantilesExact: boolean;
}

export interface TopValue {
  /** The raw JSON text of the value: strings keep their quotes ('"eu"'), numbers don't ('3'). Untrusted. */
  value: string;
  count: number;
  /** count ÷ events of the name that carry the key. */
  share: number;
}

export interface PropertyProfile {
  eventName: string;
  key: string;
  /** Events of this name. */
  events: number;
  /** Events of this name that carry the key. */
  present: number;
  /** present ÷ events. */
  presence: number;
  /** Distinct raw values ('5' and '"5"' differ). */
  distinct: number;
  /** true: counted exactly; false: more than settings.exactDistinctLimit values, HyperLogLog estimate. */
  distinctExact: boolean;
  /** Relative standard error of `distinct` when approximate (e.g. 0.0029 = 0.29 %), else null. */
  distinctError: number | null;
  types: PropertyTypes;
  /** numeric.count ÷ present (0 when the key is never numeric). */
  numericShare: number;
  numeric: NumericStats | null;
  /** Most frequent values, at most 10 (ties: value ascending). */
  topValues: TopValue[];
  /** false when the key exceeds the exact limit: counts are then space-saving estimates. */
  topValuesExact: boolean;
  /** Mean length of the raw values without a string's quotes (escapes count as written), characters. */
  avgLength: number;
  class: PropertyClass;
  /** One line saying why the class was chosen (thresholds in src/profile/classify.ts). */
  classReason: string;
  /** 'customer' / 'value' when this key is the meter's customer or value mapping, else null. */
  role: 'customer' | 'value' | null;
}

// ---------------------------------------------------------------------------------------------
// Dimension candidates.

export interface DimensionCandidate {
  /** One key (single) or 2–3 keys (compound). */
  keys: string[];
  kind: 'single' | 'pair' | 'triple';
  /** Exact number of distinct value combinations among events carrying all the keys. */
  combinations: number;
  /** Events of the name carrying all the keys. */
  present: number;
  /** present ÷ events of the name. */
  presence: number;
  /** Product of the keys' own distinct counts: combinations close to it means independent keys. */
  crossProduct: number;
  /** Compound only: one key's values determine the others' (combinations = the largest single distinct). */
  redundant: boolean;
  /** 0..1, higher is better to price by: presence × cardinality fit × evenness × growth × simplicity (docs/json-report.md). */
  score: number;
  reason: string;
}

export interface EventDimensionCandidates {
  eventName: string;
  events: number;
  /** Singles and compounds, best score first (ties: fewer keys first, then keys ascending). */
  candidates: DimensionCandidate[];
}

/** How a payload key, or a combination of keys, is used by the events of one name (src/profile/key-usage.ts). */
export interface KeyUsage {
  eventName: string;
  /** Sorted; [] measures the name as a whole. */
  keys: string[];
  /** Events carrying every key. */
  present: number;
  /** Sum of the value column over those events. */
  value: number;
  /** Distinct value combinations observed (exact, counted as 64-bit hashes). */
  distinct: number;
  /** Distinct combinations among the events before the name's median time. */
  firstHalfDistinct: number;
  /** Customers with such events ('' counts as one). */
  customers: number;
  /** Distinct combinations per customer: nearest-rank p50 and p99 over those customers, and the largest. */
  perCustomer: { p50: number; p99: number; max: number };
}

/** --require: coverage of the required payload keys. */
export interface RequirementCoverage {
  keys: string[];
  byEventName: {
    eventName: string;
    events: number;
    /** Events carrying every required key. */
    complete: number;
    /** complete ÷ events. */
    coverage: number;
    perKey: { key: string; present: number; coverage: number }[];
    /** Distinct customers with at least one event missing a required key. */
    customersMissing: number;
    /** Those customers with the most incomplete events, at most 10. */
    topCustomersMissing: { customer: string; events: number }[];
  }[];
}

// ---------------------------------------------------------------------------------------------
// Identity and time.

export interface DuplicateExample {
  identifier: string;
  /** Time from the previous use of the identifier to this event, seconds. */
  gapSeconds: number;
  first: { at: string; source: string; line: number };
  duplicate: { at: string; source: string; line: number };
}

export interface IdentityProfile {
  /** Events with an empty identifier (Stripe then generates one; Metronome requires transaction_id). */
  withoutIdentifier: number;
  /** Distinct non-empty identifiers used by more than one event. */
  reusedIdentifiers: number;
  /**
   * Events whose identifier was already used by an earlier event (by time, then source/line order)
   * at most 24 h before it: what Stripe's rolling 24 h uniqueness would reject.
   */
  duplicates24h: number;
  /** Same with 34 days: what Metronome's transaction_id deduplication would drop. */
  duplicates34d: number;
  /** Up to 5 examples of 24 h duplicates, earliest first. */
  examples24h: DuplicateExample[];
  /** Up to 5 examples of duplicates more than 24 h but at most 34 days apart (Metronome drops, Stripe accepts). */
  examples34d: DuplicateExample[];
}

export interface TimeProfile {
  /** Reference time for the checks below (ISO); null without events and without --as-of. */
  asOf: string | null;
  asOfSource: 'flag' | 'last-event';
  /** Events more than 35 days before asOf (Stripe rejects them). */
  staleOver35d: number;
  /** Events more than 34 days before asOf (beyond Metronome's backdating). */
  staleOver34d: number;
  /** Events more than 5 minutes after asOf (Stripe rejects them). */
  futureOver5m: number;
  /** Events more than 24 hours after asOf (Metronome rejects them). */
  futureOver24h: number;
  /** Events whose timestamp is earlier than the previous event's in the same source (file order: line, position in line). */
  outOfOrder: number;
  /** outOfOrder ÷ events.total. */
  outOfOrderShare: number;
  /** Largest step back in time between consecutive events of a source, seconds (0 when none). */
  maxBackwardsSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Fit against the published ingestion limits (src/fit/limits.ts).

export type FitPath = 'stripe-v1' | 'stripe-v2-stream' | 'metronome-ingest' | 'stripe-v2-meter-events' | 'stripe-v1-test' | 'stripe-v2-stream-test';

/** The busiest second of one customer and event name (Stripe v1 allows one call at a time per customer and meter). */
export interface CustomerMeterPeak {
  /** Events of one customer and event name in one second. */
  peakEvents: number;
  customer: string | null;
  eventName: string | null;
  /** That second (ISO); null without events. */
  at: string | null;
  /** Latency assumed per call, ms (the replay command measures the real one). */
  assumedLatencyMs: number;
  /** Events one call at a time carries in a second: 1000 ÷ assumedLatencyMs. */
  sequentialEventsPerSecond: number;
  /** (customer, event name, second) triples with more events than that. */
  secondsOverSequential: number;
  /** Distinct customer × event name pairs with such a second. */
  pairsOverSequential: number;
}

export interface NearDuplicateExample {
  at: string;
  customer: string;
  eventName: string;
  /** Up to 3 of the identifiers, sorted ('' = none). */
  identifiers: string[];
  /** Events in the group. */
  events: number;
  value: number | null;
}

/** Checks users hit when they cut over (src/profile/cutover.ts); limits in src/fit/limits.ts (IDENTITY_LIMITS). */
export interface CutoverChecks {
  /** Events whose identifier is longer than Stripe's 100 characters. */
  identifiersOverStripeLimit: number;
  /** Events whose identifier (the transaction_id) is longer than Metronome's 128 characters. */
  identifiersOverMetronomeLimit: number;
  /** Events whose event name is longer than Stripe's 100 characters. */
  eventNamesOverStripeLimit: number;
  /** Events with a numeric value that is not a whole number (Stripe accepts whole numbers only). */
  fractionalValues: number;
  /** Events without a numeric value. */
  withoutValue: number;
  /** Sum of the value column over all events. */
  totalValue: number;
  customerMeter: CustomerMeterPeak;
  /** Events repeating another's customer, event name, time and payload under a different identifier: billed twice by both providers. */
  nearDuplicates: {
    /** Groups of such events. */
    groups: number;
    /** Events beyond the first in each group: Σ (identifiers − 1). */
    events: number;
    /** Their value. */
    value: number;
    /** value ÷ totalValue. */
    valueShare: number;
    /** Up to 5 groups, earliest first. */
    examples: NearDuplicateExample[];
  };
}
export type FitVerdict = 'fits' | 'tight' | 'exceeds';

export interface FitAdvice {
  /** Events per request to send (1 for Stripe v1, which takes one event per call). */
  batchSize: number;
  /** Flush a partial batch after this long, ms: the time a batch takes to fill at the average rate, at most 1000. */
  flushIntervalMs: number;
  /** Requests per second at the observed peak second with that batching. */
  requestsPerSecondAtPeak: number;
  /** Concurrent connections to carry that peak: ⌈requestsPerSecondAtPeak × assumedLatencyMs/1000⌉. */
  connections: number;
  /** Request latency assumed for `connections` (not measured; replay measures it), ms. */
  assumedLatencyMs: number;
  /** Longest wait an event would have in a queue drained at the path's capacity, seconds (0 when the peak fits). */
  queueDelaySeconds: number;
  /** flushIntervalMs/1000 + queueDelaySeconds. */
  addedDelaySeconds: number;
  /** true when the observed traffic stays under the limit with at most 1 s of added delay. */
  keepsUnderLimit: boolean;
  text: string;
}

export interface FitResult {
  path: FitPath;
  label: string;
  endpoint: string;
  /** 'test': Stripe's test mode and sandboxes (meter event calls count toward the basic rate limit). */
  mode: 'live' | 'test';
  limits: {
    /** Most events one request may carry. */
    maxEventsPerRequest: number;
    /** Published request rate limit, requests/s (null: none published). */
    requestsPerSecond: number | null;
    /** Published event rate limit, events/s (null: none published). */
    eventsPerSecond: number | null;
    /** Events/s the path takes at full batching: min(eventsPerSecond, requestsPerSecond × maxEventsPerRequest). */
    capacityEventsPerSecond: number;
    /** Which published limit is reached first. */
    binding: 'requests' | 'events';
    /** Other event rates the provider publishes for the path (not judged against: the conservative one is). */
    alsoPublished: { eventsPerSecond: number; source: string }[];
    /** Calls in flight at once per customer and meter (Stripe v1: 1); null when none is published. */
    concurrentCallsPerCustomerMeter: number | null;
  };
  /** With a per-customer-meter concurrency limit: the busiest customer × event name second against it (null otherwise). */
  customerMeter: {
    peakEvents: number;
    customer: string | null;
    eventName: string | null;
    at: string | null;
    /** Calls that second needs in flight at the assumed latency: ⌈peakEvents × assumedLatencyMs ÷ 1000⌉. */
    impliedConcurrency: number;
    /** peakEvents × assumedLatencyMs ÷ 1000 ÷ the allowed concurrency. */
    utilization: number;
    secondsOverSequential: number;
  } | null;
  /** Where the limits are published. */
  sources: string[];
  need: {
    avgEventsPerSecond: number;
    peakEventsPerSecond: number;
    /** avgEventsPerSecond ÷ maxEventsPerRequest. */
    avgRequestsPerSecond: number;
    /** ⌈peak-1s events ÷ maxEventsPerRequest⌉. */
    peakRequestsPerSecond: number;
  };
  /** Peak need ÷ limit, the largest of requests, events and (where published) calls per customer and meter (0..∞). */
  utilization: number;
  /** 1 ÷ utilization: how many times the peak fits under the limit (null without events). */
  headroom: number | null;
  /** Seconds of the span whose events exceed capacityEventsPerSecond. */
  secondsOverLimit: number;
  /** fits: utilization ≤ 0.5; tight: ≤ 1; exceeds: > 1. */
  verdict: FitVerdict;
  /** Factor the traffic can grow by before the verdict changes (0.5 or 1 ÷ utilization); null when it exceeds or without events. */
  growthFactor: number | null;
  advice: FitAdvice;
  /** The path's timestamp window and what falls outside it. */
  timestamps: { maxAgeDays: number; maxFutureSeconds: number; tooOld: number; tooFarInFuture: number };
  /** The path's identifier deduplication window and the events it would drop or reject. */
  dedup: { field: string; windowSeconds: number; duplicates: number };
}

// ---------------------------------------------------------------------------------------------

export interface ProfileReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  runId: string;
  command: string;
  generatedAt: string;
  /** Where the data lives (never contains a password). */
  store: string;
  settings: ProfileSettings;
  sources: SourceSummary[];
  events: {
    total: number;
    rejected: number;
    /** Earliest / latest event time (ISO), null without events. */
    first: string | null;
    last: string | null;
  };
  rejects: {
    total: number;
    byReason: { reason: string; count: number }[];
    /** First 5 rejects in source/line order. */
    examples: RejectExample[];
  };
  rate: RateProfile;
  /** Every event name, most events first. */
  eventNames: EventNameRate[];
  customers: CustomerProfile;
  /** Every event name × payload key, by event name then presence (desc) then key. */
  properties: PropertyProfile[];
  /** Per event name: the name as a whole, each key that could be a dimension, and the combinations the advice measured. */
  keyUsage: KeyUsage[];
  /** One entry per event name, same order as eventNames. */
  dimensionCandidates: EventDimensionCandidates[];
  /** Only with --require. */
  requirements: RequirementCoverage | null;
  identity: IdentityProfile;
  time: TimeProfile;
  cutover: CutoverChecks;
  /** stripe-v1, stripe-v2-stream, metronome-ingest, stripe-v2-meter-events, stripe-v1-test, stripe-v2-stream-test, in that order. */
  fit: FitResult[];
  /** Scores, group-key plans and billable-metric drafts (src/advice/); with --stripe, planned after the meters were read. */
  advice: AdviceSection;
  /** Wall time of the profile computations (after loading), seconds. */
  computeSeconds: number;
  /** Only with --stripe, and only when reading the meters succeeded (docs/stripe.md). */
  stripe?: StripeSection;
}
