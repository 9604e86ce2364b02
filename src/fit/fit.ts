/**
 * The fit verdict and batching advice per ingestion path, from the measured rates.
 * Pure arithmetic: the SQL figures it needs come from series.ts.
 */
import type { CustomerMeterPeak, FitResult, FitVerdict, IdentityProfile, TimeProfile } from '../profile/model.js';
import { capacityEventsPerSecond, type PathLimits } from './limits.js';
import type { CapacityLoad } from './series.js';

/** fits: peak need ≤ 50 % of the limit; tight: ≤ 100 %; exceeds beyond. */
export const FITS_MAX_UTILIZATION = 0.5;
export const TIGHT_MAX_UTILIZATION = 1;
/** Request latency assumed when sizing connections (the replay command measures the real one). */
export const ASSUMED_LATENCY_MS = 250;
/** The most delay the advice may add (batching + queueing), seconds. */
const MAX_ADDED_DELAY_SECONDS = 1;

export interface FitInputs {
  avgEps: number;
  peak1s: number;
  total: number;
  load: CapacityLoad;
  time: Pick<TimeProfile, 'staleOver35d' | 'staleOver34d' | 'futureOver5m' | 'futureOver24h'>;
  identity: Pick<IdentityProfile, 'duplicates24h' | 'duplicates34d'>;
  /** The busiest customer × event name second (judged where the path limits calls per customer and meter). */
  customerMeter?: Pick<CustomerMeterPeak, 'peakEvents' | 'customer' | 'eventName' | 'at' | 'secondsOverSequential'>;
}

export function verdictOf(utilization: number): FitVerdict {
  if (utilization <= FITS_MAX_UTILIZATION) return 'fits';
  if (utilization <= TIGHT_MAX_UTILIZATION) return 'tight';
  return 'exceeds';
}

export function fitPath(l: PathLimits, x: FitInputs): FitResult {
  const batch = l.maxEventsPerRequest;
  const capacity = capacityEventsPerSecond(l);
  const peakRequests = Math.ceil(x.peak1s / batch);
  const cm = customerMeterFit(l, x);
  const utilization = Math.max(
    l.requestsPerSecond === null ? 0 : peakRequests / l.requestsPerSecond,
    l.eventsPerSecond === null ? 0 : x.peak1s / l.eventsPerSecond,
    cm?.utilization ?? 0,
  );
  const verdict = verdictOf(utilization);
  // limit ÷ need per published limit (computed this way round to keep round numbers round).
  const headroom =
    utilization === 0
      ? null
      : Math.min(
          l.requestsPerSecond === null ? Infinity : l.requestsPerSecond / peakRequests,
          l.eventsPerSecond === null ? Infinity : l.eventsPerSecond / x.peak1s,
          cm && cm.utilization > 0 ? 1 / cm.utilization : Infinity,
        );
  const growthFactor = headroom === null || verdict === 'exceeds' ? null : (verdict === 'fits' ? FITS_MAX_UTILIZATION : TIGHT_MAX_UTILIZATION) * headroom;
  const byRequests = l.requestsPerSecond === null ? Infinity : l.requestsPerSecond * batch;

  const advice = sendingAdvice(l, x, peakRequests, cm);

  return {
    path: l.path,
    label: l.label,
    endpoint: l.endpoint,
    mode: l.mode,
    limits: {
      maxEventsPerRequest: batch,
      requestsPerSecond: l.requestsPerSecond,
      eventsPerSecond: l.eventsPerSecond,
      capacityEventsPerSecond: capacity,
      binding: byRequests <= (l.eventsPerSecond ?? Infinity) ? 'requests' : 'events',
      alsoPublished: l.alsoPublished.map((a) => ({ ...a })),
      concurrentCallsPerCustomerMeter: l.concurrentCallsPerCustomerMeter,
    },
    customerMeter: cm,
    sources: [...l.sources],
    need: {
      avgEventsPerSecond: x.avgEps,
      peakEventsPerSecond: x.peak1s,
      avgRequestsPerSecond: x.avgEps / batch,
      peakRequestsPerSecond: peakRequests,
    },
    utilization,
    headroom,
    secondsOverLimit: x.load.secondsOver,
    verdict,
    growthFactor,
    advice,
    timestamps: {
      maxAgeDays: l.maxAgeDays,
      maxFutureSeconds: l.maxFutureSeconds,
      tooOld: pick(l.maxAgeDays, { 35: x.time.staleOver35d, 34: x.time.staleOver34d }, 'maxAgeDays'),
      tooFarInFuture: pick(l.maxFutureSeconds, { 300: x.time.futureOver5m, 86400: x.time.futureOver24h }, 'maxFutureSeconds'),
    },
    dedup: {
      field: l.dedupField,
      windowSeconds: l.dedupWindowSeconds,
      duplicates: pick(l.dedupWindowSeconds, { 86400: x.identity.duplicates24h, 2937600: x.identity.duplicates34d }, 'dedupWindowSeconds'),
    },
  };
}

/** How to send the traffic: batching, connections at the assumed latency, queueing delay, one line of text. */
function sendingAdvice(l: PathLimits, x: FitInputs, peakRequests: number, cm: FitResult['customerMeter']): FitResult['advice'] {
  const batch = l.maxEventsPerRequest;
  const capacity = capacityEventsPerSecond(l);
  const flushIntervalMs = batch === 1 || x.avgEps === 0 ? 0 : Math.min(1000, Math.ceil((1000 * batch) / x.avgEps));
  const requestCapacity = Math.ceil(capacity / batch);
  const connections = Math.max(1, Math.ceil((Math.min(peakRequests, requestCapacity) * ASSUMED_LATENCY_MS) / 1000));
  const queueDelaySeconds = x.load.queueDelaySeconds;
  const addedDelaySeconds = flushIntervalMs / 1000 + queueDelaySeconds;
  const keepsUnderLimit = addedDelaySeconds <= MAX_ADDED_DELAY_SECONDS;

  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const sending =
    batch === 1
      ? `one event per call: ${n(peakRequests)} call${peakRequests === 1 ? '' : 's'}/s at peak over ${n(connections)} connection${connections === 1 ? '' : 's'}`
      : `batches of ${batch}, flushed every ${n(flushIntervalMs)} ms: ${n(peakRequests)} request${peakRequests === 1 ? '' : 's'}/s at peak over ${n(connections)} connection${connections === 1 ? '' : 's'}`;
  const text =
    x.total === 0
      ? 'no events'
      : (queueDelaySeconds === 0
          ? `${sending} (at ${ASSUMED_LATENCY_MS} ms per request)`
          : keepsUnderLimit
            ? `${sending}, queueing bursts at ${n(capacity)} events/s adds up to ${queueDelaySeconds.toFixed(2)} s`
            : `exceeds: draining at ${n(capacity)} events/s would delay events by up to ${queueDelaySeconds.toFixed(1)} s; ` +
              'ask for a higher limit or spread the load') + customerMeterText(cm);
  return {
    batchSize: batch,
    flushIntervalMs,
    requestsPerSecondAtPeak: peakRequests,
    connections,
    assumedLatencyMs: ASSUMED_LATENCY_MS,
    queueDelaySeconds,
    addedDelaySeconds,
    keepsUnderLimit,
    text,
  };
}

/** The busiest customer × event name second against a per-customer-meter concurrency limit (null where none is published). */
function customerMeterFit(l: PathLimits, x: FitInputs): FitResult['customerMeter'] {
  if (l.concurrentCallsPerCustomerMeter === null || !x.customerMeter) return null;
  const c = x.customerMeter;
  const inFlight = (c.peakEvents * ASSUMED_LATENCY_MS) / 1000;
  return {
    peakEvents: c.peakEvents,
    customer: c.customer,
    eventName: c.eventName,
    at: c.at,
    impliedConcurrency: Math.ceil(inFlight),
    utilization: inFlight / l.concurrentCallsPerCustomerMeter,
    secondsOverSequential: c.secondsOverSequential,
  };
}

function customerMeterText(cm: FitResult['customerMeter']): string {
  if (!cm || cm.impliedConcurrency <= 1) return '';
  return (
    `; one customer's busiest second holds ${cm.peakEvents.toLocaleString('en-US')} ${cm.eventName ?? ''} events, ` +
    `${cm.impliedConcurrency.toLocaleString('en-US')} calls in flight at ${ASSUMED_LATENCY_MS} ms where one per customer and meter is allowed ` +
    `(${cm.secondsOverSequential.toLocaleString('en-US')} such customer-seconds): bundle usage into fewer events or use the v2 stream`
  );
}

/** The measured count for a window the profile measures; a new window in the limits table needs a new measurement. */
function pick(window: number, measured: Record<number, number>, what: string): number {
  const v = measured[window];
  if (v === undefined) throw new Error(`no measurement for ${what} = ${window}; add it to the profile checks`);
  return v;
}
