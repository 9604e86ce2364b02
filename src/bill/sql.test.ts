import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat } from '../../test/support/queries.js';
import { validateMetrics } from './metrics.js';
import { billRowsQuery, billedQuery, customersQuery, exclusionsQuery, totalsQuery, usageLinesQuery, type BillScope } from './sql.js';

const [metric] = validateMetrics(
  [
    {
      name: HOSTILE,
      aggregation_type: 'SUM',
      aggregation_key: HOSTILE,
      event_type_filter: { in_values: [HOSTILE] },
      property_filters: [
        { name: HOSTILE, exists: true },
        { name: 'tier', exists: true, in_values: [HOSTILE] },
        { name: 'debug', exists: false },
      ],
      group_keys: [['tier']],
    },
  ],
  't',
);
const scope: BillScope = { runId: HOSTILE, period: 'month', dedup: 'metronome', accept: null, range: null };
const BILL = { billId: 'b-1', billedAt: '2024-07-01T10:00:00.123Z' };
const usageQuery = (m: typeof metric, s: BillScope) => billRowsQuery(m, s, BILL);
/** The reasons of the multiIf, in order: each branch is `condition, {reason}` on its own line. */
const reasonsIn = (q: { sql: string; params: Record<string, unknown> }) => {
  const body = q.sql.slice(q.sql.indexOf('multiIf('), q.sql.indexOf("'') AS reason") + 2);
  return [...body.matchAll(/, \{(p\d+):String\}(?=,\n|, ''$)/g)].map((m) => q.params[m[1]]);
};

describe('bill query builders', () => {
  it('bind the run, event types, keys and filter values: nothing from the log or the metrics file is inlined', () => {
    for (const q of [
      usageQuery(metric, scope),
      totalsQuery(metric, scope),
      customersQuery(metric, HOSTILE),
      usageLinesQuery(HOSTILE, [HOSTILE]),
      exclusionsQuery(HOSTILE),
      billedQuery(HOSTILE),
    ]) {
      expectAllBound(q);
      expectOnlyBound(q, HOSTILE);
    }
  });

  it('gives each event the first reason that applies, in the documented order', () => {
    const q = usageQuery(metric, { ...scope, accept: { oldestMs: 0, newestMs: 1 }, range: { fromMs: 0, toMs: 1 } });
    expect(reasonsIn(q)).toEqual([
      'event type not matched',
      'older than 34 days',
      'more than 24 h ahead',
      'missing customer',
      'duplicate (metronome 34d)',
      'outside --from/--to',
      `missing aggregation key ${HOSTILE}`,
      'missing group key tier',
      'property tier not in in_values',
      'property debug present (exists: false)',
      'non-numeric value',
    ]);
  });

  it('dedup: previous use among ingested events, at most the window before (34 days, 24 h), or none', () => {
    const m34 = usageQuery(metric, scope);
    const window = /t - prev_t <= \{(p\d+):Int64\}/.exec(m34.sql)!;
    expect(m34.params[window[1]]).toBe(34 * 86_400_000);
    const s24 = usageQuery(metric, { ...scope, dedup: 'stripe' });
    expect(s24.params[/t - prev_t <= \{(p\d+):Int64\}/.exec(s24.sql)![1]]).toBe(86_400_000);
    expect(Object.values(s24.params)).toContain('duplicate (stripe 24h)');
    expect(flat(m34.sql)).toContain('PARTITION BY identifier ORDER BY event_time, source, line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW');
    expect(flat(m34.sql)).toMatch(/identifier != '' AND customer != ''/);
    const none = usageQuery(metric, { ...scope, dedup: 'none' });
    expect(none.sql).not.toContain('dup');
  });

  it('groups billed events by customer, period and group values, excluded ones by reason; quantity per aggregation', () => {
    const q = flat(usageQuery(metric, scope).sql);
    expect(q).toContain("toUInt32(toUnixTimestamp(toDateTime(toStartOfMonth(event_time), 'UTC'))) AS period");
    expect(q).toContain("SELECT reason, if(reason = '', customer, '') AS cc, if(reason = '', period, 0) AS pp, g AS gg");
    // Group values only for billed events; excluded ones collapse into one row per reason.
    expect(q).toMatch(/if\(reason = '', \[if\(startsWith\(properties\[\{p\d+:String\}\], '"'\)[^\n]*\], arrayWithConstant\(1, ''\)\) AS g,/);
    expect(q).toContain('GROUP BY reason, cc, pp, gg)');
    expect(q).toContain("sumIf(assumeNotNull(v), reason = '') AS quantity, toFloat64(sum(ifNull(v, 0))) AS value");
    // Written by the engine into the Null table the views split, tagged with the bill; the group as key -> value.
    expect(q).toMatch(
      /^INSERT INTO bill_rows \(bill_id, run_id, billed_at, metric, aggregation, period, period_start, customer, group_values, quantity, events, reason, value\)/,
    );
    const params = Object.values(usageQuery(metric, scope).params);
    expect(params).toEqual(expect.arrayContaining(['b-1', '2024-07-01 10:00:00.123', 'SUM', 'month', ['tier']]));
    expect(q).toMatch(/mapFromArrays\(\{p\d+:Array\(String\)\}, gg\)/);
    expect(flat(usageLinesQuery('b', ['m2', 'm1']).sql)).toContain('ORDER BY indexOf({metrics:Array(String)}, metric), customer, period, g');
    expect(flat(usageQuery(metric, { ...scope, period: 'week' }).sql)).toContain('toMonday(event_time)');
    const latest = validateMetrics([{ name: 'l', aggregation_type: 'LATEST', aggregation_key: 'gb', property_filters: [{ name: 'gb', exists: true }] }], 't')[0];
    expect(flat(usageQuery(latest, scope).sql)).toContain("argMaxIf(assumeNotNull(v), (event_time, source, line, seq), reason = '') AS quantity");
    expect(flat(totalsQuery(latest, scope).sql)).toContain('argMax(assumeNotNull(v), (event_time, source, line, seq)) AS quantity');
    const unique = validateMetrics([{ name: 'u', aggregation_type: 'UNIQUE', aggregation_key: 'u', property_filters: [{ name: 'u', exists: true }] }], 't')[0];
    expect(flat(usageQuery(unique, scope).sql)).toContain("toFloat64(uniqExactIf(txt, reason = '')) AS quantity");
    expect(Object.values(usageQuery(unique, scope).params)).not.toContain('non-numeric value');
    expect(flat(usageQuery(unique, scope).sql)).toContain('NULL AS value');
    const count = validateMetrics([{ name: 'c', aggregation_type: 'COUNT' }], 't')[0];
    expect(flat(usageQuery(count, scope).sql)).toContain('toFloat64(sum(1)) AS value');
    expect(flat(usageQuery(count, scope).sql)).toContain('CAST([] AS Array(String)) AS g');
    expect(flat(totalsQuery(metric, scope).sql)).toContain('GROUP BY customer, period ORDER BY customer, period');
  });
});
