/**
 * The replay engine. Open model (speed/rate/ramp): each request leaves at its scheduled time
 * whether or not earlier ones have answered; latency is measured from that scheduled time
 * (coordinated-omission corrected) and the generator's own lateness is recorded as schedule
 * lag. Closed model (--max): `connections × pipelining` workers each send the next request when
 * their previous one is answered. Every request ends acknowledged, rejected or failed.
 */
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent } from './events.js';
import { SPECS, type EncodeContext, type Protocol } from './encode.js';
import { offsetFunction, type Pacing } from './pacing.js';
import { planRequests, type PlannedRequest } from './batcher.js';
import { HttpSender } from './sender.js';
import { StreamSession, SessionError } from './stream-session.js';
import { isDuplicateIdentifier, judge, retryDelayMs, type RetryPolicy } from './retry.js';
import { ReplayMetrics, type Outcome } from './metrics.js';

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

const MAX_SESSION_RENEWALS_PER_REQUEST = 3;

/**
 * At most `n` attempts on the wire at once (connections × pipelining). Requests beyond that wait
 * here, not inside undici's queue, so service time is wire time and the wait is measured apart.
 */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly n: number) {}

  acquire(): Promise<void> | undefined {
    if (this.active < this.n) {
      this.active++;
      return undefined;
    }
    return new Promise((r) => this.waiting.push(r));
  }

  release(): void {
    if (this.head < this.waiting.length) {
      // Hand the slot straight to the next waiter.
      const next = this.waiting[this.head++];
      if (this.head > 4096 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else this.active--;
  }
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
  const spec = SPECS[cfg.protocol];
  const sender = new HttpSender({ connections: cfg.connections, pipelining: cfg.pipelining, timeoutMs: cfg.timeoutMs });
  const session =
    cfg.protocol === 'stripe-v2-stream'
      ? new StreamSession(sender, cfg.sessionUrl ?? cfg.url, cfg.sessionHeaders ?? {}, cfg.retry, cfg.signal)
      : undefined;
  // Many retry waits listen to the one abort signal at once.
  if (cfg.signal) setMaxListeners(0, cfg.signal);
  const closed = cfg.pacing.mode === 'max';
  const plan = primed(planRequests(pages, offsetFunction(cfg.pacing, cfg.firstEventTime), cfg.batch, closed ? 0 : cfg.flushMs));
  // The clock starts once the first request is ready: the first page read is not schedule lag.
  await plan.ready;
  const t0 = performance.now();
  const wallStart = Date.now();
  const metrics = new ReplayMetrics(t0);
  let lastSend = t0;
  let stoppedByDuration = false;
  const aborted = () => cfg.signal?.aborted === true;

  const warmupMs = (cfg.warmupS ?? 0) * 1000;
  const slots = new Slots(cfg.connections * cfg.pipelining);
  const progress = cfg.onProgress ? setInterval(() => cfg.onProgress!(metrics, (performance.now() - t0) / 1000), 1000) : undefined;
  progress?.unref();

  /** Sends one planned request until it is acknowledged, rejected, or out of retries. */
  async function deliver(req: PlannedRequest, scheduledAt: number, measured: boolean): Promise<void> {
    const ts =
      cfg.timestamps === 'original'
        ? req.events.map((e) => e.t)
        : closed
          ? req.events.map(() => Date.now())
          : req.offsets.map((o) => wallStart + o);
    const enc = spec.encode(req.events, ts, cfg.encode);
    const headers = { ...enc.headers, ...cfg.headers };
    let attempt = 0;
    let budgetUsed = 0;
    let renewals = 0;
    // A 5xx or lost answer may still have been processed; a later "duplicate" then means delivered.
    let unclear = false;
    let outcome: Outcome = 'failed';
    let status = 0;
    let reason: string;
    for (;;) {
      attempt++;
      let token: string | undefined;
      if (session) {
        try {
          token = await session.get();
        } catch (e) {
          reason = e instanceof SessionError ? e.message : String(e);
          break;
        }
        headers.authorization = `Bearer ${token}`;
      }
      const ready = performance.now();
      const wait = slots.acquire();
      if (wait) await wait;
      const started = performance.now();
      const a = await sender.post(cfg.url, headers, enc.body);
      slots.release();
      const now = performance.now();
      metrics.attempt(now, a.status, now - started, attempt > 1, started - ready, measured);
      status = a.status;
      let v = judge(a, cfg.protocol);
      if (v.kind === 'reject' && unclear && cfg.protocol === 'stripe-v1' && isDuplicateIdentifier(a)) {
        metrics.totals.duplicateOnRetry++;
        v = { kind: 'ack' };
      }
      if (v.kind === 'ack') {
        outcome = 'acknowledged';
        reason = '';
        break;
      }
      if (v.kind === 'reject') {
        outcome = 'rejected';
        reason = v.reason;
        break;
      }
      reason = v.reason;
      if (a.status === 0 || a.status >= 500) unclear = true;
      if (v.sessionExpired) {
        session?.expire(token);
        if (++renewals > MAX_SESSION_RENEWALS_PER_REQUEST) break;
        continue;
      }
      if (++budgetUsed > cfg.retry.retries) {
        reason = `${reason} (gave up after ${attempt} attempts)`;
        break;
      }
      if (aborted()) {
        reason = `${reason} (interrupted before retrying)`;
        break;
      }
      try {
        await sleep(retryDelayMs(budgetUsed, v.retryAfterMs, cfg.retry), undefined, { signal: cfg.signal });
      } catch {
        reason = `${reason} (interrupted before retrying)`;
        break;
      }
    }
    const end = performance.now();
    metrics.done(end, outcome, status, reason, req.events.length, end - scheduledAt, measured);
  }

  try {
    if (closed) {
      const it = plan;
      const limitMs = cfg.durationS !== undefined ? cfg.durationS * 1000 : Number.POSITIVE_INFINITY;
      const worker = async () => {
        while (!aborted()) {
          if (performance.now() - t0 > limitMs) {
            stoppedByDuration = true;
            return;
          }
          const r = await it.next();
          if (r.done) return;
          const now = performance.now();
          metrics.sent(now, r.value.events.length, undefined, now - t0 >= warmupMs);
          lastSend = now;
          await deliver(r.value, now, now - t0 >= warmupMs);
        }
      };
      await Promise.all(Array.from({ length: cfg.connections * cfg.pipelining }, worker));
    } else {
      let inFlight = 0;
      let wake: (() => void) | undefined;
      let idle: (() => void) | undefined;
      let lastYield = performance.now();
      const limitMs = cfg.durationS !== undefined ? cfg.durationS * 1000 : Number.POSITIVE_INFINITY;
      for await (const req of plan) {
        if (aborted()) break;
        if (req.at > limitMs) {
          stoppedByDuration = true;
          break;
        }
        const due = t0 + req.at;
        let now = performance.now();
        if (due - now >= 1) {
          try {
            await sleep(due - now, undefined, { signal: cfg.signal });
          } catch {
            break;
          }
          lastYield = performance.now();
        } else if (now - lastYield > 5) {
          // Catching up: still let answers in, or the event loop never reads them.
          await yieldToIo();
          lastYield = performance.now();
        }
        while (inFlight >= cfg.maxInFlight) await new Promise<void>((r) => (wake = r));
        now = performance.now();
        metrics.sent(now, req.events.length, now - due, req.at >= warmupMs);
        lastSend = now;
        inFlight++;
        // Timers are ms-grained, so a request may leave up to 1 ms early; latency then counts from
        // when it really left. Late requests count from their scheduled time (the CO correction).
        void deliver(req, Math.min(due, now), req.at >= warmupMs).finally(() => {
          inFlight--;
          const w = wake;
          wake = undefined;
          w?.();
          if (inFlight === 0) idle?.();
        });
      }
      if (inFlight > 0) await new Promise<void>((r) => (idle = r));
    }
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
    sendSpanS: (lastSend - first) / 1000,
    interrupted: aborted(),
    stoppedByDuration,
  };
}
