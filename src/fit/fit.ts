/**
 * The fit verdict and batching advice per ingestion path, from the measured rates.
 * Pure arithmetic: the SQL figures it needs come from series.ts.
 */
import type { FitResult, FitVerdict, IdentityProfile, TimeProfile } from '../profile/model.js';
import { capacityEventsPerSecond, type PathLimits } from './limits.js';
import type { CapacityLoad } from './series.js';

/** fits: peak need ≤ 50 % of the limit; tight: ≤ 100 %; exceeds beyond. */
export const FITS_MAX_UTILIZATION = 0.5;
export const TIGHT_MAX_UTILIZATION = 1;
/** Request latency assumed when sizing connections (the replay command measures the real one). */
const ASSUMED_LATENCY_MS = 250;
/** The most delay the advice may add (batching + queueing), seconds. */
const MAX_ADDED_DELAY_SECONDS = 1;

export interface FitInputs {
  avgEps: number;
  peak1s: number;
  total: number;
  load: CapacityLoad;
  time: Pick<TimeProfile, 'staleOver35d' | 'staleOver34d' | 'futureOver5m' | 'futureOver24h'>;
  identity: Pick<IdentityProfile, 'duplicates24h' | 'duplicates34d'>;
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
  const utilization = Math.max(
    l.requestsPerSecond === null ? 0 : peakRequests / l.requestsPerSecond,
    l.eventsPerSecond === null ? 0 : x.peak1s / l.eventsPerSecond,
  );
  const verdict = verdictOf(utilization);
  // limit ÷ need per published limit (computed this way round to keep round numbers round).
  const headroom =
    utilization === 0
      ? null
      : Math.min(
          l.requestsPerSecond === null ? Infinity : l.requestsPerSecond / peakRequests,
          l.eventsPerSecond === null ? Infinity : l.eventsPerSecond / x.peak1s,
        );
  const growthFactor =
    headroom === null || verdict === 'exceeds' ? null : (verdict === 'fits' ? FITS_MAX_UTILIZATION : TIGHT_MAX_UTILIZATION) * headroom;
  const byRequests = l.requestsPerSecond === null ? Infinity : l.requestsPerSecond * batch;

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
      : queueDelaySeconds === 0
        ? `${sending} (at ${ASSUMED_LATENCY_MS} ms per request)`
        : keepsUnderLimit
          ? `${sending}, queueing bursts at ${n(capacity)} events/s adds up to ${queueDelaySeconds.toFixed(2)} s`
          : `exceeds: draining at ${n(capacity)} events/s would delay events by up to ${queueDelaySeconds.toFixed(1)} s; ` +
            'ask for a higher limit or spread the load';

  return {
    path: l.path,
    label: l.label,
    endpoint: l.endpoint,
    limits: {
      maxEventsPerRequest: batch,
      requestsPerSecond: l.requestsPerSecond,
      eventsPerSecond: l.eventsPerSecond,
      capacityEventsPerSecond: capacity,
      binding: byRequests <= (l.eventsPerSecond ?? Infinity) ? 'requests' : 'events',
    },
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
    advice: {
      batchSize: batch,
      flushIntervalMs,
      requestsPerSecondAtPeak: peakRequests,
      connections,
      assumedLatencyMs: ASSUMED_LATENCY_MS,
      queueDelaySeconds,
      addedDelaySeconds,
      keepsUnderLimit,
      text,
    },
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

/** The measured count for a window the profile measures; a new window in the limits table needs a new measurement. */
function pick(window: number, measured: Record<number, number>, what: string): number {
  const v = measured[window];
  if (v === undefined) throw new Error(`no measurement for ${what} = ${window}; add it to the profile checks`);
  return v;
}
