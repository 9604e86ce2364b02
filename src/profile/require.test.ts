import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, recordingStore } from '../../test/support/queries.js';
import { TOP_MISSING, completeEventsQuery, computeRequirements, topMissingQuery } from './require.js';
import type { PropertyProfile } from './model.js';

describe('--require queries', () => {
  it('the required keys are one bound Array(String); the top list is limited per name by a bound count', () => {
    const keys = ['region', HOSTILE];
    for (const q of [completeEventsQuery('r', keys), topMissingQuery('r', keys)]) {
      expect(q.params).toEqual({ run: 'r', req: keys, n: TOP_MISSING });
      expect(flat(q.sql)).toContain('hasAll(mapKeys(properties), {req:Array(String)})');
      expectOnlyBound(q, HOSTILE);
      expectAllBound(q);
    }
    expect(TOP_MISSING).toBe(10);
    expect(flat(topMissingQuery('r', keys).sql)).toMatch(/LIMIT \{n:UInt32\} BY name$/);
  });
});

describe('computeRequirements', () => {
  it('coverage per name and per key; missing customers from the two queries', async () => {
    const totals = [{ name: 'a', complete: '3', customers: '2' }];
    const top = [
      { name: 'a', customer: 'cus_1', c: '1' },
      { name: 'b', customer: 'cus_2', c: '5' },
    ];
    const { store } = recordingStore((_q, n) => (n === 0 ? totals : top));
    const props = [{ eventName: 'a', key: 'k1', present: 2 }] as PropertyProfile[];
    const r = await computeRequirements(
      store,
      'r',
      ['k1', 'k2'],
      [
        { name: 'a', count: 4 },
        { name: 'c', count: 0 },
      ],
      props,
    );
    expect(r.byEventName[0]).toEqual({
      eventName: 'a',
      events: 4,
      complete: 3,
      coverage: 0.75,
      perKey: [
        { key: 'k1', present: 2, coverage: 0.5 },
        { key: 'k2', present: 0, coverage: 0 },
      ],
      customersMissing: 2,
      topCustomersMissing: [{ customer: 'cus_1', events: 1 }],
    });
    expect(r.byEventName[1]).toMatchObject({ eventName: 'c', complete: 0, coverage: 0, customersMissing: 0, topCustomersMissing: [] });
  });
});
