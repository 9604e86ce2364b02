/**
 * When each event is due, in ms from the start of the replay: recorded timing scaled by a
 * speed factor, a constant rate, a linear ramp, or none (closed loop, as fast as answers come).
 */
import { UserError } from '../errors.js';
import type { StoredEvent } from './events.js';

export type Pacing =
  | { mode: 'recorded'; speed: number }
  | { mode: 'rate'; rate: number }
  | { mode: 'ramp'; from: number; to: number; durationS: number }
  | { mode: 'max' };

/** "30", "30s", "2m", "1h" -> seconds. */
export function parseDuration(flag: string, s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(s);
  if (!m) throw new UserError(`${flag} must be a duration like 30s, 2m or 1h, got "${s}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const secs = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
  if (!(secs > 0)) throw new UserError(`${flag} must be longer than zero, got "${s}"`);
  return secs;
}

/** `--rate R` (events/s) or `--rate A:B:duration` (ramp from A to B events/s over the duration). */
export function parseRate(spec: string): Pacing {
  const parts = spec.split(':');
  const num = (s: string, what: string) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new UserError(`--rate: ${what} must be a number of events per second, got "${s}"`);
    return n;
  };
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
    return { mode: 'ramp', from, to, durationS: parseDuration('--rate ramp duration', parts[2]) };
  }
  throw new UserError(`--rate must be R or A:B:duration (e.g. 500 or 100:2000:60s), got "${spec}"`);
}

/**
 * Offset (ms) of the i-th event (0-based). For a ramp the cumulative count is
 * N(t) = A·t + (B−A)·t²/(2D) for t ≤ D, then B events/s; the offset solves N(t) = i.
 */
export function offsetFunction(p: Pacing, firstEventTime: number): (i: number, e: StoredEvent) => number {
  switch (p.mode) {
    case 'recorded':
      return (_i, e) => (e.t - firstEventTime) / p.speed;
    case 'rate':
      return (i) => (i * 1000) / p.rate;
    case 'ramp': {
      const { from: a, to: b, durationS: d } = p;
      const k = (b - a) / (2 * d);
      const rampEvents = ((a + b) / 2) * d;
      return (i) => {
        if (i >= rampEvents) return (d + (i - rampEvents) / b) * 1000;
        const t = Math.abs(k) < 1e-12 ? i / a : (-a + Math.sqrt(a * a + 4 * k * i)) / (2 * k);
        return t * 1000;
      };
    }
    case 'max':
      return () => 0;
  }
}

export function describePacing(p: Pacing): string {
  switch (p.mode) {
    case 'recorded':
      return p.speed === 1 ? 'recorded timing' : `recorded timing ×${p.speed}`;
    case 'rate':
      return `${p.rate} events/s`;
    case 'ramp':
      return `ramp ${p.from}→${p.to} events/s over ${p.durationS}s`;
    case 'max':
      return 'closed loop, as fast as answers come';
  }
}

