/**
 * A 200 from stripe-v2-stream or Metronome means "received": the API validates afterwards. Replays
 * into the sink (in this process) show the sink's own count next to the replay's — accepted, dropped
 * as duplicate, invalid — exactly as the log was built, in the JSON model and in every renderer;
 * and `--protocol raw` has a route on the sink. Needs `npm run build` first.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../src/sink/server.js';
import type { ReplayReport } from '../src/replay/model.js';
import { runCli, tempDir } from './support/helpers.js';

const KEY = 'sk_test_counts42';
const dir = tempDir('meterscope-replay-counts-');
const dataDir = path.join(dir, 'store');
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

/**
 * n Stripe events of the last hour: every 10th reuses the identifier of the event 5 before it (a
 * duplicate), every 50th from the 3rd on has no customer (invalid for the meter). Disjoint by construction.
 */
function writeLog(name: string, n: number): { file: string; duplicates: number; invalid: number; uniqueValid: Set<string> } {
  const start = Math.floor(Date.now() / 1000) - 3600;
  const lines: string[] = [];
  let duplicates = 0;
  let invalid = 0;
  const uniqueValid = new Set<string>();
  for (let i = 0; i < n; i++) {
    const duplicate = i % 10 === 9;
    const noCustomer = i % 50 === 3;
    const identifier = `${name}-${duplicate ? i - 5 : i}`;
    const payload: Record<string, string> = { value: String((i % 4) + 1) };
    if (!noCustomer) payload.stripe_customer_id = `cus_${i % 17}`;
    lines.push(JSON.stringify({ identifier, timestamp: start + Math.floor(i / 4), event_name: 'api_call', payload }));
    if (duplicate) duplicates++;
    else if (noCustomer) invalid++;
    else uniqueValid.add(identifier);
  }
  const file = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, duplicates, invalid, uniqueValid };
}

async function sink(name: string): Promise<{ sink: Sink; record: string }> {
  const record = path.join(dir, `${name}.record.jsonl`);
  const s = await startSink({ port: 0, record });
  closers.push(() => s.close());
  return { sink: s, record };
}

async function replay(args: string[]): Promise<ReplayReport> {
  const r = await runCli(['replay', ...args, '--data-dir', dataDir, '--json'], { env: { STRIPE_API_KEY: KEY } });
  if (r.code !== 0) throw new Error(`replay exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReplayReport;
}

async function rendered(runId: string, format: 'text' | 'md' | 'html'): Promise<string> {
  const r = await runCli(['report', runId, '--format', format, '--data-dir', dataDir]);
  expect(r.stderr).toBe('');
  return r.stdout;
}

const recordedIds = (record: string) =>
  fs
    .readFileSync(record, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { transaction_id: string; api: string });

describe('received vs what the sink kept', () => {
  it('stripe-v2-stream: 1,000 received, the sink accepted 880, dropped 100 duplicates and 20 invalid', async () => {
    const log = writeLog('v2dup', 1000);
    expect([log.duplicates, log.invalid, log.uniqueValid.size]).toEqual([100, 20, 880]);
    const { sink: s, record } = await sink('v2dup');
    const report = await replay([log.file, '--target', s.url, '--protocol', 'stripe-v2-stream', '--max', '--connections', '4']);
    await s.close();
    expect(report.totals).toMatchObject({ eventsSent: 1000, acknowledged: 1000, rejected: 0, failed: 0, requests: 10 });
    expect(report.validatedLater).toBe(true);
    expect(report.sink).toEqual({ statsUrl: `${s.url}/_sink/stats`, route: 'stripe-v2-stream', requests: 10, accepted: 880, duplicate: 100, invalid: 20 });
    // The sink's own record agrees: each valid identifier once.
    const got = recordedIds(record).map((e) => e.transaction_id);
    expect(got).toHaveLength(880);
    expect(new Set(got)).toEqual(log.uniqueValid);
    expect(report.notes).toContain(
      'stripe-v2-stream answers 200 before validating: the sink accepted 880 of the 1,000 events it received and dropped 100 as duplicates and 20 as invalid',
    );

    const text = await rendered(report.runId, 'text');
    expect(text).toMatch(/│ received \(validated later\)\s+│\s+1,000 │\s+100%/);
    expect(text).toContain('Counted by the target (meterscope sink, /_sink/stats over this replay)');
    expect(text).toMatch(/│ accepted by the sink\s+│\s+880 │/);
    expect(text).toMatch(/│ dropped as duplicate\s+│\s+100 │/);
    expect(text).toMatch(/│ dropped as invalid\s+│\s+20 │/);
    expect(text).not.toMatch(/│ acknowledged\s/);
    const md = await rendered(report.runId, 'md');
    expect(md).toContain('| input | sent | received (validated later) | rejected |');
    expect(md).toMatch(/\| accepted by the sink \| 880 \|\n\| dropped as duplicate \| 100 \|\n\| dropped as invalid \| 20 \|/);
    const page = await rendered(report.runId, 'html');
    expect(page).toContain('✔ received + rejected + failed = sent');
    expect(page).toMatch(/<td>accepted by the sink<\/td><td class="num" data-sort="880">880<\/td>/);
  });

  it('stripe-v1 validates before answering: duplicates and invalid events are rejected, and the sink counts them as refused', async () => {
    const log = writeLog('v1dup', 200);
    const { sink: s } = await sink('v1dup');
    const report = await replay([log.file, '--target', s.url, '--protocol', 'stripe-v1', '--max', '--connections', '4']);
    await s.close();
    expect(report.validatedLater).toBe(false);
    expect(report.totals).toMatchObject({ eventsSent: 200, acknowledged: 176, rejected: 24 });
    expect(report.sink).toMatchObject({ route: 'stripe-v1', requests: 200, accepted: 176, duplicate: 20, invalid: 4 });
    const text = await rendered(report.runId, 'text');
    expect(text).toMatch(/│ acknowledged\s+│\s+176 │/);
    expect(text).toMatch(/│ refused as duplicate\s+│\s+20 │/);
  });
});

describe('replay --protocol raw into the sink', () => {
  it('POST /raw takes the NDJSON batches: every event counted and recorded', async () => {
    const log = writeLog('raw', 300);
    const { sink: s, record } = await sink('raw');
    const report = await replay([log.file, '--target', `${s.url}/raw`, '--protocol', 'raw', '--batch', '50', '--max']);
    await s.close();
    expect(report.totals).toMatchObject({ eventsSent: 300, acknowledged: 300, rejected: 0, failed: 0, requests: 6 });
    expect(report.validatedLater).toBe(false);
    expect(report.sink).toMatchObject({ route: 'raw', requests: 6, accepted: 300, duplicate: 0, invalid: 0 });
    const rec = recordedIds(record);
    expect(rec).toHaveLength(300);
    expect(new Set(rec.map((e) => e.api))).toEqual(new Set(['raw']));
    // Raw keeps every event, duplicates included: 270 distinct identifiers.
    expect(new Set(rec.map((e) => e.transaction_id)).size).toBe(270);
    expect(s.stats().routes.raw.by_status).toEqual({ 200: 6 });
  });

  it('counts lines that are not JSON objects as invalid, still answering 200', async () => {
    const { sink: s } = await sink('raw-text');
    const res = await fetch(`${s.url}/raw`, {
      method: 'POST',
      body: '{"identifier":"x1","event_name":"e","customer":"c","timestamp":"2024-01-01T00:00:00Z"}\nnot json\n[1]\n',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 3, accepted: 1, invalid: 2 });
    expect(s.stats().routes.raw).toMatchObject({ events_accepted: 1, events_invalid: 2 });
  });

  it('a target that is no meterscope sink gets no sink counts', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const log = writeLog('plain', 20);
    const report = await replay([log.file, '--target', url, '--protocol', 'raw', '--max']);
    expect(report.totals.acknowledged).toBe(20);
    expect(report.sink).toBeNull();
  });
});
