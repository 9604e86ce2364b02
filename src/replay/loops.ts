/**
 * The two pacing loops. Closed (--max): `connections × pipelining` workers, each sends its next
 * request when the previous one is answered. Open: every request leaves at its scheduled time
 * whether or not earlier ones have answered, bounded only by --max-in-flight.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import type { PlannedRequest } from './batcher.js';
import type { ReplayMetrics } from './metrics.js';
import type { Deliverer } from './deliver.js';
import type { ReplayConfig } from './run.js';

export interface LoopContext {
  cfg: ReplayConfig;
  metrics: ReplayMetrics;
  t0: number;
  warmupMs: number;
  /** Stop scheduling past this many ms (--duration). */
  limitMs: number;
  /** When the last request left (performance.now()). */
  lastSend: number;
  stoppedByDuration: boolean;
  aborted: () => boolean;
  deliverer: Deliverer;
}

export async function closedLoop(plan: AsyncIterator<PlannedRequest>, ctx: LoopContext): Promise<void> {
  const { cfg, metrics, t0, warmupMs } = ctx;
  const worker = async () => {
    while (!ctx.aborted()) {
      if (performance.now() - t0 > ctx.limitMs) {
        ctx.stoppedByDuration = true;
        return;
      }
      const r = await plan.next();
      if (r.done) return;
      const now = performance.now();
      metrics.sent(now, r.value.events.length, undefined, now - t0 >= warmupMs);
      ctx.lastSend = now;
      await ctx.deliverer.deliver(r.value, now, now - t0 >= warmupMs);
    }
  };
  await Promise.all(Array.from({ length: cfg.connections * cfg.pipelining }, worker));
}

export async function openLoop(plan: AsyncIterable<PlannedRequest>, ctx: LoopContext): Promise<void> {
  const { cfg, metrics, t0, warmupMs } = ctx;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let idle: (() => void) | undefined;
  let lastYield = performance.now();
  for await (const req of plan) {
    if (ctx.aborted()) break;
    if (req.at > ctx.limitMs) {
      ctx.stoppedByDuration = true;
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
    ctx.lastSend = now;
    inFlight++;
    // Timers are ms-grained, so a request may leave up to 1 ms early; latency then counts from
    // when it really left. Late requests count from their scheduled time (the CO correction).
    void ctx.deliverer.deliver(req, Math.min(due, now), req.at >= warmupMs).finally(() => {
      inFlight--;
      const w = wake;
      wake = undefined;
      w?.();
      if (inFlight === 0) idle?.();
    });
  }
  if (inFlight > 0) await new Promise<void>((r) => (idle = r));
}
