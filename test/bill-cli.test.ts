/**
 * `meterscope bill` (built CLI): the default metrics are the run's drafts; every output format
 * carries the same usage (CSV parsed back, RFC 4180), hostile payload text stays text in HTML and
 * Markdown, the stored tables hold the model, and bad input is one sentence with exit code 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { rows, runCli, tempDir } from './support/helpers.js';
import { openStore } from '../src/store/open.js';
import type { BillModel } from '../src/bill/model.js';
import { HOSTILE } from './support/report-support.js';

const dir = tempDir('meterscope-bill-cli-');
const dataDir = path.join(dir, 'store');
const T0 = Date.UTC(2024, 5, 28) / 1000;
const CSV_HOSTILE = 'a,"b"\nc';
const REGIONS = ['eu', HOSTILE.img, HOSTILE.markdown, CSV_HOSTILE];
const CUSTOMERS = ['cus_a', 'cus_b', HOSTILE.short];

const LOG = Array.from({ length: 240 }, (_, i) => ({
  identifier: `e${i}`,
  timestamp: T0 + i * 1800, // 5 days from 28 June: June and July
  event_name: i % 5 === 0 ? 'login' : 'api_call',
  payload: { stripe_customer_id: CUSTOMERS[i % 3], value: String(1 + (i % 9)), region: REGIONS[i % 4] },
}));

const metricsFile = path.join(dir, 'metrics.json');
const METRICS = [
  {
    name: 'calls by region',
    aggregation_type: 'SUM',
    aggregation_key: 'value',
    event_type_filter: { in_values: ['api_call'] },
    property_filters: [
      { name: 'value', exists: true },
      { name: 'region', exists: true },
    ],
    group_keys: [['region']],
  },
  { name: 'logins', aggregation_type: 'COUNT', event_type_filter: { in_values: ['login'] } },
];

let run = '';
const bill = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['bill', ...args, '--data-dir', dataDir], { env });

beforeAll(async () => {
  const file = path.join(dir, 'log.jsonl');
  fs.writeFileSync(file, `${LOG.map((e) => JSON.stringify(e)).join('\n')}\n`);
  fs.writeFileSync(metricsFile, JSON.stringify(METRICS));
  const p = await runCli(['profile', file, '--data-dir', dataDir, '--json']);
  expect(p.code, p.stderr).toBe(0);
  run = (JSON.parse(p.stdout) as { runId: string }).runId;
}, 120_000);

/** Plain-JS usage of METRICS[0] per customer × month × region. */
function expectedCalls(): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of LOG.filter((x) => x.event_name === 'api_call')) {
    const k = JSON.stringify([e.payload.stripe_customer_id, new Date(e.timestamp * 1000).toISOString().slice(0, 7), e.payload.region]);
    out.set(k, (out.get(k) ?? 0) + Number(e.payload.value));
  }
  return out;
}

describe('meterscope bill (CLI)', () => {
  let model: BillModel;

  it('--json with --metrics: the model, usage per customer × month × group, exit 0', async () => {
    const r = await bill([run, '--metrics', metricsFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    model = JSON.parse(r.stdout) as BillModel;
    expect(model).toMatchObject({
      kind: 'bill',
      runId: run,
      events: LOG.length,
      settings: { period: 'month', dedup: 'metronome', metrics: 'file', metricsFile },
      parity: null,
      paritySummary: null,
    });
    const want = expectedCalls();
    const calls = model.usage.filter((u) => u.metric === 'calls by region');
    expect(calls).toHaveLength(want.size);
    for (const u of calls) expect(u.quantity).toBe(want.get(JSON.stringify([u.customer, u.periodStart.slice(0, 7), u.group!.region])));
    expect(model.metrics.map((m) => m.billedEvents + m.excluded.events)).toEqual([LOG.length, LOG.length]);
  });

  it('CSV: one row per usage line, RFC 4180 quoting that parses back to the same values', async () => {
    const out = path.join(dir, 'bill.csv');
    const r = await bill([run, '--metrics', metricsFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    const parsed = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(parsed).toHaveLength(model.usage.length);
    expect(parsed.map((p) => [p.metric, p.customer, p.period_start, p['group:region'], Number(p.quantity), Number(p.events)])).toEqual(
      model.usage.map((u) => [u.metric, u.customer, u.periodStart, u.group?.region ?? '', u.quantity, u.events]),
    );
    expect(text).toContain('"a,""b""\nc"');
  });

  it('HTML and Markdown keep payload text as text', async () => {
    const htmlOut = path.join(dir, 'bill.html');
    expect((await bill([run, '--metrics', metricsFile, '--out', htmlOut])).code).toBe(0);
    const html = fs.readFileSync(htmlOut, 'utf8');
    expect(html).toContain('Content-Security-Policy');
    const visible = html.slice(0, html.indexOf('<script type="application/json"'));
    expect(visible).not.toContain('<img');
    expect(visible).toContain('&lt;img src=x onerror=');
    const md = (await bill([run, '--metrics', metricsFile, '--format', 'md'])).stdout;
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/\[click\]\(javascript/);
    expect(md).toContain('\\| \\*\\*bold\\*\\*');
    expect(md).toContain('## Usage');
  });

  it('text by default: the metrics, the exclusions and the first usage lines', async () => {
    const r = await bill([run, '--metrics', metricsFile, '--limit', '5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run ${run}: 240 events`);
    expect(r.stdout).toMatch(/calls by region\s+SUM\(value\)\s+240\s+192\s+48/);
    expect(r.stdout).toMatch(/Usage \(first 5 of \d+ lines/);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it("without --metrics: the run's billable-metric drafts", async () => {
    const r = await bill([run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const drafts = JSON.parse(r.stdout) as BillModel;
    expect(drafts.settings.metrics).toBe('drafts');
    expect(drafts.metrics.map((m) => m.name).sort()).toEqual(['api_call', 'login']);
    expect(drafts.metrics.find((m) => m.name === 'api_call')).toMatchObject({ aggregationType: 'SUM', aggregationKey: 'value', eventTypes: ['api_call'] });
  });

  it('bad input: one sentence each, exit 2, before anything is computed', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ name: 'x', aggregation_type: 'SUM', aggregation_key: 'value', group_keys: [['region']] }]));
    const cases: [string[], RegExp][] = [
      [
        [run, '--metrics', bad],
        /has 2 problems:\n {2}metric #1 \("x"\) aggregation key "value" has no property filter with exists: true.*\n {2}metric #1 \("x"\) group key "region" has no property filter/,
      ],
      [[run, '--period', 'year'], /--period must be one of month, week, day, hour, got "year"/],
      [[run, '--dedup', 'maybe'], /--dedup must be one of metronome, stripe, none/],
      [[run, '--from', '2024-06-15T00:00:00Z'], /--from must be the start of the first of a month \(UTC\)/],
      [[run, '--as-of', '2024-07-01T00:00:00Z'], /--as-of only applies with --backfill/],
      [[run, '--format', 'pdf'], /--format must be one of text, json, md, html, csv/],
      [[run, '--stripe'], /no Stripe API key: set STRIPE_API_KEY/],
      [['20990101-000000-ffffff'], /no run with id 20990101-000000-ffffff in this store/],
    ];
    for (const [args, msg] of cases) {
      const r = await bill(args, { STRIPE_API_KEY: '' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });

  it('stores the usage, the metrics and their exclusions for SQL readers', async () => {
    const store = await openStore({ dataDir });
    try {
      const at = model.billedAt.replace('T', ' ').replace('Z', '');
      const usage = await rows<{ n: string; q: number; customer: string; region: string }>(
        store,
        `SELECT count() AS n, sum(quantity) AS q FROM bill_usage WHERE run_id = {run:String} AND billed_at = {at:DateTime64(3)} AND metric = 'calls by region'`,
        { run, at },
      );
      expect(Number(usage[0].n)).toBe(model.usage.filter((u) => u.metric === 'calls by region').length);
      expect(usage[0].q).toBe([...expectedCalls().values()].reduce((a, b) => a + b, 0));
      const [hostile] = await rows<{ q: number }>(
        store,
        `SELECT sum(quantity) AS q FROM bill_usage WHERE run_id = {run:String} AND billed_at = {at:DateTime64(3)} AND group_values['region'] = {r:String}`,
        { run, at, r: HOSTILE.img },
      );
      expect(hostile.q).toBe(model.usage.filter((u) => u.group?.region === HOSTILE.img).reduce((s, u) => s + u.quantity, 0));
      const metrics = await rows<{ metric: string; billed_events: string }>(
        store,
        `SELECT metric, billed_events FROM bill_metrics WHERE bill_id = {bill:String} ORDER BY metric`,
        { bill: model.billId },
      );
      expect(metrics.map((m) => [m.metric, Number(m.billed_events)])).toEqual(
        [...model.metrics].sort((a, b) => a.name.localeCompare(b.name)).map((m) => [m.name, m.billedEvents]),
      );
      const excluded = await rows<{ metric: string; reason: string; events: string; value: number }>(
        store,
        `SELECT metric, reason, events, value FROM bill_exclusions WHERE bill_id = {bill:String} ORDER BY metric, reason`,
        { bill: model.billId },
      );
      expect(excluded.map((x) => [x.metric, x.reason, Number(x.events), x.value])).toEqual(
        [...model.metrics]
          .sort((a, b) => a.name.localeCompare(b.name))
          .flatMap((m) => [...m.excluded.byReason].sort((a, b) => a.reason.localeCompare(b.reason)).map((x) => [m.name, x.reason, x.events, x.value])),
      );
      expect(excluded.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
