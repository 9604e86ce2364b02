import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders, recordingStore } from '../../test/support/queries.js';
import { capacityLoads, capacityLoadsQuery } from './series.js';
import { TOTAL_SERIES } from '../profile/rates.js';

describe('capacity load query', () => {
  it('one pair of aggregates per capacity over one scan of the series; the first second bound', () => {
    const q = capacityLoadsQuery('r', 1_700_000_000, [1000, 100_000]);
    expect(q.params).toEqual({ run: 'r', s0: 1_700_000_000 });
    expect(placeholders(q.sql)).toEqual(
      new Map([
        ['s0', 'Float64'],
        ['run', 'String'],
      ]),
    );
    const s = flat(q.sql);
    expect(s).toMatch(
      /^SELECT countIf\(c > toFloat64\(1000\)\) AS over0, max\(greatest\(0, S0 - least\(0, mb0\)\)\) AS q0, countIf\(c > toFloat64\(100000\)\) AS over1,/,
    );
    expect(s).toContain('toFloat64(cum) - toFloat64(100000) * (toFloat64(s) - {s0:Float64} + 1) AS S1');
    expect(s).toContain('toFloat64(cum - c) - toFloat64(1000) * (toFloat64(s) - {s0:Float64}) AS Sb0');
    expect(s.split(flat(TOTAL_SERIES))).toHaveLength(2);
    expectAllBound(q);
    expectOnlyBound(capacityLoadsQuery(HOSTILE, 0, [1]), HOSTILE);
  });

  it.each([[0], [-5], [NaN], [Infinity]])('refuses capacity %d (it is inlined, so it must be a positive number)', (c) => {
    expect(() => capacityLoadsQuery('r', 0, [1000, c])).toThrow(`invalid capacity ${c}`);
  });
});

describe('capacityLoads', () => {
  it('asks nothing without paths; the delay is the backlog ÷ the capacity', async () => {
    const empty = recordingStore();
    expect(await capacityLoads(empty.store, 'r', 0, [])).toEqual([]);
    expect(empty.calls).toHaveLength(0);
    const { store } = recordingStore(() => [{ over0: '3', q0: 2500, over1: '0', q1: 0 }]);
    expect(await capacityLoads(store, 'r', 0, [1000, 100_000])).toEqual([
      { secondsOver: 3, queueDelaySeconds: 2.5 },
      { secondsOver: 0, queueDelaySeconds: 0 },
    ]);
  });
});
