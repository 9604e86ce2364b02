/**
 * Everything a replay measures: HDR histograms (µs) for latency from the scheduled time,
 * per-attempt service time and schedule lag; per-status attempt counts; per-outcome event counts
 * with reasons; a per-second series.
 */
import * as hdr from 'hdr-histogram-js';

export type Outcome = 'acknowledged' | 'rejected' | 'failed';

export interface LatencySummary {
  count: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface SecondBucket {
  second: number;
  /** Requests that left (first attempts) and their events. */
  requests: number;
  events: number;
  attempts: number;
  retries: number;
  acknowledged: number;
  rejected: number;
  failed: number;
  /** Latency (from the scheduled time) of requests finishing in this second. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lagMaxMs: number;
}

/** A second still being filled: the counts of SecondBucket, with the histogram its percentiles come from. */
type LiveBucket = Pick<SecondBucket, 'requests' | 'events' | 'attempts' | 'retries' | 'acknowledged' | 'rejected' | 'failed'> & {
  latency?: hdr.Histogram;
  lagMaxUs: number;
};

const newHistogram = (digits: 2 | 3 = 3) =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: digits, autoResize: true });

/** Histogram in µs -> summary in ms. */
export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, meanMs: 0, minMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  return {
    count: h.totalCount,
    meanMs: ms(h.mean),
    minMs: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
  };
}

/** Percentile rows (for the store and for comparing runs in SQL). */
const PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99, 100];

export function percentileRows(h: hdr.Histogram): { percentile: number; value_ms: number }[] {
  if (h.totalCount === 0) return [];
  return PERCENTILES.map((p) => ({ percentile: p, value_ms: Math.round(p === 100 ? h.maxValue : h.getValueAtPercentile(p)) / 1000 }));
}

export const encodeHistogram = (h: hdr.Histogram) => hdr.encodeIntoCompressedBase64(h);
export const decodeHistogram = (s: string) => hdr.decodeFromCompressedBase64(s);

export interface OutcomeRow {
  outcome: Outcome;
  /** Final HTTP status (0 = no answer). */
  status: number;
  reason: string;
  requests: number;
  events: number;
}

export class ReplayMetrics {
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly lag = newHistogram();
  /** Per attempt: time waiting for a free connection (all connections × pipelining busy). */
  readonly queue = newHistogram();
  /** Attempts per HTTP status (0 = connection error/timeout). */
  readonly statuses = new Map<number, number>();
  private readonly outcomes = new Map<string, OutcomeRow>();
  private readonly buckets: LiveBucket[] = [];
  readonly totals = {
    requests: 0,
    events: 0,
    attempts: 0,
    retries: 0,
    acknowledged: 0,
    rejected: 0,
    failed: 0,
    sessionRequests: 0,
    /** Stripe duplicates answered to a retry after an unclear attempt: the event was already in. */
    duplicateOnRetry: 0,
    completedRequests: 0,
  };
  firstSendMs: number | undefined;
  lastDoneMs = 0;

  /** `t0` is the performance.now() origin of the replay. */
  constructor(private readonly t0: number) {}

  private bucket(nowMs: number): LiveBucket {
    const s = Math.max(0, Math.floor((nowMs - this.t0) / 1000));
    while (this.buckets.length <= s) this.buckets.push({ requests: 0, events: 0, attempts: 0, retries: 0, acknowledged: 0, rejected: 0, failed: 0, lagMaxUs: 0 });
    return this.buckets[s];
  }

  /** `measured` false (warm-up): counted everywhere except the histograms. */
  sent(nowMs: number, events: number, lagMs: number | undefined, measured = true): void {
    if (this.firstSendMs === undefined) this.firstSendMs = nowMs;
    this.totals.requests++;
    this.totals.events += events;
    const b = this.bucket(nowMs);
    b.requests++;
    b.events += events;
    if (lagMs !== undefined) {
      const us = Math.max(0, Math.round(lagMs * 1000));
      if (measured) this.lag.recordValue(us);
      if (us > b.lagMaxUs) b.lagMaxUs = us;
    }
  }

  attempt(nowMs: number, status: number, serviceMs: number, isRetry: boolean, queueMs = 0, measured = true): void {
    this.totals.attempts++;
    if (measured) this.queue.recordValue(Math.max(0, Math.round(queueMs * 1000)));
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (measured) this.service.recordValue(Math.max(1, Math.round(serviceMs * 1000)));
    const b = this.bucket(nowMs);
    b.attempts++;
    if (isRetry) {
      this.totals.retries++;
      b.retries++;
    }
  }

  done(nowMs: number, outcome: Outcome, status: number, reason: string, events: number, latencyMs: number, measured = true): void {
    this.totals.completedRequests++;
    this.totals[outcome] += events;
    const key = `${outcome}\u0000${status}\u0000${reason}`;
    const row = this.outcomes.get(key);
    if (row) {
      row.requests++;
      row.events += events;
    } else this.outcomes.set(key, { outcome, status, reason, requests: 1, events });
    const us = Math.max(1, Math.round(latencyMs * 1000));
    if (measured) this.latency.recordValue(us);
    const b = this.bucket(nowMs);
    b[outcome] += events;
    (b.latency ??= newHistogram(2)).recordValue(us);
    if (nowMs > this.lastDoneMs) this.lastDoneMs = nowMs;
  }

  outcomeRows(): OutcomeRow[] {
    return [...this.outcomes.values()].sort((a, b) => b.events - a.events);
  }

  series(): SecondBucket[] {
    return this.buckets.map((b, second) => ({
      second,
      requests: b.requests,
      events: b.events,
      attempts: b.attempts,
      retries: b.retries,
      acknowledged: b.acknowledged,
      rejected: b.rejected,
      failed: b.failed,
      p50Ms: b.latency ? b.latency.getValueAtPercentile(50) / 1000 : 0,
      p99Ms: b.latency ? b.latency.getValueAtPercentile(99) / 1000 : 0,
      maxMs: b.latency ? b.latency.maxValue / 1000 : 0,
      lagMaxMs: b.lagMaxUs / 1000,
    }));
  }
}
