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
  /** Most events one request may carry. */
  maxEventsPerRequest: number;
  /** Published request rate, requests/s; null when none is published. */
  requestsPerSecond: number | null;
  /** Published event rate, events/s; null when none is published. */
  eventsPerSecond: number | null;
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

export const PATH_LIMITS: readonly PathLimits[] = [
  {
    path: 'stripe-v1',
    label: 'Stripe v1 meter events',
    endpoint: 'POST /v1/billing/meter_events',
    // "Supports up to 1,000 events per second in livemode" — one event per call, synchronous validation.
    maxEventsPerRequest: 1,
    requestsPerSecond: 1_000,
    eventsPerSecond: 1_000,
    // "within the past 35 calendar days or up to 5 minutes in the future"; identifier unique over a rolling 24 h.
    maxAgeDays: 35,
    maxFutureSeconds: 300,
    dedupField: 'identifier',
    dedupWindowSeconds: DAY,
    sources: [
      'https://docs.stripe.com/api/billing/meter-event/create',
      'https://docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api',
    ],
  },
  {
    path: 'stripe-v2-stream',
    label: 'Stripe v2 meter event stream',
    endpoint: 'POST /v2/billing/meter_event_stream',
    // "Supports up to 100 events per request", "up to 10,000 requests per second in livemode";
    // the changelog: "up to 100,000 events per second for a single business" (more through sales).
    maxEventsPerRequest: 100,
    requestsPerSecond: 10_000,
    eventsPerSecond: 100_000,
    maxAgeDays: 35,
    maxFutureSeconds: 300,
    dedupField: 'identifier',
    dedupWindowSeconds: DAY,
    sources: [
      'https://docs.stripe.com/api/v2/billing/meter-event-stream/create',
      'https://docs.stripe.com/changelog/acacia/2024-09-30/usage-based-billing-v2-meter-events-api',
    ],
  },
  {
    path: 'metronome-ingest',
    label: 'Metronome ingest',
    endpoint: 'POST /v1/ingest',
    // "a JSON array of between 1 and 100 usage events"; "supports 100,000 events per second"
    // (the high-volume guide says 110,000 by default: we keep the lower, API-reference figure).
    // No request rate is published. Backdating up to 34 days; more than 24 h in the future is rejected;
    // transaction_id deduplicated over 34 days.
    maxEventsPerRequest: 100,
    requestsPerSecond: null,
    eventsPerSecond: 100_000,
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
];

/** Stripe meters take at most this many dimension payload keys (meter dimensions are an analytics preview). */
export const STRIPE_DIMENSION_KEY_LIMIT = 2;

/** Events/s a path takes at full batching. */
export function capacityEventsPerSecond(l: PathLimits): number {
  const byRequests = l.requestsPerSecond === null ? Infinity : l.requestsPerSecond * l.maxEventsPerRequest;
  const byEvents = l.eventsPerSecond ?? Infinity;
  return Math.min(byRequests, byEvents);
}
