import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat } from '../../test/support/queries.js';
import { keyItemId, keyUsageQuery, medianMinutesQuery, medianTimesQuery, singleKeyUsageQuery, wholeNameUsageQuery } from './key-usage.js';
import { identityLimitsQuery, nearDuplicatesQuery } from './cutover.js';
import { filterCoverageQuery } from './filter-coverage.js';
import { customerMeterQuery, customerMeterSinglesQuery, customerMeterSlices } from './customer-meter.js';

describe('key-usage queries', () => {
  const items = [
    { eventName: HOSTILE, keys: [HOSTILE, 'region'] },
    { eventName: 'api', keys: [] },
  ];
  const mids = new Map([[HOSTILE, 1_700_000_000_000]]);
  const q = keyUsageQuery(HOSTILE, items, mids);
  const single = singleKeyUsageQuery(
    HOSTILE,
    [
      { eventName: HOSTILE, keys: [HOSTILE] },
      { eventName: 'api', keys: ['region'] },
    ],
    mids,
  );

  it('every name, key and run id is bound, never inlined', () => {
    for (const x of [
      q,
      single,
      wholeNameUsageQuery(HOSTILE, [HOSTILE], mids),
      medianMinutesQuery(HOSTILE, [HOSTILE]),
      medianTimesQuery(HOSTILE, [{ name: HOSTILE, minute: 1, nth: 0 }]),
      filterCoverageQuery(HOSTILE, items),
    ]) {
      expectAllBound(x);
      expectOnlyBound(x, HOSTILE);
    }
    expect(q.params).toMatchObject({ items_of: { [HOSTILE]: [1], api: [2] }, item_keys: [[HOSTILE, 'region'], []], item_list: [0, 1], names: [HOSTILE, 'api'] });
    expect(single.params).toMatchObject({ ix_of: { [HOSTILE]: { [HOSTILE]: 1 }, api: { region: 2 } }, item_keys: [[HOSTILE], ['region']] });
  });

  it("single keys: one row per payload pair of an item's key, a repeated key counted once (its first value)", () => {
    const s = flat(single.sql);
    expect(s).toContain('ARRAY JOIN mapKeys(properties) AS k, mapValues(properties) AS v, arrayEnumerateUniq(mapKeys(properties)) AS nth');
    expect(s).toContain('{ix_of:Map(String, Map(String, UInt32))}[event_name][k] AS ix');
    expect(s).toContain('WHERE nth = 1 AND ix > 0');
    // Customers hashed per event, before the pairs multiply the rows.
    expect(s).toContain('SELECT event_name, cityHash64(customer) AS customer, value, event_time, properties FROM events WHERE run_id');
  });

  it("each event joins only its own name's items; keys all present; first half before the median; per-customer nearest-rank", () => {
    const s = flat(q.sql);
    expect(s).toContain('ARRAY JOIN {items_of:Map(String, Array(UInt32))}[event_name] AS ix');
    expect(s).toContain('hasAll(mapKeys(properties), {item_keys:Array(Array(String))}[ix])');
    expect(s).toContain(
      "multiIf(kx = 0, cityHash64(CAST([properties[{k0:String}], properties[{k1:String}]], 'Array(String)')), cityHash64(CAST([], 'Array(String)'))) AS h",
    );
    expect(s).toContain('toUnixTimestamp64Milli(event_time) < {mids:Map(String, Int64)}[event_name] AS first');
    expect(s).toContain('uniqExactMerge(s) AS distinct, uniqExactMerge(f) AS first_half');
    expect(s).toContain('ds[greatest(1, toUInt64(ceil(0.5 * length(ds))))] AS p50');
    expect(s).toContain('ds[greatest(1, toUInt64(ceil(0.99 * length(ds))))] AS p99');
  });

  it('an item is named by its event name and keys', () => {
    expect(keyItemId({ eventName: 'a', keys: ['b', 'c'] })).toBe('["a","b","c"]');
    expect(keyItemId({ eventName: 'a', keys: [] })).toBe('["a"]');
  });
});

describe('cut-over queries', () => {
  it('bind the run id and the published limits', () => {
    for (const x of [identityLimitsQuery(HOSTILE), customerMeterQuery(HOSTILE, 4), nearDuplicatesQuery(HOSTILE)]) {
      expectAllBound(x);
      expectOnlyBound(x, HOSTILE);
    }
    expect(identityLimitsQuery('r').params).toEqual({ run: 'r', sid: 100, mid: 128, sname: 100 });
    expect(customerMeterQuery('r', 4).params).toEqual({ run: 'r', seq: 4 });
  });

  it('near-duplicates: same customer, name, time and payload (keys sorted), more than one identifier; empty ones count each', () => {
    const s = flat(nearDuplicatesQuery('r').sql);
    expect(s).toContain('GROUP BY customer, event_name, event_time, arraySort(arrayZip(mapKeys(properties), mapValues(properties)))');
    expect(s).toContain("uniqExactIf(identifier, identifier != '') + countIf(identifier = '') - 1 AS extra");
    expect(s).toContain('HAVING extra > 0');
  });

  it('customer × meter seconds: events without a customer are left out; only triples whose hash repeats are grouped, unless one event a second is over', () => {
    const busy = flat(customerMeterQuery('r', 4).sql);
    expect(busy).toContain(
      "WHERE run_id = {run:String} AND customer != '' AND cityHash64(customer, event_name, intDiv(toUnixTimestamp64Milli(event_time), 1000)) GLOBAL IN",
    );
    expect(busy).toContain('GROUP BY h HAVING count() > 1) GROUP BY customer, event_name, s');
    expect(flat(customerMeterQuery('r', 0.5).sql)).toContain("WHERE run_id = {run:String} AND customer != '' GROUP BY customer, event_name, s");
    const sliced = customerMeterQuery(HOSTILE, 4, { of: 3, index: 2 });
    expect(flat(sliced.sql).match(/cityHash64\(customer, event_name\) % \{slices:UInt64\} = \{slice:UInt64\}/g)).toHaveLength(2);
    expect(sliced.params).toMatchObject({ slices: 3, slice: 2 });
    expectAllBound(sliced);
    expect([customerMeterSlices(0), customerMeterSlices(40_000_000), customerMeterSlices(40_000_001), customerMeterSlices(100_000_000)]).toEqual([1, 1, 2, 3]);
    expectAllBound(customerMeterSinglesQuery(HOSTILE));
    expectOnlyBound(customerMeterSinglesQuery(HOSTILE), HOSTILE);
  });
});
