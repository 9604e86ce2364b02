/**
 * Parity end to end on one machine, no Stripe account: a log is replayed into the sink (built CLI,
 * Stripe v2 stream, original timestamps), the sink answers the meter and summary reads, and
 * `bill --stripe` of the same log reports every customer × month as a match (exit 0) — as does
 * `stripe reconcile`. Billing a copy of the log with some events removed reports exactly the
 * customers and periods those events belong to as differing, with the differences worked out here
 * in plain JS, and exits 4.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../src/sink/server.js';
import { normalizeMeter } from '../src/stripe/meters.js';
import type { BillModel } from '../src/bill/model.js';
import type { ReconcileResult } from '../src/stripe/reconcile.js';
import { runCli, tempDir } from './support/helpers.js';

const KEY = 'sk_test_billParity42';
const env = { STRIPE_API_KEY: KEY };
const dir = tempDir('meterscope-parity-');
const dataDir = path.join(dir, 'store');
const T0 = Date.UTC(2024, 4, 29, 0, 0, 0) / 1000; // 29 May: the log crosses into June
const CUSTOMERS = Array.from({ length: 8 }, (_, i) => `cus_${i}`);
const METERS = [
  { id: 'mtr_api', event_name: 'api_call', default_aggregation: { formula: 'sum' } },
  { id: 'mtr_login', event_name: 'login', default_aggregation: { formula: 'count' } },
  { id: 'mtr_seats', event_name: 'seats', default_aggregation: { formula: 'last' } },
].map(normalizeMeter);

interface Ev {
  identifier: string;
  timestamp: number;
  event_name: string;
  payload: { stripe_customer_id: string; value: string; region: string };
}

/** 600 events ten minutes apart (distinct times, so "last" is never a tie), every key always present. */
const LOG: Ev[] = Array.from({ length: 600 }, (_, i) => ({
  identifier: `ev_${i}`,
  timestamp: T0 + i * 600,
  event_name: ['api_call', 'api_call', 'login', 'seats'][i % 4],
  payload: { stripe_customer_id: CUSTOMERS[(i * 5 + Math.floor(i / 7)) % 8], value: String(1 + ((i * 13) % 40)), region: ['eu', 'us', 'ap'][i % 3] },
}));
const monthOf = (e: Ev) => new Date(e.timestamp * 1000).toISOString().slice(0, 7);
const isJune = (e: Ev) => monthOf(e) === '2024-06';

/** Removed from the copy: three cus_3 api_calls in June, one cus_5 login in May, cus_2's last seats of June, every cus_7 api_call in May. */
const REMOVED = new Set<Ev>([
  ...LOG.filter((e) => e.event_name === 'api_call' && e.payload.stripe_customer_id === 'cus_3' && isJune(e)).slice(0, 3),
  LOG.find((e) => e.event_name === 'login' && e.payload.stripe_customer_id === 'cus_5' && !isJune(e))!,
  LOG.filter((e) => e.event_name === 'seats' && e.payload.stripe_customer_id === 'cus_2' && isJune(e)).at(-1)!,
  ...LOG.filter((e) => e.event_name === 'api_call' && e.payload.stripe_customer_id === 'cus_7' && !isJune(e)),
]);

const FORMULA: Record<string, (evs: Ev[]) => number> = {
  api_call: (evs) => evs.reduce((s, e) => s + Number(e.payload.value), 0),
  login: (evs) => evs.length,
  seats: (evs) => (evs.length ? Number([...evs].sort((a, b) => a.timestamp - b.timestamp).at(-1)!.payload.value) : 0),
};

/** Totals per event name × customer × period key, in plain JS. */
function totals(evs: Ev[], periodOf: (e: Ev) => string): Map<string, number> {
  const groups = new Map<string, Ev[]>();
  for (const e of evs) {
    const k = `${e.event_name}|${e.payload.stripe_customer_id}|${periodOf(e)}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return new Map([...groups].map(([k, g]) => [k, FORMULA[k.split('|')[0]](g)]));
}

let sink: Sink;
const runs: Record<'full' | 'cut', string> = { full: '', cut: '' };

function write(name: string, evs: Ev[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return file;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli([...args, '--data-dir', dataDir], { env });
}

async function profile(file: string): Promise<string> {
  const r = await cli(['profile', file, '--stripe', '--stripe-base-url', sink.url, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { runId: string }).runId;
}

async function bill(run: string, extra: string[] = []): Promise<{ code: number; model: BillModel; stderr: string }> {
  const r = await cli(['bill', run, '--stripe', '--stripe-base-url', sink.url, '--max-rps', '100', '--json', ...extra]);
  expect(r.stderr).not.toContain(KEY);
  expect(r.stdout).not.toContain(KEY);
  return { code: r.code, model: JSON.parse(r.stdout) as BillModel, stderr: r.stderr };
}

beforeAll(async () => {
  sink = await startSink({
    port: 0,
    meters: METERS,
    checkTimestamps: false,
    rateLimits: { 'stripe-v1': 0, 'stripe-v2-session': 0, 'stripe-v2-stream': 0, metronome: 0 },
  });
  const full = write('full.jsonl', LOG);
  const replay = await cli(['replay', full, '--target', sink.url, '--protocol', 'stripe-v2-stream', '--timestamps', 'original', '--max', '--json']);
  expect(replay.code, replay.stderr).toBe(0);
  expect(sink.stats().routes['stripe-v2-stream'].events_accepted).toBe(LOG.length);
  runs.full = await profile(full);
  runs.cut = await profile(
    write(
      'cut.jsonl',
      LOG.filter((e) => !REMOVED.has(e)),
    ),
  );
}, 120_000);
afterAll(() => sink?.close());

describe('bill --stripe against the sink', () => {
  it('the log that was replayed matches Stripe for every customer and month: exit 0', async () => {
    const { code, model } = await bill(runs.full);
    expect(code).toBe(0);
    // The drafts come from `profile --stripe`: each meter's formula.
    expect(Object.fromEntries(model.metrics.map((m) => [m.name, m.aggregationType]))).toEqual({ api_call: 'SUM', login: 'COUNT', seats: 'LATEST' });
    const expected = totals(LOG, monthOf);
    expect(model.parity!.length).toBe(expected.size);
    expect(model.parity!.every((r) => r.status === 'match' && r.diff === 0)).toBe(true);
    for (const r of model.parity!)
      expect(r.log, `${r.metric} ${r.customer} ${r.periodStart}`).toBe(expected.get(`${r.metric}|${r.customer}|${r.periodStart.slice(0, 7)}`));
    expect(model.paritySummary).toMatchObject({
      pairs: expected.size,
      customers: 8,
      periods: 2,
      matching: expected.size,
      withinOnePercent: expected.size,
      over: 0,
      skipped: [],
    });
  });

  it('a log with events missing: exactly those customers and months differ, by the missing amounts; exit 4', async () => {
    const { code, model, stderr } = await bill(runs.cut);
    expect(code, stderr).toBe(4);
    const stripe = totals(LOG, monthOf);
    const log = totals(
      LOG.filter((e) => !REMOVED.has(e)),
      monthOf,
    );
    const want = [...stripe].filter(([k, v]) => log.get(k) !== v).map(([k, v]) => ({ key: k, diff: v - (log.get(k) ?? 0) }));
    expect(want).toHaveLength(4);
    const got = model.parity!.filter((r) => r.status !== 'match').map((r) => ({ key: `${r.metric}|${r.customer}|${r.periodStart.slice(0, 7)}`, diff: r.diff }));
    expect(got.sort((a, b) => a.key.localeCompare(b.key))).toEqual(want.sort((a, b) => a.key.localeCompare(b.key)));
    const status = (k: string) => model.parity!.find((r) => `${r.metric}|${r.customer}|${r.periodStart.slice(0, 7)}` === k)!.status;
    expect(status('api_call|cus_7|2024-05')).toBe('only-in-stripe');
    expect(status('api_call|cus_3|2024-06')).toBe('differs');
    expect(status('login|cus_5|2024-05')).toBe('differs');
    expect(status('seats|cus_2|2024-06')).toBe('differs');
    expect(model.paritySummary!.over).toBe(4);
  });

  it('daily periods read day windows (value_grouping_window) and find the same events', async () => {
    const { code, model } = await bill(runs.cut, ['--period', 'day']);
    expect(code).toBe(4);
    const dayOf = (e: Ev) => new Date(e.timestamp * 1000).toISOString().slice(0, 10);
    const stripe = totals(LOG, dayOf);
    const log = totals(
      LOG.filter((e) => !REMOVED.has(e)),
      dayOf,
    );
    const want = [...stripe]
      .filter(([k, v]) => log.get(k) !== v)
      .map(([k]) => k)
      .sort();
    expect(
      model
        .parity!.filter((r) => r.status !== 'match')
        .map((r) => `${r.metric}|${r.customer}|${r.periodStart.slice(0, 10)}`)
        .sort(),
    ).toEqual(want);
    expect(model.parity!.length).toBe(stripe.size);
  });

  it('a wide enough --tolerance passes the same differences', async () => {
    const { code, model } = await bill(runs.cut, ['--tolerance', '100%']);
    expect(code).toBe(0);
    expect(model.paritySummary).toMatchObject({ tolerance: 1, over: 0 });
  });

  it('stripe reconcile reads the sink too: no difference for the replayed log, the same ones for the cut copy', async () => {
    const full = await cli(['stripe', 'reconcile', runs.full, '--stripe-base-url', sink.url, '--max-rps', '100', '--json']);
    expect(full.code, full.stderr).toBe(0);
    expect((JSON.parse(full.stdout) as ReconcileResult).differences).toBe(0);
    const cut = await cli(['stripe', 'reconcile', runs.cut, '--stripe-base-url', sink.url, '--max-rps', '100', '--window', 'day', '--json']);
    const r = JSON.parse(cut.stdout) as ReconcileResult;
    expect(r.rows.filter((x) => x.status !== 'match').length).toBeGreaterThanOrEqual(3);
  });
});
