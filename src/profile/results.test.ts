import { describe, expect, it } from 'vitest';
import { recordingStore } from '../../test/support/queries.js';
import { candidateRows, fitRows, propertyRows, saveResults } from './results.js';
import type { DimensionCandidate, FitResult, ProfileReport, PropertyProfile } from './model.js';

const prop = (key: string, numeric: PropertyProfile['numeric']): PropertyProfile => ({
  eventName: 'api',
  key,
  events: 10,
  present: 8,
  presence: 0.8,
  distinct: 3,
  distinctExact: true,
  distinctError: null,
  types: { number: 8, string: 0, boolean: 0, null: 0, object: 0 },
  numericShare: numeric ? 1 : 0,
  numeric,
  topValues: [{ value: '"eu"', count: 5, share: 0.625 }],
  topValuesExact: true,
  avgLength: 2,
  class: 'dimension',
  classReason: '',
  role: null,
});
const cand = (keys: string[]): DimensionCandidate => ({
  keys,
  kind: keys.length === 1 ? 'single' : 'pair',
  combinations: 4,
  present: 6,
  presence: 0.6,
  crossProduct: 9,
  redundant: false,
  score: 0.5,
  reason: 'r',
});
const report = {
  runId: 'run_9',
  properties: [prop('region', null), prop('n', { count: 8, min: 1, max: 9, mean: 4, p50: 3, p99: 9, quantilesExact: true })],
  dimensionCandidates: [
    { eventName: 'api', events: 10, candidates: [cand(['a']), cand(['a', 'b'])], design: {} },
    { eventName: 'tok', events: 2, candidates: [cand(['c'])], design: {} },
  ],
  fit: [
    {
      path: 'stripe-v1',
      verdict: 'tight',
      utilization: 0.7,
      headroom: 1 / 0.7,
      secondsOverLimit: 3,
      need: { avgEventsPerSecond: 1, peakEventsPerSecond: 700, avgRequestsPerSecond: 1, peakRequestsPerSecond: 700 },
    } as FitResult,
  ],
} as unknown as ProfileReport;

describe('result rows', () => {
  it('property rows: one per key; a key never numeric gets count 0 and NULL stats; top values as (value, events)', () => {
    const [region, n] = propertyRows(report);
    expect(region).toMatchObject({
      run_id: 'run_9',
      event_name: 'api',
      key: 'region',
      distinct_values: 3,
      distinct_exact: true,
      numeric_count: 0,
      numeric_min: null,
      numeric_max: null,
      numeric_mean: null,
      numeric_p50: null,
      numeric_p99: null,
      top_values: [{ value: '"eu"', events: 5 }],
    });
    expect(n).toMatchObject({ numeric_count: 8, numeric_min: 1, numeric_max: 9, numeric_mean: 4, numeric_p50: 3, numeric_p99: 9 });
    expect(JSON.parse(String(n.detail))).toEqual(report.properties[1]);
  });

  it('candidate rows: every candidate of every event name, keyed by its name', () => {
    expect(candidateRows(report).map((r) => [r.event_name, r.keys, r.kind])).toEqual([
      ['api', ['a'], 'single'],
      ['api', ['a', 'b'], 'pair'],
      ['tok', ['c'], 'single'],
    ]);
  });

  it('fit rows: the request rates come from the need', () => {
    expect(fitRows(report)).toEqual([
      {
        run_id: 'run_9',
        path: 'stripe-v1',
        verdict: 'tight',
        utilization: 0.7,
        headroom: 1 / 0.7,
        avg_requests_per_second: 1,
        peak_requests_per_second: 700,
        seconds_over_limit: 3,
        detail: JSON.stringify(report.fit[0]),
      },
    ]);
  });

  it('saveResults clears each table for the run first, then inserts the three', async () => {
    const { store, calls } = recordingStore(() => [{ n: '0' }]);
    await saveResults(store, report);
    expect(calls.map((c) => c.kind)).toEqual(['select', 'select', 'select', 'insertRows', 'insertRows', 'insertRows']);
    expect(calls.slice(0, 3).map((c) => c.query!.params)).toEqual([{ run: 'run_9' }, { run: 'run_9' }, { run: 'run_9' }]);
    expect(calls.slice(3).map((c) => [c.table, c.rows!.length])).toEqual([
      ['profile_properties', 2],
      ['profile_candidates', 3],
      ['profile_fit', 1],
    ]);
  });
});
