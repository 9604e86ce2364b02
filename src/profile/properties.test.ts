import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders, recordingStore } from '../../test/support/queries.js';
import {
  COMPOUNDS_PER_QUERY,
  compoundsQuery,
  countCompounds,
  countValuesQuery,
  estimateLargeKeysQuery,
  isExactable,
  itemId,
  scanKeys,
  scanKeysQuery,
  scansFromCounts,
  type ValueCounts,
} from './properties.js';

describe('property scan queries', () => {
  it('pass 1 reads only the named event names (bound array), hashing values', () => {
    const q = scanKeysQuery('r', ['a', HOSTILE]);
    expect(q.params).toEqual({ run: 'r', names: ['a', HOSTILE] });
    expect(flat(q.sql)).toContain('uniqCombined64(v) AS approx');
    expect(flat(q.sql)).toContain('event_name IN {names:Array(String)}');
    expectOnlyBound(q, HOSTILE);
    expectAllBound(q);
  });

  it('pass 1 with no names asks nothing', async () => {
    const { store, calls } = recordingStore();
    expect(await scanKeys(store, 'r', [])).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it('pass 2 filters keys only when some are skipped; the skip map is one bound parameter', () => {
    const none = countValuesQuery('r', new Map());
    expect(none.sql).not.toContain('{skip:');
    expect(none.params).toEqual({ run: 'r', skip: {}, mids: {} });
    const withMids = countValuesQuery('r', new Map(), new Map([[HOSTILE, 5]]));
    expect(withMids.params.mids).toEqual({ [HOSTILE]: 5 });
    expect(flat(withMids.sql)).toContain('countIf(t0 < {mids:Map(String, Int64)}[name]) AS first_half');
    expectOnlyBound(withMids, HOSTILE);
    const skip = new Map([[HOSTILE, ['k', HOSTILE]]]);
    const q = countValuesQuery('r', skip);
    expect(flat(q.sql)).toContain('AND NOT has({skip:Map(String, Array(String))}[event_name], k)');
    expect(q.params.skip).toEqual({ [HOSTILE]: ['k', HOSTILE] });
    expectOnlyBound(q, HOSTILE);
    expectAllBound(q);
    expect(flat(q.sql)).toContain('groupArraySorted(10)((-toInt64(w), v)) AS top');
  });

  it('pass 3 estimates (space-saving top, t-digest) only for the bound keys per name', () => {
    const q = estimateLargeKeysQuery(HOSTILE, new Map([['n', [HOSTILE]]]));
    expect(flat(q.sql)).toContain('approx_top_k(10)(v) AS top');
    expect(flat(q.sql)).toContain('quantilesTDigestIf(0.5, 0.99)');
    expect(flat(q.sql)).toContain('has({keys:Map(String, Array(String))}[event_name], k)');
    expect(q.params).toEqual({ run: HOSTILE, keys: { n: [HOSTILE] } });
    expectOnlyBound(q, HOSTILE);
    expectAllBound(q);
  });
});

describe('compound queries', () => {
  it('binds each distinct key once (k0, k1, …) and builds two aggregates per compound over those columns', () => {
    const q = compoundsQuery(
      'r',
      ['api'],
      [
        ['a', 'b'],
        ['a', 'b', HOSTILE],
      ],
    );
    expect(q.params).toEqual({ run: 'r', names: ['api'], k0: 'a', k1: 'b', k2: HOSTILE });
    expect([...placeholders(q.sql)]).toEqual([
      ['k0', 'String'],
      ['k1', 'String'],
      ['k2', 'String'],
      ['run', 'String'],
      ['names', 'Array(String)'],
    ]);
    const s = flat(q.sql);
    expect(s).toContain('uniqExactIf(cityHash64(h0, h1), p0 AND p1) AS u0, sumIf(n, p0 AND p1) AS c0');
    expect(s).toContain('uniqExactIf(cityHash64(h0, h1, h2), p0 AND p1 AND p2) AS u1, sumIf(n, p0 AND p1 AND p2) AS c1');
    expect(s).toContain("properties[{k2:String}] AS v2, cityHash64(v2) AS h2, v2 != '' AS p2");
    expect(s).toContain('GROUP BY name, h0, p0, h1, p1, h2, p2) GROUP BY name');
    expectOnlyBound(q, HOSTILE);
    expectAllBound(q);
  });

  it(`countCompounds: at most ${COMPOUNDS_PER_QUERY} compounds per query, a compound shared by names counted once`, async () => {
    const pairs = Array.from({ length: COMPOUNDS_PER_QUERY + 1 }, (_, i) => ['a', `k${String(i).padStart(3, '0')}`]);
    const { store, calls } = recordingStore((_q, n) => (n === 1 ? [{ name: 'y', u0: '4', c0: '9' }] : []));
    const out = await countCompounds(
      store,
      'r',
      new Map([
        ['x', pairs],
        ['y', [pairs[COMPOUNDS_PER_QUERY]]],
      ]),
    );
    expect(calls.map((c) => Object.keys(c.query!.params).filter((k) => /^k\d+$/.test(k)).length)).toEqual([COMPOUNDS_PER_QUERY + 1, 2]);
    expect(calls.every((c) => JSON.stringify(c.query!.params.names) === '["x","y"]')).toBe(true);
    // The second query holds only the last pair, as u0/c0; its row for y is filed under y's compound.
    expect([...out]).toEqual([[itemId('y', pairs[COMPOUNDS_PER_QUERY]), { distinct: 4, present: 9 }]]);
  });
});

describe('pure helpers', () => {
  it('a key is counted exactly while its estimate is within 5 % over the limit', () => {
    const s = (approxDistinct: number) => ({ name: 'n', key: 'k', present: 1, approxDistinct });
    expect(isExactable(s(1050), 1000)).toBe(true);
    expect(isExactable(s(1051), 1000)).toBe(false);
  });

  it('scansFromCounts keeps the names pass 1 skipped, with exact counts as the estimate', () => {
    const counts: ValueCounts = {
      items: new Map([
        [itemId('a', ['k']), { distinct: 3, present: 5 }],
        [itemId('b', ['j']), { distinct: 1, present: 1 }],
      ]),
      shapes: new Map(),
      top: new Map(),
      quantiles: new Map(),
    };
    expect(scansFromCounts(counts, new Set(['b']))).toEqual([{ name: 'a', key: 'k', present: 5, approxDistinct: 3 }]);
    expect(itemId('a', ['x', 'y'])).toBe('["a","x","y"]');
  });
});
