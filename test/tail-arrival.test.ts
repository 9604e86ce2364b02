/** The arrival clock on synthetic timestamps: per-second counts, mean over the active span, percentiles. */
import { describe, expect, it } from 'vitest';
import { ArrivalMeter } from '../src/tail/arrival.js';

describe('tail arrival meter', () => {
  it('counts lines per wall-clock second and averages over the span of arrivals', () => {
    const m = new ArrivalMeter();
    const t0 = 1_700_000_000_000;
    // 10 reads per second for 5 s: 100 lines per read in the first 4 s, 300 per read in the 5th.
    for (let i = 0; i < 50; i++) m.record(i < 40 ? 100 : 300, t0 + i * 100);
    const s = m.snapshot(t0 + 6000); // two seconds later: the 5th second completed, then an idle one
    expect(s.lines).toBe(40 * 100 + 10 * 300);
    expect(s.peak).toBe(3000);
    expect(s.now).toBe(0); // the last completed second had no arrivals
    expect(s.seconds).toBe(6);
    expect(s.p50).toBe(1000);
    // (all lines but the first read's) / (last arrival - first arrival)
    expect(s.avg).toBeCloseTo((7000 - 100) / 4.9, 1);
  });

  it('reports the last completed second as "now"', () => {
    const m = new ArrivalMeter();
    const t0 = 1_700_000_000_000;
    m.record(5, t0 + 100);
    m.record(7, t0 + 1200);
    m.record(9, t0 + 1800);
    expect(m.snapshot(t0 + 2100).now).toBe(16);
    expect(m.snapshot(t0 + 2100).peak).toBe(16);
  });
});
