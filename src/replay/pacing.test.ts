/** What test/replay-units.test.ts leaves out: ramp edge cases, descriptions (flag parsing: src/commands/*.test.ts). */
import { describe, expect, it } from 'vitest';
import { describePacing, offsetFunction, type Pacing } from './pacing.js';
import type { StoredEvent } from './events.js';

const at = (p: Pacing, i: number) => offsetFunction(p, 0)(i, {} as StoredEvent);

describe('ramp offsets', () => {
  it('a ramp from zero: N(t) = B·t²/(2D), so event i is due at √(2·D·i/B)', () => {
    const p = { mode: 'ramp' as const, from: 0, to: 100, durationS: 10 };
    for (const i of [1, 50, 499]) expect(at(p, i)).toBeCloseTo(1000 * Math.sqrt((2 * 10 * i) / 100), 6);
    // 500 events fit in the ramp; after it, one every 1/B s.
    expect(at(p, 500)).toBeCloseTo(10_000, 6);
    expect(at(p, 600)).toBeCloseTo(11_000, 6);
  });

  it('a flat "ramp" (A = B) spaces events evenly, like a constant rate', () => {
    const p = { mode: 'ramp' as const, from: 200, to: 200, durationS: 5 };
    expect([at(p, 0), at(p, 1), at(p, 999), at(p, 1000), at(p, 1200)]).toEqual([0, 5, 4995, 5000, 6000]);
  });

  it('a falling ramp still reaches every event', () => {
    const p = { mode: 'ramp' as const, from: 300, to: 100, durationS: 10 };
    // N(10 s) = (300 + 100) / 2 · 10 = 2000 events; N(5 s) = 300·5 − 200·25/20 = 1250.
    expect(at(p, 1250)).toBeCloseTo(5000, 6);
    expect(at(p, 2000)).toBeCloseTo(10_000, 6);
    expect(at(p, 2100)).toBeCloseTo(11_000, 6);
  });

  it('closed loop: everything due at once', () => {
    expect(at({ mode: 'max' }, 1234)).toBe(0);
  });
});

describe('describePacing', () => {
  it.each<[Parameters<typeof describePacing>[0], string]>([
    [{ mode: 'recorded', speed: 1 }, 'recorded timing'],
    [{ mode: 'recorded', speed: 4 }, 'recorded timing ×4'],
    [{ mode: 'rate', rate: 250 }, '250 events/s'],
    [{ mode: 'rate', rate: 2500.5 }, '2,500.5 events/s'],
    [{ mode: 'ramp' as const, from: 10, to: 9000, durationS: 60 }, 'ramp 10→9,000 events/s over 60 s'],
    [{ mode: 'max' }, 'closed loop, as fast as answers come'],
  ])('%o', (p, text) => {
    expect(describePacing(p)).toBe(text);
  });
});
