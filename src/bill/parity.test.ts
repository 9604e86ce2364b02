import { describe, expect, it } from 'vitest';
import { normalizeMeter } from '../stripe/meters.js';
import { validateMetrics } from './metrics.js';
import { compareParity, meterFor, summarizeParity, windowsFor } from './parity.js';

const P1 = Date.UTC(2024, 4, 1);
const P2 = Date.UTC(2024, 5, 1);
const k = (c: string, p: number) => `${c}\u0000${p}`;

describe('parity with Stripe', () => {
  it('compares each customer × period; statuses, signed diff (Stripe − log) and relative difference', () => {
    const log = new Map([
      [k('a', P1), 100],
      [k('a', P2), 50],
      [k('b', P1), 10],
      [k('c', P1), 0],
    ]);
    const stripe = new Map([
      [k('a', P1), 100],
      [k('a', P2), 49.5],
      [k('d', P2), 7],
      [k('c', P1), 0],
    ]);
    const rows = compareParity('m', 'mtr', ['a', 'b', 'c', 'd', 'e'], [P1, P2], log, stripe);
    expect(rows.map((r) => [r.customer, r.periodStart.slice(0, 7), r.status, r.diff, r.relDiff])).toEqual([
      ['a', '2024-05', 'match', 0, 0],
      ['a', '2024-06', 'differs', -0.5, -0.01],
      ['b', '2024-05', 'only-in-log', -10, -1],
      ['c', '2024-05', 'match', 0, 0],
      ['d', '2024-06', 'only-in-stripe', 7, 1],
    ]);
    expect(rows[2].stripe).toBeNull();
  });

  it('a customer Stripe refused has no Stripe value and carries the message', () => {
    const rows = compareParity('m', 'mtr', ['z'], [P1], new Map([[k('z', P1), 3]]), new Map(), new Map([['z', "No such customer: 'z'"]]));
    expect(rows).toEqual([
      {
        metric: 'm',
        meter: 'mtr',
        customer: 'z',
        periodStart: new Date(P1).toISOString(),
        log: 3,
        stripe: null,
        diff: -3,
        relDiff: -1,
        status: 'only-in-log',
        error: "No such customer: 'z'",
      },
    ]);
  });

  it('summarizes against the tolerance: within 1 %, over, the largest differences first', () => {
    const log = new Map([
      [k('a', P1), 100],
      [k('b', P1), 100],
      [k('c', P1), 100],
    ]);
    const stripe = new Map([
      [k('a', P1), 100],
      [k('b', P1), 99],
      [k('c', P1), 90],
    ]);
    const rows = compareParity('m', 'mtr', ['a', 'b', 'c'], [P1], log, stripe);
    const s = summarizeParity(rows, 0.01, [], 3);
    expect(s).toMatchObject({ pairs: 3, customers: 3, periods: 1, matching: 1, withinOnePercent: 2, withinTolerance: 2, over: 1, requests: 3 });
    expect(s.largest.map((r) => r.customer)).toEqual(['c', 'b']);
    expect(summarizeParity(rows, 0.1, [], 3).over).toBe(0);
  });

  it('pairs a metric with the active meter of its one event type, when the formulas bill alike', () => {
    const meters = [
      normalizeMeter({ id: 'mtr_sum', event_name: 'api', default_aggregation: { formula: 'sum' } }),
      normalizeMeter({ id: 'mtr_last', event_name: 'gb', default_aggregation: { formula: 'last' } }),
      normalizeMeter({ id: 'mtr_off', event_name: 'old', status: 'inactive', default_aggregation: { formula: 'count' } }),
    ];
    const m = (agg: string, types?: string[]) =>
      validateMetrics(
        [
          {
            name: 'x',
            aggregation_type: agg,
            ...(agg === 'COUNT' ? {} : { aggregation_key: 'v', property_filters: [{ name: 'v', exists: true }] }),
            ...(types ? { event_type_filter: { in_values: types } } : {}),
          },
        ],
        't',
      )[0];
    expect(meterFor(m('SUM', ['api']), meters)).toMatchObject({ meter: { id: 'mtr_sum' } });
    expect(meterFor(m('LATEST', ['gb']), meters)).toMatchObject({ meter: { id: 'mtr_last' } });
    expect(meterFor(m('MAX', ['gb']), meters)).toEqual({ reason: 'meter mtr_last aggregates with "last", the metric with MAX: not comparable' });
    expect(meterFor(m('COUNT', ['old']), meters)).toEqual({ reason: 'no active Stripe meter reads event name old' });
    expect(meterFor(m('COUNT'), meters)).toEqual({ reason: 'the metric matches every event type; a Stripe meter reads one event name' });
    expect(meterFor(m('SUM', ['api', 'gb']), meters)).toMatchObject({ reason: expect.stringMatching(/matches 2 event types/) });
  });

  it('asks Stripe for whole periods (one request per month or week, one grouped range for days and hours), up to now', () => {
    const s = (ms: number) => ms / 1000;
    const later = Date.UTC(2025, 0, 1);
    expect(windowsFor([P1, P2], 'month', later)).toEqual([
      { granularity: 'span', unit: 60, start: s(P1), end: s(P2), groupingWindow: undefined },
      { granularity: 'span', unit: 60, start: s(P2), end: s(Date.UTC(2024, 6, 1)), groupingWindow: undefined },
    ]);
    const days = [Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 2)];
    expect(windowsFor(days, 'day', later)).toEqual([{ granularity: 'day', unit: 86400, start: s(days[0]), end: s(Date.UTC(2024, 5, 3)), groupingWindow: 'day' }]);
    // June is still running at 10:00:30 on 20 June: read up to 10:01 (minutes), or the end of the day (day windows).
    const now = Date.UTC(2024, 5, 20, 10, 0, 30);
    expect(windowsFor([P2], 'month', now)[0].end).toBe(s(Date.UTC(2024, 5, 20, 10, 1)));
    expect(windowsFor([Date.UTC(2024, 5, 20)], 'day', now)[0].end).toBe(s(Date.UTC(2024, 5, 21)));
    expect(windowsFor([Date.UTC(2024, 5, 20, 10)], 'hour', now)[0].end).toBe(s(Date.UTC(2024, 5, 20, 11)));
  });
});
