/**
 * `meterscope replay` (the built CLI) against the sink (in this process): under injected 503s
 * and a low rate limit every event is delivered exactly once (the sink's recorded identifiers
 * equal the log's), the replay's own accounting adds up, its per-status attempt counts equal the
 * sink's, and the results are stored so `report` re-renders them. Live keys are refused.
 * Each scenario has its own data directory (one chDB engine per directory), so they run at once.
 * Retry waits are capped at 300 ms (--max-retry-wait; the sink's 429s and 503s ask for 1 s), so the
 * rate-limited scenarios allow 200 retries: a request may lose the race for a token many times.
 * Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../src/sink/server.js';
import type { SinkOptions } from '../src/sink/options.js';
import type { ReplayReport } from '../src/replay/model.js';
import { decodeHistogram } from '../src/replay/metrics.js';
import { runCli, sqlBatch, tempDir } from './support/helpers.js';
import type { Query } from '../src/store/sql.js';

const KEY = 'sk_test_SECRETreplay42';
const V1_EVENTS = 100;
const dir = tempDir('meterscope-replay-');
const sinks: Sink[] = [];
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

/** A Stripe meter-event JSONL log written by plain JS: n events, a few per second over the last hour. */
function writeLog(name: string, n: number, opts: { noCustomerEvery?: number } = {}): { file: string; ids: string[]; valid: string[] } {
  const start = Math.floor(Date.now() / 1000) - 3600;
  const ids: string[] = [];
  const valid: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${name}-${i}`;
    const bad = opts.noCustomerEvery !== undefined && i % opts.noCustomerEvery === 0;
    const payload: Record<string, string> = { value: String((i % 7) + 1), region: ['eu', 'us', 'ap'][i % 3] };
    if (!bad) payload.stripe_customer_id = `cus_${i % 41}`;
    lines.push(JSON.stringify({ identifier: id, timestamp: start + Math.floor(i / 5), event_name: 'api_call', payload }));
    ids.push(id);
    if (!bad) valid.push(id);
  }
  const file = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, ids, valid };
}

async function sinkWith(name: string, over: Partial<SinkOptions>): Promise<{ sink: Sink; record: string }> {
  const record = path.join(dir, `${name}.record.jsonl`);
  const sink = await startSink({ port: 0, record, seed: 7, ...over });
  sinks.push(sink);
  return { sink, record };
}

function recorded(record: string): string[] {
  const text = fs.readFileSync(record, 'utf8').trim();
  return text ? text.split('\n').map((l) => (JSON.parse(l) as { transaction_id: string }).transaction_id) : [];
}

/** A data directory of its own for one scenario. */
const storeFor = (name: string) => path.join(dir, `${name}.store`);

async function replay(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = { STRIPE_API_KEY: KEY },
): Promise<{ report: ReplayReport; stdout: string; stderr: string }> {
  const r = await runCli(['replay', ...args, '--data-dir', dataDir, '--json', '--max-retry-wait', '300'], { env });
  if (r.code !== 0) throw new Error(`replay exited ${r.code}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as ReplayReport, stdout: r.stdout, stderr: r.stderr };
}

/** The replay's attempts per status equal what the sink saw on that route. */
function statusesMatch(report: ReplayReport, sink: Sink, route: 'stripe-v1' | 'stripe-v2-stream' | 'metronome'): void {
  const mine = Object.fromEntries(report.statuses.map((s) => [String(s.status), s.attempts]));
  expect(mine).toEqual(sink.stats().routes[route].by_status);
}

/** Stored replays by scenario (each in the scenario's data directory). */
const stored = new Map<string, ReplayReport[]>();
const keep = (name: string, ...reports: ReplayReport[]) => stored.set(name, reports);

describe.concurrent('replay against the sink with 20% injected 503s and a low rate limit', () => {
  it('stripe-v1: every log event is recorded exactly once, and the accounting adds up', async () => {
    // 20 requests/s against 300/s offered: 429s whatever the machine's speed (it would have to send
    // slower than the limit to meet none); 100 events take 4 s of tokens at least.
    const log = writeLog('v1', V1_EVENTS);
    const { sink, record } = await sinkWith('v1', {
      failRate: 0.2,
      failStatus: 503,
      rateLimits: { 'stripe-v1': 20, 'stripe-v2-session': 100, 'stripe-v2-stream': 100, metronome: 1000 },
    });
    const { report, stdout, stderr } = await replay(storeFor('v1'), [
      log.file,
      '--target',
      sink.url,
      '--protocol',
      'stripe-v1',
      '--rate',
      '300',
      '--connections',
      '8',
      '--retries',
      '200',
    ]);
    await sink.close();
    const got = recorded(record);
    expect(got.length).toBe(V1_EVENTS);
    expect(new Set(got)).toEqual(new Set(log.ids));
    expect(report.totals).toMatchObject({
      eventsInput: V1_EVENTS,
      eventsSent: V1_EVENTS,
      acknowledged: V1_EVENTS,
      rejected: 0,
      failed: 0,
      notSent: 0,
      requests: V1_EVENTS,
    });
    expect(report.accountingOk).toBe(true);
    statusesMatch(report, sink, 'stripe-v1');
    const by = sink.stats().routes['stripe-v1'].by_status;
    // How many attempts meet a 503 or a 429 depends on timing (connections race for tokens), so only: both occur.
    expect(by['503']).toBeGreaterThan(0);
    expect(by['429']).toBeGreaterThan(0);
    expect(report.totals.retries).toBe(report.totals.attempts - report.totals.requests);
    expect(report.latency.count).toBe(V1_EVENTS);
    expect(report.lag?.count).toBe(V1_EVENTS);
    expect(stdout + stderr).not.toContain(KEY);
    keep('v1', report);
  });

  it('stripe-v2-stream: batches of 50, sessions renewed, every event recorded once', async () => {
    const log = writeLog('v2', 1000);
    const { sink, record } = await sinkWith('v2', {
      failRate: 0.2,
      failStatus: 503,
      sessionTtlSeconds: 1,
      rateLimits: { 'stripe-v1': 100, 'stripe-v2-session': 100, 'stripe-v2-stream': 8, metronome: 1000 },
    });
    const { report } = await replay(storeFor('v2'), [
      log.file,
      '--target',
      sink.url,
      '--protocol',
      'stripe-v2-stream',
      '--rate',
      '1000',
      '--batch',
      '50',
      '--retries',
      '200',
    ]);
    await sink.close();
    const got = recorded(record);
    expect(got.length).toBe(1000);
    expect(new Set(got)).toEqual(new Set(log.ids));
    expect(report.totals).toMatchObject({ eventsSent: 1000, acknowledged: 1000, rejected: 0, failed: 0, requests: 20 });
    // 20 requests against 8 requests/s cannot all pass in the first second, and a token lives 1 s: at least one renewal.
    expect(report.totals.sessionRequests).toBeGreaterThanOrEqual(2);
    expect(report.totals.sessionRequests).toBe(sink.stats().routes['stripe-v2-session'].requests);
    statusesMatch(report, sink, 'stripe-v2-stream');
    keep('v2', report);
  });

  it('metronome with gzip: every event recorded once, rate limit counted in events', async () => {
    const log = writeLog('mx', 1000);
    const { sink, record } = await sinkWith('mx', {
      failRate: 0.2,
      failStatus: 503,
      metronomeToken: 'mtok-secret',
      rateLimits: { 'stripe-v1': 100, 'stripe-v2-session': 100, 'stripe-v2-stream': 100, metronome: 300 },
    });
    const { report } = await replay(storeFor('mx'), [log.file, '--target', sink.url, '--protocol', 'metronome', '--gzip', '--rate', '2000', '--retries', '200'], {
      METRONOME_API_TOKEN: 'mtok-secret',
    });
    await sink.close();
    const got = recorded(record);
    expect(got.length).toBe(1000);
    expect(new Set(got)).toEqual(new Set(log.ids));
    expect(report.totals).toMatchObject({ acknowledged: 1000, rejected: 0, failed: 0, requests: 10 });
    statusesMatch(report, sink, 'metronome');
    expect(sink.stats().routes.metronome.by_status['429']).toBeGreaterThan(0); // timing decides how many
    keep('mx', report);
  });
});

describe.concurrent('replay accounting of rejections, limits and stored runs', () => {
  it('counts 4xx answers as rejected with the API reason, and records only the valid events', async () => {
    const log = writeLog('rej', 200, { noCustomerEvery: 10 });
    const { sink, record } = await sinkWith('rej', {});
    const { report } = await replay(storeFor('rej'), [log.file, '--target', sink.url, '--protocol', 'stripe-v1', '--max', '--connections', '4']);
    await sink.close();
    const invalid = log.ids.length - log.valid.length;
    expect(invalid).toBe(20);
    expect(report.totals).toMatchObject({ eventsSent: 200, acknowledged: 180, rejected: 20, failed: 0 });
    expect(report.lag).toBeNull();
    const rejected = report.outcomes.filter((o) => o.outcome === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ status: 400, events: 20 });
    expect(rejected[0].reason).toContain('meter_event_no_customer_defined');
    expect(new Set(recorded(record))).toEqual(new Set(log.valid));
    keep('rej', report);
  });

  it('--duration stops scheduling on time and counts the rest as not sent; a stored run replays again with --unique-ids', async () => {
    const log = writeLog('dur', 200);
    const { sink, record } = await sinkWith('dur', {});
    // 100 events/s: event i is due at i·10 ms, so events 0..100 are due within the first second.
    const first = await replay(storeFor('dur'), [log.file, '--target', sink.url, '--protocol', 'stripe-v1', '--rate', '100', '--duration', '1s']);
    expect(first.report.totals).toMatchObject({ eventsInput: 200, eventsSent: 101, acknowledged: 101, notSent: 99 });
    // The same stored events again, from the run id, limited to 50, with fresh identifiers.
    const again = await replay(storeFor('dur'), [first.report.runId, '--target', sink.url, '--protocol', 'stripe-v1', '--max', '--limit', '50', '--unique-ids']);
    await sink.close();
    expect(again.report.sourceRunId).toBe(first.report.runId);
    expect(again.report.input.kind).toBe('run');
    expect(again.report.totals).toMatchObject({ eventsInput: 50, eventsSent: 50, acknowledged: 50, rejected: 0 });
    const got = recorded(record);
    expect(got).toHaveLength(151);
    const suffixed = got.filter((id) => !log.ids.includes(id));
    expect(suffixed).toHaveLength(50);
    expect(new Set(suffixed.map((id) => id.replace(/-r[0-9a-f]{6}$/, '')))).toEqual(new Set(log.ids.slice(0, 50)));
    keep('dur', first.report, again.report);
  });

  it('refuses Stripe live-mode keys unless --allow-live, before sending anything', async () => {
    const log = writeLog('live', 10);
    const { sink } = await sinkWith('live', {});
    const env = { STRIPE_API_KEY: 'sk_live_abcdef123456' };
    const dataDir = storeFor('live');
    const refused = await runCli(['replay', log.file, '--target', sink.url, '--protocol', 'stripe-v1', '--data-dir', dataDir], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to replay with a Stripe live-mode key/);
    expect(refused.stderr).not.toContain('abcdef123456');
    const viaHeader = await runCli(
      ['replay', log.file, '--target', sink.url, '--protocol', 'metronome', '--header', 'Authorization: Bearer rk_live_zzz999', '--data-dir', dataDir],
      {},
    );
    expect(viaHeader.code).toBe(2);
    expect(viaHeader.stderr).toMatch(/live-mode/);
    expect(sink.stats().routes['stripe-v1'].requests + sink.stats().routes.metronome.requests).toBe(0);
    const allowed = await replay(dataDir, [log.file, '--target', sink.url, '--protocol', 'stripe-v1', '--max', '--allow-live'], env);
    expect(allowed.report.totals.acknowledged).toBe(10);
    expect(sink.events).toHaveLength(0); // keepEvents off; the record is the source of truth
    expect(sink.stats().routes['stripe-v1'].events_accepted).toBe(10);
  });
});

describe('stored replays', () => {
  it('`report <run-id>` re-renders a stored replay', async () => {
    const [report] = stored.get('v1')!;
    const r = await runCli(['report', report.runId, '--data-dir', storeFor('v1')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`meterscope replay · run ${report.runId}`);
    expect(r.stdout).toMatch(new RegExp(`acknowledged\\s+│\\s+${V1_EVENTS}`));
  });

  it('stores run, histograms, series and statuses that agree with the report (checked in SQL)', async () => {
    expect([...stored.keys()].sort()).toEqual(['dur', 'mx', 'rej', 'v1', 'v2']);
    await Promise.all(
      [...stored].map(async ([name, reports]) => {
        const results = await sqlBatch(storeFor(name), [...reports.flatMap((r) => storedQueries(r.runId)), leakQuery]);
        reports.forEach((r, i) => checkStored(r, results.slice(i * 5, i * 5 + 5)));
        // Secrets never reach the store.
        expect(Number(results.at(-1)![0].n), name).toBe(0);
      }),
    );
  });
});

/** What one replay stored: run, series, statuses, histograms, the p99 (five result sets, see checkStored). */
function storedQueries(runId: string): Query[] {
  const params = { run: runId };
  return [
    `SELECT acknowledged, rejected, failed, events_sent FROM replay_runs FINAL WHERE run_id = {run:String}`,
    `SELECT sum(events) AS events, sum(attempts) AS attempts, sum(acknowledged + rejected + failed) AS done FROM replay_series WHERE run_id = {run:String}`,
    `SELECT sumIf(requests, kind = 'attempt') AS attempts, sumIf(events, kind = 'outcome') AS events FROM replay_statuses WHERE run_id = {run:String}`,
    `SELECT metric, encoded, count FROM replay_histograms FINAL WHERE run_id = {run:String} ORDER BY metric`,
    `SELECT value_ms AS v FROM replay_percentiles WHERE run_id = {run:String} AND metric = 'latency' AND percentile = 99`,
  ].map((sql) => ({ sql, params }));
}

function checkStored(rep: ReplayReport, [[run], [series], [st], hist, [p]]: Record<string, any>[][]): void {
  expect(run, rep.runId).toBeDefined();
  expect(Number(run.acknowledged) + Number(run.rejected) + Number(run.failed)).toBe(Number(run.events_sent));
  expect(Number(run.acknowledged)).toBe(rep.totals.acknowledged);
  expect(Number(series.events)).toBe(rep.totals.eventsSent);
  expect(Number(series.done)).toBe(rep.totals.eventsSent);
  expect(Number(series.attempts)).toBe(rep.totals.attempts);
  expect(Number(st.attempts)).toBe(rep.totals.attempts);
  expect(Number(st.events)).toBe(rep.totals.eventsSent);
  const latency = hist.find((h) => h.metric === 'latency')!;
  expect(decodeHistogram(latency.encoded).totalCount).toBe(rep.totals.requests);
  expect(decodeHistogram(hist.find((h) => h.metric === 'service')!.encoded).totalCount).toBe(rep.totals.attempts);
  expect(p.v).toBeCloseTo(rep.latency.p99Ms, 1);
}

const leakQuery: Query = {
  sql: `SELECT (SELECT count() FROM runs WHERE position(options, {k:String}) > 0 OR position(summary, {k:String}) > 0)
          + (SELECT count() FROM reports WHERE position(model, {k:String}) > 0)
          + (SELECT count() FROM replay_runs WHERE position(settings, {k:String}) > 0 OR position(target, {k:String}) > 0)
          + (SELECT count() FROM runs WHERE position(options, 'mtok-secret') > 0) AS n`,
  params: { k: KEY },
};
