/**
 * Delivering one planned request: encode it once, then attempt until it is acknowledged, rejected or
 * out of retries (Retry-After honoured, v2 sessions renewed), accounting every attempt and the end.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SPECS } from './encode.js';
import type { PlannedRequest } from './batcher.js';
import type { HttpSender } from './sender.js';
import { SessionError, type StreamSession } from './stream-session.js';
import { isDuplicateIdentifier, judge, retryDelayMs } from './retry.js';
import type { ReplayMetrics, Outcome } from './metrics.js';
import type { ReplayConfig } from './run.js';

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

/** Where one request stands between attempts. */
interface Attempts {
  attempt: number;
  budgetUsed: number;
  renewals: number;
  /** A 5xx or lost answer may still have been processed; a later "duplicate" then means delivered. */
  unclear: boolean;
  outcome: Outcome;
  status: number;
  reason: string;
}

export class Deliverer {
  private readonly slots: Slots;

  constructor(
    private readonly cfg: ReplayConfig,
    private readonly sender: HttpSender,
    private readonly session: StreamSession | undefined,
    private readonly metrics: ReplayMetrics,
    private readonly wallStart: number,
    private readonly closed: boolean,
  ) {
    this.slots = new Slots(cfg.connections * cfg.pipelining);
  }

  /** Sends one planned request until it is acknowledged, rejected, or out of retries. */
  async deliver(req: PlannedRequest, scheduledAt: number, measured: boolean): Promise<void> {
    const { cfg } = this;
    const ts = cfg.timestamps === 'original' ? req.events.map((e) => e.t) : this.closed ? req.events.map(() => Date.now()) : req.offsets.map((o) => this.wallStart + o);
    const enc = SPECS[cfg.protocol].encode(req.events, ts, cfg.encode);
    const headers = { ...enc.headers, ...cfg.headers };
    const st: Attempts = { attempt: 0, budgetUsed: 0, renewals: 0, unclear: false, outcome: 'failed', status: 0, reason: '' };
    while (await this.attempt(st, headers, enc.body, measured));
    const end = performance.now();
    this.metrics.done(end, st.outcome, st.status, st.reason, req.events.length, end - scheduledAt, measured);
  }

  /** One attempt; true when another should follow. */
  private async attempt(st: Attempts, headers: Record<string, string>, body: Parameters<HttpSender['post']>[2], measured: boolean): Promise<boolean> {
    const { cfg, session } = this;
    st.attempt++;
    let token: string | undefined;
    if (session) {
      try {
        token = await session.get();
      } catch (e) {
        st.reason = e instanceof SessionError ? e.message : String(e);
        return false;
      }
      headers.authorization = `Bearer ${token}`;
    }
    const ready = performance.now();
    const wait = this.slots.acquire();
    if (wait) await wait;
    const started = performance.now();
    const a = await this.sender.post(cfg.url, headers, body);
    this.slots.release();
    const now = performance.now();
    this.metrics.attempt(now, a.status, now - started, st.attempt > 1, started - ready, measured);
    st.status = a.status;
    let v = judge(a, cfg.protocol);
    if (v.kind === 'reject' && st.unclear && cfg.protocol === 'stripe-v1' && isDuplicateIdentifier(a)) {
      this.metrics.totals.duplicateOnRetry++;
      v = { kind: 'ack' };
    }
    if (v.kind === 'ack') {
      st.outcome = 'acknowledged';
      st.reason = '';
      return false;
    }
    if (v.kind === 'reject') {
      st.outcome = 'rejected';
      st.reason = v.reason;
      return false;
    }
    st.reason = v.reason;
    if (a.status === 0 || a.status >= 500) st.unclear = true;
    if (v.sessionExpired) {
      session?.expire(token);
      return ++st.renewals <= MAX_SESSION_RENEWALS_PER_REQUEST;
    }
    if (++st.budgetUsed > cfg.retry.retries) {
      st.reason = `${st.reason} (gave up after ${st.attempt} attempts)`;
      return false;
    }
    if (cfg.signal?.aborted) {
      st.reason = `${st.reason} (interrupted before retrying)`;
      return false;
    }
    try {
      await sleep(retryDelayMs(st.budgetUsed, v.retryAfterMs, cfg.retry), undefined, { signal: cfg.signal });
    } catch {
      st.reason = `${st.reason} (interrupted before retrying)`;
      return false;
    }
    return true;
  }
}
