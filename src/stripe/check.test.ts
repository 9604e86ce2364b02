import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, recordingStore } from '../../test/support/queries.js';
import { checkQuery, checkRun } from './check.js';
import { normalizeMeter, type StripeMeter } from './meters.js';

const meter = (id: string, eventName: string, status = 'active', valueKey = 'value'): StripeMeter =>
  normalizeMeter({ id, event_name: eventName, status, default_aggregation: { formula: 'sum' }, value_settings: { event_payload_key: valueKey } });

describe('check query', () => {
  it("binds the names and their meters' keys as three aligned arrays; each event looks its keys up by name", () => {
    const keyed = new Map([
      ['tokens', meter('m1', 'tokens', 'active', 'n')],
      ['api', meter('m2', 'api')],
    ]);
    const q = checkQuery('run_1', keyed);
    expect(Object.values(q.params)).toEqual(['run_1', ['tokens', 'api'], ['stripe_customer_id', 'stripe_customer_id'], ['n', 'value']]);
    expect(flat(q.sql)).toContain(
      'SELECT *, indexOf({p1:Array(String)}, event_name) AS mi, arrayElement({p2:Array(String)}, mi) AS mk_customer, arrayElement({p3:Array(String)}, mi) AS mk_value FROM events WHERE run_id = {p0:String}',
    );
    expect(flat(q.sql)).toMatch(/GROUP BY event_name ORDER BY events DESC, event_name$/);
    expectAllBound(q);
  });

  it('hostile names and keys are only parameters', () => {
    const m = { ...meter('m', 'x'), customerKey: `c${HOSTILE}`, valueKey: `v${HOSTILE}` };
    const q = checkQuery(`r${HOSTILE}`, new Map([[`n${HOSTILE}`, m]]));
    for (const v of ['r', 'n', 'c', 'v']) expectOnlyBound(q, `${v}${HOSTILE}`);
  });
});

describe('checkRun', () => {
  const row = (event_name: string, events: number, more: Record<string, unknown> = {}) => ({
    event_name,
    events: String(events),
    billable: String(events),
    customers: '1',
    missing_customer: '0',
    missing_value: '0',
    non_numeric: '0',
    negative: '0',
    first: '2025-03-03 00:00:00.000',
    last: '2025-03-03 01:00:00.000',
    ex_customer: ['', '0'],
    ex_value: ['', '0'],
    ex_non_numeric: ['', '0'],
    ex_negative: ['', '0'],
    ...more,
  });
  const meters = [
    meter('m_ok', 'tokens'),
    meter('m_bad', 'api'),
    meter('m_idle', 'images'),
    meter('m_old', 'legacy', 'inactive'),
    meter('m_dup', 'tokens'),
    meter('m_neg', 'refunds'),
  ];
  const rows = [
    row('tokens', 10),
    row('api', 6, { billable: '4', missing_customer: '2', ex_customer: ['a.jsonl', '7'], negative: '1' }),
    // Every event billable, but some values negative: still worth a look.
    row('refunds', 5, { negative: '2', ex_negative: ['b.jsonl', '3'] }),
    row('legacy', 3, { last: '2025-03-04 00:00:00.000' }),
    row('stray', 1),
  ];

  it('one check per active meter (the first of an event name); findings, unmetered names, totals', async () => {
    const { store, calls } = recordingStore(() => rows);
    const r = await checkRun(store, 'r', meters, new Date(0));
    // Inactive meters' names are read too (with their keys), for context.
    expect(calls[0].query!.params.p1).toEqual(['legacy', 'tokens', 'api', 'images', 'refunds']);
    expect(r.meters.map((m) => [m.meterId, m.finding])).toEqual([
      ['m_ok', 'ok'],
      ['m_bad', 'problems'],
      ['m_idle', 'idle'],
      ['m_neg', 'problems'],
    ]);
    expect(r.meters[1].examples.missingCustomerKey).toEqual({ source: 'a.jsonl', line: 7 });
    expect(r.meters[1].examples.negativeValue).toBeNull();
    expect(r.meters[3].examples.negativeValue).toEqual({ source: 'b.jsonl', line: 3 });
    expect(r.unmetered).toEqual([
      { eventName: 'legacy', events: 3, inactiveMeterId: 'm_old', firstEvent: '2025-03-03T00:00:00.000Z', lastEvent: '2025-03-04T00:00:00.000Z' },
      { eventName: 'stray', events: 1, inactiveMeterId: null, firstEvent: '2025-03-03T00:00:00.000Z', lastEvent: '2025-03-03T01:00:00.000Z' },
    ]);
    expect(r).toMatchObject({
      events: 25,
      meterCount: 6,
      activeMeterCount: 5,
      idleMeters: ['m_idle'],
      span: { first: '2025-03-03T00:00:00.000Z', last: '2025-03-04T00:00:00.000Z' },
      totals: { unmeteredEvents: 4, rejectedEvents: 2, negativeValues: 3 },
    });
  });
});
