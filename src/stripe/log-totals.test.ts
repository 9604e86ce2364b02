import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders, recordingStore } from '../../test/support/queries.js';
import { DEDUP_WINDOW_MS, logTotals, logTotalsQuery } from './log-totals.js';
import { normalizeMeter } from './meters.js';
import { meterWindows } from './windows.js';

const meter = normalizeMeter({ id: 'mtr_1', event_name: 'tokens', default_aggregation: { formula: 'sum' }, value_settings: { event_payload_key: 'n' } });
const T0 = Date.UTC(2025, 2, 3);
const span = meterWindows(T0, T0 + 7200_000, 'span', null);
const hour = meterWindows(T0, T0 + 7200_000, 'hour', null);
const nameOf = (params: Record<string, unknown>, v: unknown) => Object.entries(params).find(([, x]) => x === v)?.[0];

describe('log totals query', () => {
  it("binds the run, event name and the meter's payload keys", () => {
    const q = logTotalsQuery('run_1', meter, span, { dedup: true });
    for (const v of ['run_1', 'tokens', 'stripe_customer_id', 'n']) expect(Object.values(q.params)).toContain(v);
    const s = flat(q.sql);
    expect(s).toContain(`FROM events WHERE run_id = {${nameOf(q.params, 'run_1')}:String} AND event_name = {${nameOf(q.params, 'tokens')}:String}`);
    expect(s).toContain(`mapContains(properties, {${nameOf(q.params, 'n')}:String})`);
    expectAllBound(q);
  });

  it('span: one window starting at the bound aligned start; hour: events bucketed by the bound unit', () => {
    const one = logTotalsQuery('r', meter, span, { dedup: true });
    expect(flat(one.sql)).toContain(`toUInt32({${nameOf(one.params, span.start)}:UInt32}) AS window`);
    const q = logTotalsQuery('r', meter, hour, { dedup: true });
    const m = /toUInt32\(intDiv\(toUInt32\(toUnixTimestamp\(event_time\)\), \{(p\d+):UInt32\}\) \* \{(p\d+):UInt32\}\) AS window/.exec(flat(q.sql));
    expect(m).not.toBeNull();
    expect([q.params[m![1]], q.params[m![2]]]).toEqual([3600, 3600]);
  });

  it('dedup is a bound flag over a 24 h window; the last value goes by time, then log order', () => {
    const on = logTotalsQuery('r', meter, span, { dedup: true });
    const off = logTotalsQuery('r', meter, span, { dedup: false });
    const flag = /\{(p\d+):UInt8\} = 1 AND identifier != ''/.exec(on.sql)![1];
    expect([on.params[flag], off.params[flag]]).toEqual([1, 0]);
    expect(on.sql).toContain(`dateDiff('millisecond', assumeNotNull(prev_time), event_time) < ${DEDUP_WINDOW_MS}`);
    expect(DEDUP_WINDOW_MS).toBe(86_400_000);
    expect(flat(on.sql)).toContain('argMax(assumeNotNull(m_value), tuple(event_time, source, line, seq)) AS last');
    expect(flat(on.sql)).toContain('PARTITION BY identifier ORDER BY event_time, source, line, seq');
  });

  it('hostile run id, event name and payload keys are only parameters', () => {
    const m = { ...meter, eventName: `e${HOSTILE}`, customerKey: `c${HOSTILE}`, valueKey: `v${HOSTILE}` };
    const q = logTotalsQuery(`r${HOSTILE}`, m, hour, { dedup: true });
    for (const v of ['r', 'e', 'c', 'v']) expectOnlyBound(q, `${v}${HOSTILE}`);
    expect(placeholders(q.sql).size).toBe(Object.keys(q.params).length);
  });
});

describe('logTotals', () => {
  it('reads duplicates and rejects per customer from their rows and sums them; windows sorted by customer, then window', async () => {
    const rows = [
      { kind: 'window', customer: 'b', window: '60', events: '1', sum: 2, last: 2 },
      { kind: 'stats', customer: 'a', window: 0, events: '3', sum: 0, last: 0 },
      { kind: 'stats', customer: 'b', window: 0, events: '1', sum: 0, last: 0 },
      { kind: 'window', customer: 'a', window: '120', events: '2', sum: 5, last: 3 },
      { kind: 'window', customer: 'a', window: '60', events: '1', sum: 1, last: 1 },
      { kind: 'rejected', customer: '', window: 0, events: '5', sum: 0, last: 0 },
      { kind: 'rejected', customer: 'b', window: 0, events: '2', sum: 0, last: 0 },
    ];
    const { store } = recordingStore(() => rows);
    expect(await logTotals(store, 'r', meter, hour, { dedup: true })).toEqual({
      rows: [
        { customer: 'a', window: 60, events: 1, sum: 1, last: 1 },
        { customer: 'a', window: 120, events: 2, sum: 5, last: 3 },
        { customer: 'b', window: 60, events: 1, sum: 2, last: 2 },
      ],
      rejected: 7,
      duplicates: 4,
      byCustomer: new Map([
        ['a', { rejected: 0, duplicates: 3 }],
        ['b', { rejected: 2, duplicates: 1 }],
        ['', { rejected: 5, duplicates: 0 }],
      ]),
    });
  });
});
