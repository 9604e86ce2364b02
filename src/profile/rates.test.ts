import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders } from '../../test/support/queries.js';
import {
  TOTAL_SERIES,
  eventNamePeaksQuery,
  histogramQuery,
  namedSecondsInsert,
  peaksQuery,
  percentilesQuery,
  seriesBucketSeconds,
  seriesQuery,
  slotTotalsQuery,
  spanOf,
  totalSecondsInsert,
} from './rates.js';

/** Seconds 2555 … 3600. */
const SPAN = { firstSecond: 2555, lastSecond: 3600, seconds: 1046 };

const all = () => [
  namedSecondsInsert('r'),
  totalSecondsInsert('r'),
  peaksQuery('r'),
  percentilesQuery('r', 7),
  histogramQuery('r'),
  slotTotalsQuery('r', 'toHour'),
  slotTotalsQuery('r', 'toDayOfWeek'),
  seriesQuery('r', 60, SPAN),
  eventNamePeaksQuery('r'),
];

describe('rate queries', () => {
  it('every placeholder is bound; the run id is the only string and never inlined', () => {
    for (const q of all()) expectAllBound(q);
    const hostile = [
      namedSecondsInsert(HOSTILE),
      totalSecondsInsert(HOSTILE),
      peaksQuery(HOSTILE),
      percentilesQuery(HOSTILE, 0),
      histogramQuery(HOSTILE),
      slotTotalsQuery(HOSTILE, 'toHour'),
      seriesQuery(HOSTILE, 1, SPAN),
      eventNamePeaksQuery(HOSTILE),
    ];
    for (const q of hostile) expectOnlyBound(q, HOSTILE);
  });

  it("the per-second series: per name from events, totals (event_name = '') summed from those rows", () => {
    const named = flat(namedSecondsInsert('r').sql);
    expect(named).toMatch(/^INSERT INTO profile_rate_seconds \(run_id, event_name, second, events\) SELECT \{run:String\}, event_name,/);
    expect(named).toContain('FROM events WHERE run_id = {run:String} GROUP BY event_name, second');
    const totals = flat(totalSecondsInsert('r').sql);
    expect(totals).toContain("SELECT {run:String}, '', second, sum(events) FROM profile_rate_seconds WHERE run_id = {run:String} AND event_name != ''");
    expect(flat(TOTAL_SERIES)).toBe("SELECT toUInt32(second) AS s, events AS c FROM profile_rate_seconds WHERE run_id = {run:String} AND event_name = ''");
  });

  it('peaks: a forward RANGE frame of w - 1 seconds per window (1, 10, 60 s), earliest start on ties', () => {
    const s = flat(peaksQuery('r').sql);
    for (const [w, following] of [
      [1, 0],
      [10, 9],
      [60, 59],
    ]) {
      expect(s).toContain(`sum(c) OVER (ORDER BY s RANGE BETWEEN CURRENT ROW AND ${following} FOLLOWING) AS w${w}`);
      expect(s).toContain(`max(w${w}) AS e${w}, argMax(s, (w${w}, -toInt64(s))) AS a${w}`);
    }
    expect(s).toContain(flat(TOTAL_SERIES));
  });

  it('percentiles: empty seconds are one bound, weighted zero (added only when there are some)', () => {
    const q = percentilesQuery('r', 12_345);
    expect(q.params).toEqual({ run: 'r', zeros: 12_345 });
    expect(placeholders(q.sql).get('zeros')).toBe('UInt64');
    expect(flat(q.sql)).toContain('UNION ALL SELECT toUInt64(0), toUInt64({zeros:UInt64}) WHERE {zeros:UInt64} > 0');
    expect(flat(q.sql)).toContain('quantilesExactWeighted(0.5, 0.9, 0.99, 0.999)(c, w)');
  });

  it('series: every bucket of the span, the empty ones filled with 0 (bucket-aligned bounds, end exclusive)', () => {
    expect(flat(seriesQuery('r', 60, SPAN).sql)).toContain('ORDER BY b WITH FILL FROM {from:UInt64} TO {to:UInt64} STEP {step:UInt64}');
    expect(seriesQuery('r', 60, SPAN).params).toMatchObject({ from: 2520, to: 3660, step: 60 });
    expect(seriesQuery('r', 1, SPAN).params).toMatchObject({ from: 2555, to: 3601 });
  });

  it('slot and series buckets: the slot function is chosen from two names, the bucket width bound', () => {
    expect(flat(slotTotalsQuery('r', 'toHour').sql)).toMatch(/^SELECT toHour\(toDateTime\(s, 'UTC'\)\) AS k/);
    expect(flat(slotTotalsQuery('r', 'toDayOfWeek').sql)).toMatch(/^SELECT toDayOfWeek\(toDateTime\(s, 'UTC'\)\) AS k/);
    const q = seriesQuery('r', 900, SPAN);
    expect(q.params).toEqual({ run: 'r', b: 900, from: 1800, to: 4500, step: 900 });
    expect(flat(q.sql)).toMatch(/^SELECT toUInt64\(intDiv\(s, \{b:UInt32\}\) \* \{b:UInt32\}\) AS b/);
    expect(flat(histogramQuery('r').sql)).toMatch(/^SELECT toInt32\(floor\(log2\(c\)\)\) AS b/);
  });
});

describe('series bucket width', () => {
  const span = (firstSecond: number, lastSecond: number) => ({ firstSecond, lastSecond, seconds: lastSecond - firstSecond + 1 });
  // Expected widths worked out by hand: the first width whose epoch-aligned buckets covering the span number ≤ 500.
  it.each([
    ['one second', span(0, 0), 1],
    ['500 seconds from 0: 500 one-second points', span(0, 499), 1],
    ['501 seconds: 51 ten-second buckets', span(0, 500), 10],
    ['500 seconds not aligned still fit', span(5, 504), 1],
    ['5,000 s aligned: 500 ten-second buckets', span(0, 4999), 10],
    ['5,000 s straddling one more boundary: 501 buckets of 10 s, so 60 s', span(5, 5004), 60],
    ['a day: 86,400 s -> 288 buckets of 300 s', span(0, 86_399), 300],
    ['500 days fit in day buckets', span(0, 500 * 86_400 - 1), 86_400],
    ['longer than 500 days: still days (the coarsest)', span(0, 2000 * 86_400), 86_400],
  ])('%s', (_, s, width) => {
    expect(seriesBucketSeconds(s)).toBe(width);
  });
});

describe('spanOf', () => {
  it('whole seconds from the first to the last event, inclusive; null without events', () => {
    expect(spanOf('2024-01-01T00:00:00.900Z', '2024-01-01T00:00:01.100Z')).toEqual({
      firstSecond: Date.UTC(2024, 0, 1) / 1000,
      lastSecond: Date.UTC(2024, 0, 1) / 1000 + 1,
      seconds: 2,
    });
    expect(spanOf(null, '2024-01-01T00:00:00Z')).toBeNull();
  });
});
