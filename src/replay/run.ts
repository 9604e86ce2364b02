/**
 * The replay engine. Open model (speed/rate/ramp): each request leaves at its scheduled time
 * whether or not earlier ones have answered; latency is measured from that scheduled time
 * (coordinated-omission corrected) and the generator's own lateness is recorded as schedule
 * lag. Closed model (--max): `connections × pipelining` workers each send the next request when
 * their previous one is answered. Every request ends acknowledged, rejected or failed.
 */
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import type { StoredEvent } from './events.js';
import type { EncodeContext, Protocol } from './encode.js';
import { offsetFunction, type Pacing } from './pacing.js';
import { planRequests } from './batcher.js';
import { HttpSender } from './sender.js';
import { StreamSession } from './stream-session.js';
import type { RetryPolicy } from './retry.js';
import { ReplayMetrics } from './metrics.js';
import { Deliverer } from './deliver.js';
import { closedLoop, openLoop, type LoopContext } from './loops.js';

export interface ReplayConfig {
  protocol: Protocol;
  /** Full URL of the ingestion endpoint. */
  url: URL;
  /** Stripe v2: the session endpoint. */
  sessionUrl?: URL;
  /** Sent with every event request (auth, user headers); lower-case names. */
  headers: Record<string, string>;
  /** Stripe v2: headers for session creation (the API key). */
  sessionHeaders?: Record<string, string>;
  pacing: Pacing;
  connections: number;
  pipelining: number;
  batch: number;
  flushMs: number;
  /** Open model: at most this many requests waiting for an answer; beyond it the generator waits (and the lag shows it). */
  maxInFlight: number;
  timeoutMs: number;
  retry: RetryPolicy;
  /** `shift`: event timestamps are the time each event is due now; `original`: as recorded. */
  timestamps: 'shift' | 'original';
  encode: EncodeContext;
  /** Stop scheduling after this many seconds. */
  durationS?: number;
  /** Requests scheduled in the first seconds are sent and accounted for, but left out of the histograms. */
  warmupS?: number;
  /** Time of the first stored event (recorded pacing). */
  firstEventTime: number;
  signal?: AbortSignal;
  onProgress?: (m: ReplayMetrics, elapsedS: number) => void;
}

export interface ReplayOutcome {
  metrics: ReplayMetrics;
  startedAt: Date;
  finishedAt: Date;
  /** From the first request leaving to the last answer. */
  elapsedS: number;
  /** From the first to the last request leaving. */
  sendSpanS: number;
  interrupted: boolean;
  stoppedByDuration: boolean;
}

/** An async iterator whose first item is fetched up front (`ready`), then handed out first. */
function primed<T>(src: AsyncIterator<T>): AsyncIterableIterator<T> & { ready: Promise<unknown> } {
  const first = src.next();
  let used = false;
  return {
    ready: first,
    next() {
      if (used) return src.next();
      used = true;
      return first;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export async function runReplay(pages: AsyncIterable<StoredEvent[]>, cfg: ReplayConfig): Promise<ReplayOutcome> {
  const sender = new HttpSender({ connections: cfg.connections, pipelining: cfg.pipelining, timeoutMs: cfg.timeoutMs });
  const session = cfg.protocol === 'stripe-v2-stream' ? new StreamSession(sender, cfg.sessionUrl ?? cfg.url, cfg.sessionHeaders ?? {}, cfg.retry, cfg.signal) : undefined;
  // Many retry waits listen to the one abort signal at once.
  if (cfg.signal) setMaxListeners(0, cfg.signal);
  const closed = cfg.pacing.mode === 'max';
  const plan = primed(planRequests(pages, offsetFunction(cfg.pacing, cfg.firstEventTime), cfg.batch, closed ? 0 : cfg.flushMs));
  // The clock starts once the first request is ready: the first page read is not schedule lag.
  await plan.ready;
  const t0 = performance.now();
  const wallStart = Date.now();
  const metrics = new ReplayMetrics(t0);
  const ctx: LoopContext = {
    cfg,
    metrics,
    t0,
    warmupMs: (cfg.warmupS ?? 0) * 1000,
    limitMs: cfg.durationS !== undefined ? cfg.durationS * 1000 : Number.POSITIVE_INFINITY,
    lastSend: t0,
    stoppedByDuration: false,
    aborted: () => cfg.signal?.aborted === true,
    deliverer: new Deliverer(cfg, sender, session, metrics, wallStart, closed),
  };
  const progress = cfg.onProgress ? setInterval(() => cfg.onProgress!(metrics, (performance.now() - t0) / 1000), 1000) : undefined;
  progress?.unref();
  try {
    await (closed ? closedLoop(plan, ctx) : openLoop(plan, ctx));
  } finally {
    if (progress) clearInterval(progress);
    await sender.close();
  }
  if (session) metrics.totals.sessionRequests = session.requests;
  const first = metrics.firstSendMs ?? t0;
  const last = Math.max(metrics.lastDoneMs, first);
  return {
    metrics,
    startedAt: new Date(wallStart),
    finishedAt: new Date(),
    elapsedS: (last - first) / 1000,
    sendSpanS: (ctx.lastSend - first) / 1000,
    interrupted: ctx.aborted(),
    stoppedByDuration: ctx.stoppedByDuration,
  };
}
