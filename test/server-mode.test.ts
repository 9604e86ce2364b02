/**
 * Server mode: the same inputs loaded through a ClickHouse server (HTTP client, streamed inserts)
 * and through the embedded engine (file() read in process) must give identical tables.
 * Runs against CLICKHOUSE_URL (+ CLICKHOUSE_USER/PASSWORD) when set, e.g. the docker-compose
 * server; otherwise against test/support/chdb-http-server.ts, a ClickHouse HTTP front over chDB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, openTestStore, rows, runCli, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import type { Store } from '../src/store/store.js';

const dir = tempDir();
const database = `meterscope_test_${process.pid}`;
let url = process.env.CLICKHOUSE_URL ?? '';
let user = process.env.CLICKHOUSE_USER ?? 'default';
let password = process.env.CLICKHOUSE_PASSWORD ?? '';
let shim: ChildProcess | undefined;
let server: ClickHouseClient;
let embedded: Store;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const files: Record<string, string | Buffer> = {
  'stripe.jsonl': [
    JSON.stringify({
      identifier: 'a1',
      timestamp: 1700000000,
      event_name: 'api_call',
      payload: { stripe_customer_id: 'cus_1', value: '5', region: 'eu', note: 'tab\there "quoted" \\ back' },
    }),
    '{"identifier":"a2","timestamp":1700000001,"event_name":"api_',
    JSON.stringify({ identifier: 'a3', timestamp: 1700000002.25, event_name: 'api_call', payload: { stripe_customer_id: 'cus_2', value: 7, nested: { x: [1, 2] } } }),
    JSON.stringify({ identifier: 'a4', timestamp: 'soon', event_name: 'api_call', payload: {} }),
  ].join('\n'),
  'v1.log': [
    '2024-05-01T10:00:00Z POST /v1/billing/meter_events event_name=api_call&identifier=f1&timestamp=1714557600&payload[stripe_customer_id]=cus_9&payload[value]=12&payload[region]=us%20east',
    'event_name=api_call&identifier=f2&payload%5Bstripe_customer_id%5D=cus_9&payload%5Bvalue%5D=1',
    'garbage line',
  ].join('\n'),
  'metronome.jsonl': [
    JSON.stringify([
      { transaction_id: 't1', customer_id: 'c1', event_type: 'gpu', timestamp: '2024-05-01T10:00:00.123Z', properties: { value: 3, model: 'x' } },
      { transaction_id: 't2', customer_id: 'c2', event_type: 'gpu', timestamp: '2024-05-01T10:00:01+02:00', properties: { value: 4 } },
    ]),
    JSON.stringify({ transaction_id: 't3', customer_id: 'c2', event_type: 'gpu', timestamp: 'not a time', properties: {} }),
  ].join('\n'),
  'events.csv': [
    'timestamp,event_name,identifier,stripe_customer_id,value,region',
    '2024-05-01T10:00:00Z,api_call,c1,cus_1,5,"eu, west"',
    '2024-05-01T10:00:01Z,api_call,c2,cus_2,,"say ""hi"""',
    '2024-05-01T10:00:02Z,api_call',
  ].join('\n'),
  // Bytes that Node's text decoding would change: a BOM, CRLF, invalid UTF-8, a NUL, a tab-only line.
  'hostile.jsonl': Buffer.concat([
    BOM,
    Buffer.from(`${JSON.stringify({ identifier: 'h1', timestamp: 1700000000, event_name: 'api_call', payload: { value: 1 } })}\r\n\t\r\n`),
    Buffer.from('{"identifier":"h2","timestamp":1700000001,"event_name":"api_call","payload":{"note":"'),
    Buffer.from([0xff, 0xc3]),
    Buffer.from('"}}\r\n{"identifier":"h3","timestamp":1700000002,"event_name":"api\u0000call","payload":{}}\r\n'),
    Buffer.from('{"identifier":"h4","timestamp":1700000003,"event_name":"api_call","payload":{}}'),
  ]),
  'multi.csv': ['timestamp,event_name,identifier,note', '2024-05-01T10:00:00Z,api_call,m1,"two', 'lines, ""quoted"""', '2024-05-01T10:00:01Z,api_call,m2,"open'].join(
    '\n',
  ),
  'requests.log': [
    'time=2024-05-01T10:00:02Z method=POST body="event_name=api_call&identifier=r1&payload[value]=2"',
    '10.0.0.1 - - [01/May/2024:10:00:03 +0200] "POST /v1/billing/meter_events HTTP/1.1" 200 data=event_name=api_call&identifier=r2',
  ].join('\n'),
};

beforeAll(async () => {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), Buffer.concat([Buffer.from(text), Buffer.from('\n')]));
  if (!url) {
    password = 'test-password';
    user = 'default';
    shim = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('shim-'), password], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    url = await new Promise<string>((resolve, reject) => {
      shim!.stdout!.on('data', (d) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      shim!.on('exit', (c) => reject(new Error(`shim exited ${c}`)));
    });
  }
  server = createClient({ url, username: user, password, database });
  embedded = await openTestStore();
});

afterAll(async () => {
  await server?.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => {});
  await server?.close();
  shim?.kill();
});

const EVENT_COLS = `event_time, event_name, customer, identifier, value, properties, basename(source) AS file, line, seq, format`;
const REJECT_COLS = `basename(source) AS file, line, seq, format, reason, raw`;

describe('server mode', () => {
  it('gives the same events and rejects as the embedded engine, format by format', async () => {
    const inputs = Object.keys(files).map((f) => path.join(dir, f));
    const r = await runCli(['profile', ...inputs, '--json', '--clickhouse', url, '--ch-user', user, '--ch-database', database], {
      env: { CLICKHOUSE_PASSWORD: password },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout).runId as string;

    await loadSources(embedded, 'emb', await resolveSources(inputs), { mapping: DEFAULT_MAPPING });
    const order = 'ORDER BY file, line, seq';
    const fromServer = await (
      await server.query({ query: `SELECT ${EVENT_COLS} FROM events WHERE run_id = {r:String} ${order}`, query_params: { r: runId }, format: 'JSONEachRow' })
    ).json();
    const fromEmbedded = await rows(embedded, `SELECT ${EVENT_COLS} FROM events WHERE run_id = 'emb' ${order}`);
    expect(fromServer).toEqual(fromEmbedded);
    expect(fromEmbedded.length).toBe(2 + 1 + 2 + 2 + 2 + 1 + 2); // stripe, v1 (one lacks a timestamp), metronome, csv, hostile, multi, requests

    const rejServer = await (
      await server.query({ query: `SELECT ${REJECT_COLS} FROM rejects WHERE run_id = {r:String} ${order}`, query_params: { r: runId }, format: 'JSONEachRow' })
    ).json();
    const rejEmbedded = await rows(embedded, `SELECT ${REJECT_COLS} FROM rejects WHERE run_id = 'emb' ${order}`);
    expect(rejServer).toEqual(rejEmbedded);
    expect((rejEmbedded as { file: string; line: string }[]).map((x) => `${x.file}:${x.line}`)).toEqual([
      'events.csv:4',
      'hostile.jsonl:3',
      'hostile.jsonl:4',
      'metronome.jsonl:2',
      'multi.csv:4',
      'stripe.jsonl:2',
      'stripe.jsonl:4',
      'v1.log:2',
      'v1.log:3',
    ]);
    expect((rejEmbedded as { reason: string }[]).slice(1, 3).map((x) => x.reason)).toEqual(['invalid UTF-8', 'invalid JSON']);
  });

  it('lists the run and never stores the password', async () => {
    const r = await runCli(['runs', '--json', '--clickhouse', url, '--ch-user', user, '--ch-database', database, '--ch-password', password]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(password);
    const dump = await (await server.query({ query: 'SELECT * FROM runs', format: 'JSONEachRow' })).text();
    expect(dump).not.toContain(password);
  });

  it('loads an input over 20 MiB (several insert batches) exactly as the embedded engine does', async () => {
    const big = path.join(tempDir(), 'big.jsonl');
    expect((await runCli(['generate', '-n', '90000', '--seed', '11', '--malformed-rate', '0.001', '-o', big, '--data-dir', tempDir()])).code).toBe(0);
    expect(fs.statSync(big).size).toBeGreaterThan(20 * 2 ** 20);
    const r = await runCli(['profile', big, '--json', '--clickhouse', url, '--ch-user', user, '--ch-database', database], { env: { CLICKHOUSE_PASSWORD: password } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout).runId as string;
    await loadSources(embedded, 'emb-big', await resolveSources([big]), { mapping: DEFAULT_MAPPING });
    // Whole tables compared by digest: 90,000 rows each way.
    const digest = (table: string, cols: string) => `SELECT count() AS n, sum(cityHash64(${cols})) AS h FROM ${table} WHERE run_id = {r:String}`;
    for (const [table, cols] of [
      ['events', EVENT_COLS.replace(/basename\(source\) AS file/, 'basename(source)')],
      ['rejects', REJECT_COLS.replace(/basename\(source\) AS file/, 'basename(source)')],
    ] as const) {
      const [s1] = await (await server.query({ query: digest(table, cols), query_params: { r: runId }, format: 'JSONEachRow' })).json<{ n: string; h: string }>();
      const [e1] = await rows<{ n: string; h: string }>(embedded, digest(table, cols), { r: 'emb-big' });
      expect(s1, table).toEqual(e1);
    }
    const lines = fs.readFileSync(big, 'utf8').trimEnd().split('\n').length;
    const [c] = await rows<{ n: string }>(
      embedded,
      `SELECT (SELECT count() FROM events WHERE run_id = 'emb-big') + (SELECT count() FROM rejects WHERE run_id = 'emb-big') AS n`,
    );
    expect(Number(c.n)).toBe(lines);
  });

  it('Ctrl-C during the streamed insert: the run is marked interrupted, nothing of it stays, exit 130', async () => {
    const input = path.join(tempDir(), 'ctrl-c.jsonl');
    expect((await runCli(['generate', '-n', '60000', '--seed', '8', '-o', input, '--data-dir', tempDir()])).code).toBe(0);
    const lines = fs.readFileSync(input, 'utf8');
    const child = spawn(process.execPath, [CLI, 'profile', '-', '--clickhouse', url, '--ch-user', user, '--ch-database', database], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CLICKHOUSE_PASSWORD: password, METERSCOPE_DEBUG: 'sql' },
    });
    child.stdin!.on('error', () => {});
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Half the input, and the stdin left open: the insert into the staging table is then mid-body.
    child.stdin!.write(lines.slice(0, lines.length / 2));
    await waitFor(() => /CREATE TABLE staging_/.test(stderr));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    const said = stderr.split('\n').filter((l) => l.startsWith('meterscope:'));
    expect(said).toHaveLength(1);
    const runId = /^meterscope: interrupted \(SIGINT\): run (\S+) marked interrupted; its partial rows were deleted$/.exec(said[0])?.[1];
    expect(runId, said[0]).toBeDefined();
    const one = async (query: string) => (await (await server.query({ query, query_params: { r: runId }, format: 'JSONEachRow' })).json<Record<string, string>>())[0];
    expect(await one('SELECT status FROM runs FINAL WHERE run_id = {r:String}')).toEqual({ status: 'interrupted' });
    const left = await one('SELECT (SELECT count() FROM events WHERE run_id = {r:String}) + (SELECT count() FROM rejects WHERE run_id = {r:String}) AS n');
    expect(Number(left.n)).toBe(0);
    const staging = await one(`SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name LIKE 'staging%'`);
    expect(Number(staging.n)).toBe(0);
  });
});

async function waitFor(cond: () => boolean, maxMs = 60_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 25) {
    if (waited > maxMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('sql and runs rm against a server', () => {
  const flags = () => ['--clickhouse', url, '--ch-user', user, '--ch-database', database];
  const env = () => ({ CLICKHOUSE_PASSWORD: password });
  const serverRows = async <T>(query: string, params: Record<string, unknown> = {}) =>
    (await (await server.query({ query, query_params: params, format: 'JSONEachRow' })).json()) as T[];

  it('runs queries in every format, a script from stdin, and reports a syntax error in one line', async () => {
    const [{ run_id: runId }] = await serverRows<{ run_id: string }>(`SELECT run_id FROM runs FINAL WHERE command = 'profile' ORDER BY started_at ASC LIMIT 1`);
    const q = `SELECT format, count() AS n FROM events WHERE run_id = '${runId}' GROUP BY format ORDER BY format`;
    const expected = await serverRows<{ format: string; n: string }>(q);
    expect(expected.length).toBe(4);
    const json = await runCli(['sql', q, '--format', 'json', ...flags()], { env: env() });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual(expected.map((r) => ({ format: r.format, n: Number(r.n) })));
    const csv = await runCli(['sql', q, '--format', 'csv', ...flags()], { env: env() });
    expect(csv.stdout).toBe(`"format","n"\n${expected.map((r) => `"${r.format}",${r.n}`).join('\n')}\n`);
    const pretty = await runCli(['sql', q, ...flags()], { env: env() });
    for (const r of expected) expect(pretty.stdout).toMatch(new RegExp(`│ ${r.format}\\s+│\\s+${r.n} │`));

    const script = `CREATE TABLE scratch_s (k String) ENGINE = MergeTree ORDER BY k; INSERT INTO scratch_s VALUES ('a;b'), ('c');\nSELECT k FROM scratch_s ORDER BY k; DROP TABLE scratch_s;`;
    const scripted = await runCli(['sql', '--format', 'tsv', ...flags()], { env: env(), stdin: script });
    expect([scripted.stderr, scripted.stdout]).toEqual(['', 'k\na;b\nc\n']);

    const bad = await runCli(['sql', 'SELEC 1', ...flags()], { env: env() });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^meterscope: ClickHouse error: Syntax error: failed at position 7[^\n]*\n$/);
  });

  it('runs rm deletes the run from every table of the server database', async () => {
    const r = await runCli(['profile', path.join(dir, 'stripe.jsonl'), '--json', ...flags()], { env: env() });
    const runId = JSON.parse(r.stdout).runId as string;
    const tables = (
      await serverRows<{ table: string }>(`SELECT DISTINCT table FROM system.columns WHERE database = {db:String} AND name = 'run_id' AND table NOT LIKE 'ingest_%'`, {
        db: database,
      })
    ).map((t) => t.table);
    const count = async () => {
      let n = 0;
      for (const t of tables) n += Number((await serverRows<{ n: string }>(`SELECT count() AS n FROM ${t} WHERE run_id = {id:String}`, { id: runId }))[0].n);
      return n;
    };
    expect(await count()).toBeGreaterThan(5);
    const rm = await runCli(['runs', 'rm', runId, ...flags()], { env: env() });
    expect(rm.stderr).toBe('');
    expect(rm.stdout).toMatch(/removed 1 run: \d+ rows from \d+ tables\nthe server frees the disk space itself, in the background/);
    expect(await count()).toBe(0);
    const listed = await runCli(['runs', '--json', ...flags()], { env: env() });
    expect((JSON.parse(listed.stdout) as { run_id: string }[]).map((x) => x.run_id)).not.toContain(runId);
  });
});
