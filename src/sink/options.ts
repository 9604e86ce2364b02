/**
 * Sink settings: which published limits apply, fault-injection knobs, auth pins.
 * Defaults are the published ingestion limits (src/fit/limits.ts, docs/replay.md).
 */
import { UserError } from '../errors.js';
import { mulberry32 } from '../util/seeded-random.js';
import type { StripeMeter } from '../stripe/meters.js';

/** The rate-limited paths. Units: requests/s, except `metronome` which counts events/s. */
export const LIMIT_KEYS = ['stripe-v1', 'stripe-v2-session', 'stripe-v2-stream', 'metronome'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export const DEFAULT_RATE_LIMITS: Record<LimitKey, number> = {
  // Stripe: up to 1,000 meter-event calls/s in live mode.
  'stripe-v1': 1000,
  // Stripe's general per-account limit (100 operations/s in live mode) applies to session creation.
  'stripe-v2-session': 100,
  // Stripe: 10,000 requests/s per meter event stream.
  'stripe-v2-stream': 10000,
  // Metronome: documented to handle 100,000 events/s.
  metronome: 100000,
};

export interface SinkOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** JSONL file receiving every accepted event (normalized, see recorder.ts). */
  record?: string;
  /** Extra response delay in ms, uniform in [min, max]. */
  latency: { min: number; max: number };
  /** Fraction (0..1) of API requests answered with `failStatus` before any processing. */
  failRate: number;
  failStatus: number;
  /** Requests (events for metronome) per second; 0 disables the limit. */
  rateLimits: Record<LimitKey, number>;
  /** Stripe payload keys that must be present (the meter's customer mapping and value settings). */
  customerKey: string;
  valueKey: string;
  /** When set, Stripe calls must use exactly this key / Metronome calls this token. */
  stripeKey?: string;
  metronomeToken?: string;
  /** Lifetime of v2 meter event session tokens (Stripe: 15 minutes). */
  sessionTtlSeconds: number;
  /** Enforce the published timestamp windows (Stripe: 35 days back, 5 min ahead; Metronome: 34 days back, 24 h ahead). */
  checkTimestamps: boolean;
  /** Seed for the fault-injection dice (reproducible experiments). */
  seed?: number;
  /** Billing meters answered on GET /v1/billing/meters, with event summaries of the accepted Stripe events. */
  meters: StripeMeter[];
  /** Clock in ms (tests may pin it). */
  now: () => number;
}

export function defaultSinkOptions(over: Partial<SinkOptions> = {}): SinkOptions {
  return {
    host: '127.0.0.1',
    port: 12111,
    latency: { min: 0, max: 0 },
    failRate: 0,
    failStatus: 503,
    rateLimits: { ...DEFAULT_RATE_LIMITS },
    customerKey: 'stripe_customer_id',
    valueKey: 'value',
    sessionTtlSeconds: 15 * 60,
    checkTimestamps: true,
    meters: [],
    now: () => Date.now(),
    ...over,
  };
}

/** "20" or "10-50" (ms). */
export function parseLatency(spec: string): { min: number; max: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*(?:ms)?\s*$/.exec(spec);
  if (!m) throw new UserError(`--latency must be milliseconds like 20 or a range like 10-50, got "${spec}"`);
  const min = Number(m[1]);
  const max = m[2] !== undefined ? Number(m[2]) : min;
  if (max < min) throw new UserError(`--latency range "${spec}" has its maximum below its minimum`);
  return { min, max };
}

/** "stripe-v1=50" (repeatable), or "off" to disable every limit. */
export function parseRateLimits(specs: string[] | undefined): Record<LimitKey, number> {
  const out = { ...DEFAULT_RATE_LIMITS };
  for (const spec of specs ?? []) {
    if (spec.trim() === 'off') {
      for (const k of LIMIT_KEYS) out[k] = 0;
      continue;
    }
    const m = /^\s*([a-z0-9-]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(spec);
    if (!m || !(LIMIT_KEYS as readonly string[]).includes(m[1])) {
      throw new UserError(`--rate-limit must look like NAME=PER_SECOND with NAME one of ${LIMIT_KEYS.join(', ')} (or "off"), got "${spec}"`);
    }
    out[m[1] as LimitKey] = Number(m[2]);
  }
  return out;
}

/** Small seeded PRNG (mulberry32) so fault injection can be reproduced. */
export function seededRandom(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  return mulberry32(seed);
}
