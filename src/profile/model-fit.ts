/** The profile report's fit section and the cut-over checks behind it. */

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
