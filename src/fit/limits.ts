/**
 * Published ingestion limits, in one table (README.md, "Published limits behind the fit verdicts").
 * Each figure was checked against the page listed in `sources` (see docs/json-report.md);
 * change them here only, with the page that says so.
 */
import type { FitPath } from '../profile/model.js';

export interface PathLimits {
  path: FitPath;
  label: string;
  endpoint: string;
  /** 'test': Stripe's test mode and sandboxes, where meter event calls count toward the basic rate limit. */
  mode: 'live' | 'test';
  /** Most events one request may carry. */
  maxEventsPerRequest: number;
  /** Published request rate, requests/s; null when none is published. */
  requestsPerSecond: number | null;
  /** Published event rate, events/s; null when none is published. The conservative figure when pages disagree. */
  eventsPerSecond: number | null;
  /** Other event rates the provider publishes for the path (not judged against), with where. */
  alsoPublished: { eventsPerSecond: number; source: string }[];
  /** Calls in flight at once per customer and meter (Stripe v1: one); null when none is published. */
  concurrentCallsPerCustomerMeter: number | null;
  /** Timestamps accepted: at most this many days old … */
  maxAgeDays: number;
  /** … and at most this far in the future, seconds. */
  maxFutureSeconds: number;
  /** Field deduplicated, and over which window (seconds). */
  dedupField: string;
  dedupWindowSeconds: number;
  sources: string[];
}

const DAY = 86_400;

const STRIPE_V1_SOURCES = ['https://docs.stripe.com/api/billing/meter-event/create', 'https://docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api'];
const STRIPE_V2_STREAM_SOURCES = [
  'https://docs.stripe.com/api/v2/billing/meter-event-stream/create',
  'https://docs.stripe.com/changelog/acacia/2024-09-30/usage-based-billing-v2-meter-events-api',
];
/** "In test mode and sandbox mode, calls to the meter event and meter event stream endpoint count toward the basic limit." */
const STRIPE_TEST_SOURCES = ['https://docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api', 'https://docs.stripe.com/rate-limits'];
/** Stripe's basic rate limiter in test mode and sandboxes: "25 operations" per second. */
const STRIPE_TEST_MODE_OPERATIONS_PER_SECOND = 25;

/** Stripe's timestamp window and identifier uniqueness, the same on every Stripe path. */
const STRIPE_WINDOWS = { maxAgeDays: 35, maxFutureSeconds: 300, dedupField: 'identifier', dedupWindowSeconds: DAY } as const;

const STRIPE_V1: PathLimits = {
  path: 'stripe-v1',
  label: 'Stripe v1 meter events',
  endpoint: 'POST /v1/billing/meter_events',
  mode: 'live',
  // "allows 1000 calls per second in live mode, and one concurrent call per customer per meter";
  // one event per call, synchronous validation.
  maxEventsPerRequest: 1,
  requestsPerSecond: 1_000,
  eventsPerSecond: 1_000,
  alsoPublished: [],
  concurrentCallsPerCustomerMeter: 1,
  // "within the past 35 calendar days or up to 5 minutes in the future"; identifier unique over a rolling 24 h.
  ...STRIPE_WINDOWS,
  sources: STRIPE_V1_SOURCES,
};

const STRIPE_V2_STREAM: PathLimits = {
  path: 'stripe-v2-stream',
  label: 'Stripe v2 meter event stream',
  endpoint: 'POST /v2/billing/meter_event_stream',
  mode: 'live',
  // "Supports up to 100 events per request", "up to 10,000 requests per second in livemode". The
  // changelog says both "up to 10k events per second to a meter event stream" and "up to 100,000
  // events per second for a single business": judged against the conservative 10,000.
  maxEventsPerRequest: 100,
  requestsPerSecond: 10_000,
  eventsPerSecond: 10_000,
  alsoPublished: [{ eventsPerSecond: 100_000, source: STRIPE_V2_STREAM_SOURCES[1] }],
  concurrentCallsPerCustomerMeter: null,
  ...STRIPE_WINDOWS,
  sources: STRIPE_V2_STREAM_SOURCES,
};

export const PATH_LIMITS: readonly PathLimits[] = [
  STRIPE_V1,
  STRIPE_V2_STREAM,
  {
    path: 'metronome-ingest',
    label: 'Metronome ingest',
    endpoint: 'POST /v1/ingest',
    mode: 'live',
    // "a JSON array of between 1 and 100 usage events"; "supports 100,000 events per second"
    // (the high-volume guide says 110,000 by default: we keep the lower, API-reference figure).
    // No request rate is published. Backdating up to 34 days; more than 24 h in the future is rejected;
    // transaction_id deduplicated over 34 days.
    maxEventsPerRequest: 100,
    requestsPerSecond: null,
    eventsPerSecond: 100_000,
    alsoPublished: [{ eventsPerSecond: 110_000, source: 'https://docs.metronome.com/guides/events/high-volume-ingestion' }],
    concurrentCallsPerCustomerMeter: null,
    maxAgeDays: 34,
    maxFutureSeconds: DAY,
    dedupField: 'transaction_id',
    dedupWindowSeconds: 34 * DAY,
    sources: [
      'https://docs.metronome.com/api-reference/usage/ingest-events',
      'https://docs.metronome.com/guides/events/send-usage-events',
      'https://docs.metronome.com/guides/events/high-volume-ingestion',
    ],
  },
  {
    path: 'stripe-v2-meter-events',
    label: 'Stripe v2 meter events',
    endpoint: 'POST /v2/billing/meter_events',
    mode: 'live',
    // "Events are validated synchronously … Supports up to 1,000 events per second in livemode"; one event per call.
    maxEventsPerRequest: 1,
    requestsPerSecond: 1_000,
    eventsPerSecond: 1_000,
    alsoPublished: [],
    concurrentCallsPerCustomerMeter: null,
    ...STRIPE_WINDOWS,
    sources: ['https://docs.stripe.com/api/v2/billing/meter-event/create'],
  },
  {
    ...STRIPE_V1,
    path: 'stripe-v1-test',
    label: 'Stripe v1 meter events (test mode)',
    mode: 'test',
    requestsPerSecond: STRIPE_TEST_MODE_OPERATIONS_PER_SECOND,
    eventsPerSecond: STRIPE_TEST_MODE_OPERATIONS_PER_SECOND,
    sources: STRIPE_TEST_SOURCES,
  },
  {
    ...STRIPE_V2_STREAM,
    path: 'stripe-v2-stream-test',
    label: 'Stripe v2 meter event stream (test mode)',
    mode: 'test',
    requestsPerSecond: STRIPE_TEST_MODE_OPERATIONS_PER_SECOND,
    eventsPerSecond: null,
    alsoPublished: [],
    sources: STRIPE_TEST_SOURCES,
  },
];

/** What an identifier, an event name and a value may be, per provider (counted by the profile's cut-over checks). */
export const IDENTITY_LIMITS = {
  stripe: {
    /** identifier and event_name: "Max length: 100" (create-meter-event parameters). */
    identifierMaxChars: 100,
    eventNameMaxChars: 100,
    /** "The numerical usage value in the payload only accepts whole number values." */
    wholeNumberValues: true,
    sources: STRIPE_V1_SOURCES,
  },
  metronome: {
    /** transaction_id longer than this is rejected (the sink emulates the same). */
    transactionIdMaxChars: 128,
    /** "Timestamps more than 24 hours in the future are rejected by the API." */
    maxFutureSeconds: DAY,
    /** Events that no billable metric matches are accepted and never billed. */
    sources: ['https://docs.metronome.com/api-reference/usage/ingest-events', 'https://docs.metronome.com/guides/events/send-usage-events'],
  },
} as const;

/**
 * Stripe meter dimensions (a preview): Stripe describes "up to two segment dimensions per meter for
 * grouping analytics"; `dimension_payload_keys` itself has no documented maximum. Advice only.
 */
export const STRIPE_METER_DIMENSIONS = {
  analyticsSegmentDimensions: 2,
  sources: ['https://docs.stripe.com/billing/subscriptions/usage-based/meters/configure', 'https://docs.stripe.com/billing/subscriptions/usage-based/analytics'],
} as const;

/** Metronome's group-key guidance (the public metronome-group-keys skill): thresholds the planner flags. */
export const METRONOME_GROUP_KEYS = {
  /** "A dimension expected to reach ~1,000 unique values per customer … is worth flagging to Metronome support." */
  perCustomerValuesToFlag: 1_000,
  /** "Treat anything above roughly 1,000 combined distinct values as worth a second look." */
  combinedValuesToFlag: 1_000,
  sources: ['https://docs.metronome.com/guides/events/design-usage-events', 'https://github.com/Metronome-Industries/ai/blob/main/skills/metronome-group-keys/SKILL.md'],
} as const;

/** Events/s a path takes at full batching. */
export function capacityEventsPerSecond(l: PathLimits): number {
  const byRequests = l.requestsPerSecond === null ? Infinity : l.requestsPerSecond * l.maxEventsPerRequest;
  const byEvents = l.eventsPerSecond ?? Infinity;
  return Math.min(byRequests, byEvents);
}
