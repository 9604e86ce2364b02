/** What test/replay-units.test.ts leaves out: durations, ramp edge cases, descriptions. */
import { describe, expect, it } from 'vitest';
import { describePacing, offsetFunction, parseDuration, parseRate } from './pacing.js';
import type { StoredEvent } from './events.js';

const at = (p: ReturnType<typeof parseRate>, i: number) => offsetFunction(p, 0)(i, {} as StoredEvent);

describe('parseDuration', () => {
  it.each([['30', 30], ['30s', 30], ['250ms', 0.25], ['2m', 120], ['1.5h', 5400], [' 10 s ', 10]])('%s -> %d s', (s, secs) => {
    expect(parseDuration('--x', s)).toBe(secs);
  });
  it('refuses other units and zero, naming the flag', () => {
    expect(() => parseDuration('--warmup', '10d')).toThrow('--warmup must be a duration like 30s, 2m or 1h, got "10d"');
    expect(() => parseDuration('--warmup', '0s')).toThrow('--warmup must be longer than zero, got "0s"');
  });
});

describe('ramp offsets', () => {
  it('a ramp from zero: N(t) = B·t²/(2D), so event i is due at √(2·D·i/B)', () => {
    const p = parseRate('0:100:10s');
    for (const i of [1, 50, 499]) expect(at(p, i)).toBeCloseTo(1000 * Math.sqrt((2 * 10 * i) / 100), 6);
    // 500 events fit in the ramp; after it, one every 1/B s.
    expect(at(p, 500)).toBeCloseTo(10_000, 6);
    expect(at(p, 600)).toBeCloseTo(11_000, 6);
  });

  it('a flat "ramp" (A = B) spaces events evenly, like a constant rate', () => {
    const p = parseRate('200:200:5s');
    expect([at(p, 0), at(p, 1), at(p, 999), at(p, 1000), at(p, 1200)]).toEqual([0, 5, 4995, 5000, 6000]);
  });

  it('a falling ramp still reaches every event', () => {
    const p = parseRate('300:100:10s');
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
    [{ mode: 'ramp', from: 10, to: 90, durationS: 60 }, 'ramp 10→90 events/s over 60s'],
    [{ mode: 'max' }, 'closed loop, as fast as answers come'],
  ])('%o', (p, text) => {
    expect(describePacing(p)).toBe(text);
  });
});
