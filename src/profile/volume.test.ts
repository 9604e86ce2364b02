import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders, recordingStore } from '../../test/support/queries.js';
import { computeVolume, rejectExamplesQuery, rejectReasonsQuery, volumeQuery } from './volume.js';

const DAY = 86_400_000;

describe('volume queries', () => {
  it('binds the run id and the as-of time; the last event stands in when as-of is absent', () => {
    const q = volumeQuery('run_1');
    expect(q.params).toEqual({ run: 'run_1', asOf: null });
    expect(placeholders(q.sql)).toEqual(
      new Map([
        ['asOf', 'Nullable(Int64)'],
        ['run', 'String'],
      ]),
    );
    expect(flat(q.sql)).toContain('ifNull({asOf:Nullable(Int64)}, (SELECT toUnixTimestamp64Milli(max(event_time)) FROM events WHERE run_id = {run:String}))');
    expect(volumeQuery('run_1', 1_700_000_000_000).params.asOf).toBe(1_700_000_000_000);
    expectAllBound(q);
  });

  it('one scan: per-name rows and the total row (GROUPING SETS), totals first', () => {
    const s = flat(volumeQuery('r').sql);
    expect(s).toContain('GROUP BY GROUPING SETS ((event_name), ())');
    expect(s).toContain('ORDER BY is_total DESC, n DESC, name');
    expect(s.match(/FROM events WHERE run_id = \{run:String\}/g)).toHaveLength(2);
  });

  it('stale and future thresholds: 35 and 34 days back, 5 minutes and 24 hours ahead (in ms)', () => {
    const s = flat(volumeQuery('r').sql);
    expect(s).toContain(`countIf(as_of - t > ${35 * DAY}) AS stale35`);
    expect(s).toContain(`countIf(as_of - t > ${34 * DAY}) AS stale34`);
    expect(s).toContain(`countIf(t - as_of > ${5 * 60_000}) AS future5m`);
    expect(s).toContain(`countIf(t - as_of > ${DAY}) AS future24h`);
  });

  it('rejects: reasons without their detail, the first 5 examples in file order, text cut to 200 characters', () => {
    const reasons = rejectReasonsQuery('r');
    expect(flat(reasons.sql)).toContain("replaceRegexpOne(reason, ':.*$', '') AS reason");
    const ex = flat(rejectExamplesQuery('r').sql);
    expect(ex).toContain('substring(raw, 1, 200) AS raw');
    expect(ex).toMatch(/ORDER BY source, line, seq LIMIT 5$/);
  });

  it('a hostile run id is only ever a parameter', () => {
    for (const q of [volumeQuery(HOSTILE), rejectReasonsQuery(HOSTILE), rejectExamplesQuery(HOSTILE)]) {
      expectOnlyBound(q, HOSTILE);
      expectAllBound(q);
    }
  });
});

describe('computeVolume', () => {
  it('splits the total row from the per-name rows; no events means no checks and no span', async () => {
    const { store } = recordingStore(() => []);
    const v = await computeVolume(store, 'r');
    expect(v.events).toEqual({ total: 0, rejected: 0, first: null, last: null });
    expect(v.checks).toBeNull();
  });

  it('reads the counts (UInt64 as strings) and says where the as-of time came from', async () => {
    const rows = [
      { is_total: 1, name: '', n: '3', first: 'a', last: 'b', as_of_ms: '0', no_id: '1', no_customer: '2', stale35: '0', stale34: '1', future5m: '0', future24h: '0' },
      { is_total: 0, name: 'x', n: '3', first: 'a', last: 'b' },
    ];
    const { store } = recordingStore((_q, n) => (n === 0 ? rows : n === 1 ? [{ reason: 'invalid JSON', count: '4' }] : []));
    const v = await computeVolume(store, 'r', 0);
    expect(v.events).toEqual({ total: 3, rejected: 4, first: 'a', last: 'b' });
    expect(v.names).toEqual([{ name: 'x', count: 3, first: 'a', last: 'b' }]);
    expect(v.checks).toMatchObject({ asOf: '1970-01-01T00:00:00.000Z', asOfSource: 'flag', withoutIdentifier: 1, withoutCustomer: 2, staleOver34d: 1 });
  });
});
