/**
 * When each event is due, in ms from the start of the replay: recorded timing scaled by a
 * speed factor, a constant rate, a linear ramp, or none (closed loop, as fast as answers come).
 */
import type { StoredEvent } from './events.js';

export type Pacing =
  { mode: 'recorded'; speed: number } | { mode: 'rate'; rate: number } | { mode: 'ramp'; from: number; to: number; durationS: number } | { mode: 'max' };

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

const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });

export function describePacing(p: Pacing): string {
  switch (p.mode) {
    case 'recorded':
      return p.speed === 1 ? 'recorded timing' : `recorded timing ×${p.speed}`;
    case 'rate':
      return `${num(p.rate)} events/s`;
    case 'ramp':
      return `ramp ${num(p.from)}→${num(p.to)} events/s over ${num(p.durationS)} s`;
    case 'max':
      return 'closed loop, as fast as answers come';
  }
}
