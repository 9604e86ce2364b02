/** `meterscope replay` flags as checked settings: every flag is checked before anything is loaded or sent. */
import { UserError } from '../errors.js';
import { PROTOCOLS, SPECS } from '../replay/encode.js';
import type { Pacing } from '../replay/pacing.js';
import type { ReplaySettings } from '../replay/session.js';
import { choiceFlag, durationFlag, numberFlag, numberOr } from './flags.js';

export interface ReplaySettingFlags {
  target?: string;
  protocol?: string;
  speed?: string;
  rate?: string;
  max?: boolean;
  connections: string;
  pipelining: string;
  batch?: string;
  flushMs: string;
  maxInFlight: string;
  timeout: string;
  retries: string;
  maxRetryWait: string;
  timestamps: string;
  gzip?: boolean;
  duration?: string;
  warmup?: string;
  limit?: string;
}

export function parseReplayFlags(f: ReplaySettingFlags): ReplaySettings {
  if (!f.target) throw new UserError('--target is required: the base URL to replay into (e.g. http://127.0.0.1:12111 for `meterscope sink`)');
  if (!f.protocol) throw new UserError(`--protocol is required: one of ${PROTOCOLS.join(', ')}`);
  const protocol = choiceFlag('--protocol', f.protocol, PROTOCOLS);
  const spec = SPECS[protocol];
  const batch = numberOr('--batch', f.batch, spec.defaultBatch, { min: 1, integer: true });
  if (batch > spec.maxBatch) {
    throw new UserError(
      protocol === 'stripe-v1' ? '--batch: stripe-v1 takes one event per call' : `--batch: ${protocol} takes at most ${spec.maxBatch} events per request, got ${batch}`,
    );
  }
  if (f.gzip && protocol !== 'metronome') throw new UserError('--gzip applies to the metronome protocol only');
  return {
    protocol,
    pacing: pacingFrom(f),
    connections: numberFlag('--connections', f.connections, { min: 1, integer: true }),
    pipelining: numberFlag('--pipelining', f.pipelining, { min: 1, integer: true }),
    batch,
    flushMs: numberFlag('--flush-ms', f.flushMs, { min: 0 }),
    maxInFlight: numberFlag('--max-in-flight', f.maxInFlight, { min: 1, integer: true }),
    timeoutMs: numberFlag('--timeout', f.timeout, { min: 1 }),
    retries: numberFlag('--retries', f.retries, { min: 0, integer: true }),
    maxRetryWaitMs: numberFlag('--max-retry-wait', f.maxRetryWait, { min: 0 }),
    timestamps: choiceFlag('--timestamps', f.timestamps, ['shift', 'original'] as const),
    durationS: durationFlag('--duration', f.duration, { positive: true }),
    warmupS: durationFlag('--warmup', f.warmup, { positive: true }),
    limit: numberFlag('--limit', f.limit, { min: 1, integer: true }),
  };
}

/** One of --speed (default 1, the recorded pace), --rate or --max. */
function pacingFrom(f: ReplaySettingFlags): Pacing {
  const modes = [f.speed !== undefined, f.rate !== undefined, !!f.max].filter(Boolean).length;
  if (modes > 1) throw new UserError('choose one pacing: --speed, --rate or --max');
  if (f.max) return { mode: 'max' };
  if (f.rate !== undefined) return parseRate(f.rate);
  return { mode: 'recorded', speed: numberOr('--speed', f.speed, 1, { above: 0 }) };
}

/** `--rate R` (events/s) or `--rate A:B:duration` (ramp from A to B events/s over the duration). */
export function parseRate(spec: string): Pacing {
  const parts = spec.split(':');
  const num = (s: string, what: string) => numberFlag(`--rate: ${what}`, s, { min: 0, what: 'a number of events per second' });
  if (parts.length === 1) {
    const rate = num(parts[0], 'the rate');
    if (rate <= 0) throw new UserError('--rate must be above zero');
    return { mode: 'rate', rate };
  }
  if (parts.length === 3) {
    const from = num(parts[0], 'the start rate');
    const to = num(parts[1], 'the end rate');
    if (from <= 0 && to <= 0) throw new UserError('--rate ramp needs a start or end rate above zero');
    if (to <= 0) throw new UserError('--rate ramp must end above zero events per second (events after the ramp are sent at the end rate)');
    return { mode: 'ramp', from, to, durationS: durationFlag('--rate ramp duration', parts[2], { positive: true })! };
  }
  throw new UserError(`--rate must be R or A:B:duration (e.g. 500 or 100:2000:60s), got "${spec}"`);
}
