import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders, recordingStore } from '../../test/support/queries.js';
import { TOP_CUSTOMERS, computeCustomers, customerPeaksQuery, topCustomersQuery } from './customers.js';

describe('customer queries', () => {
  it('top customers: the limit is a bound UInt32 (10 by default), events without a customer left out', () => {
    const q = topCustomersQuery('r');
    expect(q.params).toEqual({ run: 'r', top: TOP_CUSTOMERS });
    expect(TOP_CUSTOMERS).toBe(10);
    expect(topCustomersQuery('r', 3).params.top).toBe(3);
    expect(placeholders(q.sql)).toEqual(
      new Map([
        ['run', 'String'],
        ['top', 'UInt32'],
      ]),
    );
    expect(flat(q.sql)).toContain("WHERE run_id = {run:String} AND customer != '' GROUP BY customer");
    expect(flat(q.sql)).toMatch(/ORDER BY n DESC, customer LIMIT \{top:UInt32\}$/);
  });

  it('peaks: the customers are one bound Array(String); hostile ids never reach the text', () => {
    const ids = ['cus_1', HOSTILE];
    const q = customerPeaksQuery(HOSTILE, ids);
    expect(q.params).toEqual({ run: HOSTILE, ids });
    expect(placeholders(q.sql).get('ids')).toBe('Array(String)');
    expect(flat(q.sql)).toContain('customer IN {ids:Array(String)}');
    expectOnlyBound(q, HOSTILE);
    expectOnlyBound(topCustomersQuery(HOSTILE), HOSTILE);
    expectAllBound(q);
  });
});

describe('computeCustomers', () => {
  it('asks for peaks only of the top customers, and none when there are none', async () => {
    const none = recordingStore();
    await computeCustomers(none.store, 'r', 0, 'stripe_customer_id', 0);
    expect(none.calls).toHaveLength(1);

    const top = [
      { customer: 'b', n: '6', distinct: '2' },
      { customer: 'a', n: '2', distinct: '2' },
    ];
    const { store, calls } = recordingStore((_q, n) => (n === 0 ? top : [{ customer: 'a', p: '2', at: '60' }]));
    const c = await computeCustomers(store, 'r', 8, 'k', 1);
    expect(calls[1].query!.params.ids).toEqual(['b', 'a']);
    expect(c).toEqual({
      key: 'k',
      distinct: 2,
      missing: 1,
      top: [
        { customer: 'b', count: 6, share: 0.75, peak1s: 0, peak1sAt: '1970-01-01T00:00:00.000Z' },
        { customer: 'a', count: 2, share: 0.25, peak1s: 2, peak1sAt: '1970-01-01T00:01:00.000Z' },
      ],
    });
  });
});
