import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { metricProblems, readMetricsFile, validateMetrics } from './metrics.js';

const sum = { name: 'api', aggregation_type: 'SUM', aggregation_key: 'value', property_filters: [{ name: 'value', exists: true }] };
const problems = (m: unknown) => metricProblems(m);
const error = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
};

describe('metric checks (as Metronome refuses a metric)', () => {
  it('accepts the documented shapes', () => {
    expect(problems(sum)).toEqual([]);
    expect(problems({ name: 'n', aggregation_type: 'COUNT' })).toEqual([]);
    expect(problems({ ...sum, event_type_filter: { in_values: ['a'], not_in_values: ['b'] }, group_keys: [['value']] })).toEqual([]);
  });

  it('an aggregation key or group key needs a property filter with exists: true', () => {
    expect(problems({ ...sum, property_filters: [] })).toEqual([
      'aggregation key "value" has no property filter with exists: true (Metronome refuses the metric without one)',
    ]);
    expect(problems({ ...sum, property_filters: [{ name: 'value', in_values: ['1'] }] })).toHaveLength(1);
    expect(problems({ ...sum, group_keys: [['region', 'tier'], ['region']] })).toEqual([
      'group key "region" has no property filter with exists: true (Metronome refuses the metric without one)',
      'group key "tier" has no property filter with exists: true (Metronome refuses the metric without one)',
    ]);
  });

  it('one sentence per problem: type, key, filters, SQL metrics', () => {
    expect(problems({ aggregation_type: 'AVG' })).toEqual(['needs a "name"', 'aggregation_type must be one of COUNT, SUM, MAX, UNIQUE, LATEST, got "AVG"']);
    expect(problems({ name: 'x', aggregation_type: 'COUNT', aggregation_key: 'v' })).toContain('a COUNT metric takes no aggregation_key');
    expect(problems({ name: 'x', aggregation_type: 'MAX' })).toEqual(['a MAX metric needs an aggregation_key']);
    expect(problems({ name: 'x', sql: 'select 1' })[0]).toMatch(/SQL billable metric/);
    expect(problems({ ...sum, event_type_filter: { in_values: [] } })).toEqual(['event_type_filter in_values must be a non-empty array of strings']);
    expect(
      problems({
        ...sum,
        property_filters: [
          { name: 'value', exists: true },
          { name: 'value', exists: true },
        ],
      })[0],
    ).toMatch(/appears twice/);
    expect(
      problems({
        ...sum,
        property_filters: [
          { name: 'value', exists: true },
          { name: 'x', exists: false, in_values: ['a'] },
        ],
      })[0],
    ).toMatch(/exists: false/);
    expect(problems({ ...sum, group_keys: ['region'] })[0]).toMatch(/group_keys must be an array of non-empty arrays/);
    expect(problems('x')).toEqual(['must be a JSON object (a create-billable-metric body)']);
  });

  it('reports every problem of a file at once, numbered, and refuses duplicate names', () => {
    const one = error(() => validateMetrics([sum, { ...sum }], 'f.json'));
    expect(one).toBe('f.json: metric #2 ("api") has the same name as an earlier metric; names must be unique.');
    const many = error(() => validateMetrics([{ name: 'a', aggregation_type: 'SUM' }, { aggregation_type: 'COUNT' }], 'f.json'));
    expect(many.split('\n')).toEqual(['f.json has 2 problems:', '  metric #1 ("a") a SUM metric needs an aggregation_key.', '  metric #2 needs a "name".']);
    expect(error(() => validateMetrics({}, 'f.json'))).toBe('f.json must hold a JSON array of create-billable-metric bodies');
    expect(error(() => validateMetrics([], 'f.json'))).toBe('f.json holds no metrics');
  });

  it('normalizes for the builders: COUNT has no key, groupBy is every group key once, in order', () => {
    const [m] = validateMetrics(
      [
        {
          ...sum,
          property_filters: [
            { name: 'value', exists: true },
            { name: 'b', exists: true },
            { name: 'a', exists: true },
          ],
          group_keys: [['b', 'a'], ['a']],
        },
      ],
      't',
    );
    expect(m).toMatchObject({ name: 'api', aggregation: 'SUM', key: 'value', eventTypesIn: null, groupBy: ['b', 'a'] });
    expect(validateMetrics([{ name: 'c', aggregation_type: 'COUNT' }], 't')[0].key).toBeNull();
  });

  it('reads a file, with one sentence for an unreadable or invalid one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-'));
    const ok = path.join(dir, 'ok.json');
    fs.writeFileSync(ok, JSON.stringify([sum]));
    expect(readMetricsFile(ok).map((m) => m.name)).toEqual(['api']);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '[{');
    expect(error(() => readMetricsFile(bad))).toBe(`--metrics: ${bad} is not valid JSON`);
    expect(error(() => readMetricsFile(path.join(dir, 'none.json')))).toMatch(/--metrics: cannot read .* \(ENOENT\)/);
  });
});
