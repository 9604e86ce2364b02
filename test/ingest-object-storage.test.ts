/**
 * Inputs read by the engine itself: s3:// objects from s3rver (an S3 API emulator on loopback) and
 * http:// URLs from a loopback file server must give the same events, rejects and report as the
 * same files read from local disk, with each object's own name and line numbers; credentials never
 * show up in output or stored rows; a server reads the objects itself (no event bytes sent to it).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { ChildProcess } from 'node:child_process';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sqlBatch, tempDir, type CliResult } from './support/helpers.js';
import { startHttpFront } from './support/http-front.js';
import { S3RVER_KEY_ID, startFileServer, startObjectStore, startRecordingProxy, type ObjectStore } from './support/object-store.js';

const SECRET = 'S3cret-Access/Key+ForObjectStorageTest';
const URL_TOKEN = 'UrlT0ken-SecretValue-987';
const local = tempDir('objects-local-');
const dataDir = tempDir('objects-store-');
const FILES = { 'part-00.jsonl': 20_000, 'part-01.jsonl.gz': 20_000, 'part-02.jsonl.zst': 10_000 };
const keys = { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET };
let s3: ObjectStore;
let web: Awaited<ReturnType<typeof startFileServer>>;
const outputs: CliResult[] = [];

async function cli(args: string[], env: NodeJS.ProcessEnv = keys): Promise<CliResult> {
  const r = await runCli(args, { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', ...env }, timeoutMs: 240_000 });
  outputs.push(r);
  return r;
}

/** `profile --json` of `inputs` into the shared data dir: the report. */
async function profile(inputs: string[], extra: string[] = [], env: NodeJS.ProcessEnv = keys): Promise<Record<string, any>> {
  const r = await cli(['profile', ...inputs, '--json', '--data-dir', dataDir, ...extra], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  let seed = 1;
  for (const [name, n] of Object.entries(FILES)) {
    const r = await runCli(['generate', '-n', String(n), '--seed', String(seed++), '-o', path.join(local, name)]);
    expect(r.code).toBe(0);
  }
  // A byte order mark on the first object's line 1, a CRLF line and two broken lines at its end.
  const first = path.join(local, 'part-00.jsonl');
  fs.writeFileSync(first, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(first), Buffer.from('{"broken\r\nnot json\n')]));
  s3 = await startObjectStore(['exports']);
  for (const name of Object.keys(FILES)) await s3.put('exports', `logs/${name}`, fs.readFileSync(path.join(local, name)));
  await s3.put('exports', 'other/readme.txt', 'not an export\n');
  // Compressed, with nothing in its name saying so: told by its first bytes.
  await s3.put('exports', 'raw/noext', zlib.gzipSync(fs.readFileSync(path.join(local, 'part-00.jsonl'))));
  web = await startFileServer(local);
}, 240_000);

afterAll(async () => {
  await s3?.close();
  web?.close();
});

const normalized = (report: Record<string, any>, prefix: string) =>
  JSON.parse(JSON.stringify(report).split(prefix).join(`${local}/`), (k, v) =>
    ['runId', 'generatedAt', 'store', 'seconds', 'computeSeconds'].includes(k) ? undefined : v,
  );

// An object's file name, its URL's query (a masked token) left out.
const FILE = "replaceRegexpOne(basename(source), '[?].*', '') AS file";
const EVENT_COLS = `${FILE}, line, seq, format, event_time, event_name, customer, identifier, value, properties`;
const REJECT_COLS = `${FILE}, line, seq, format, reason, raw`;
const byRun = (cols: string, table: string, run: string) => ({
  sql: `SELECT ${cols} FROM ${table} WHERE run_id = {r:String} ORDER BY file, line, seq`,
  params: { r: run },
});

describe('object storage and URL inputs', () => {
  let localReport: Record<string, any>;
  let s3Report: Record<string, any>;
  let urlReport: Record<string, any>;

  it('profiles an s3:// pattern of gz, zst and plain objects exactly as the same files read locally (50k events)', async () => {
    localReport = await profile(Object.keys(FILES).map((f) => path.join(local, f)));
    s3Report = await profile(['s3://exports/logs/part-*'], ['--s3-endpoint', s3.endpoint]);
    expect(s3Report.sources.map((s: { source: string }) => s.source)).toEqual(Object.keys(FILES).map((f) => `s3://exports/logs/${f}`));
    expect(s3Report.sources.map((s: { events: number }) => s.events)).toEqual(Object.values(FILES));
    expect(s3Report.events.total).toBe(50_000);
    expect(normalized(s3Report, 's3://exports/logs/')).toEqual(normalized(localReport, `${local}/`));
  }, 240_000);

  it('--sample-by object reads only the objects whose name hash falls in the sample', async () => {
    const names = Object.keys(FILES).map((f) => `s3://exports/logs/${f}`);
    const [hashes] = await sqlBatch(dataDir, [
      { sql: 'SELECT n, cityHash64(n) % 10000 AS h FROM (SELECT arrayJoin({names:Array(String)}) AS n) ORDER BY h', params: { names } },
    ]);
    // A percentage that keeps exactly the two objects with the lowest hashes.
    const buckets = Number(hashes[1].h) + 1;
    const kept = hashes.slice(0, 2).map((r) => r.n as string);
    const report = await profile(['s3://exports/logs/part-*'], ['--s3-endpoint', s3.endpoint, '--sample', `${buckets / 100}%`, '--sample-by', 'object']);
    expect(report.sources.map((x: { source: string }) => x.source)).toEqual(names.filter((n) => kept.includes(n)));
    const [read] = await sqlBatch(dataDir, [{ sql: 'SELECT DISTINCT source FROM events WHERE run_id = {r:String} ORDER BY source', params: { r: report.runId } }]);
    expect(read.map((r) => r.source)).toEqual([...kept].sort());
    const want = Object.entries(FILES).reduce((n, [f, c]) => n + (kept.includes(`s3://exports/logs/${f}`) ? c : 0), 0);
    expect(report.events.total).toBe(want);
  }, 240_000);

  it('reads http:// URLs (a {a,b} pattern, a signed query) with url(), each object under its URL', async () => {
    const names = Object.keys(FILES);
    urlReport = await profile([`${web.url}/files/{${names.slice(0, 2).join(',')}}`, `${web.url}/files/${names[2]}?token=${URL_TOKEN}`]);
    expect(urlReport.sources.map((s: { source: string }) => s.source)).toEqual([
      `${web.url}/files/${names[0]}`,
      `${web.url}/files/${names[1]}`,
      `${web.url}/files/${names[2]}?token=***`,
    ]);
    expect(web.requests.some((r) => r.includes(URL_TOKEN))).toBe(true); // the engine was given the real URL
    // The masked token, also as Markdown-escaped in the answers' evidence.
    const report = JSON.parse(JSON.stringify(urlReport).replace(/\?token=(?:\\\\)?\*(?:\\\\)?\*(?:\\\\)?\*/g, ''));
    expect(normalized(report, `${web.url}/files/`)).toEqual(normalized(localReport, `${local}/`));
  }, 240_000);

  it('stores every event and reject with its object and its line in that object, as local files are stored', async () => {
    // Per file: the row count, the line range and the sum of every row's hash (each row is unique by
    // its line and index, so equal sums mean the same rows, field for field).
    const perFile = (run: string) => ({
      sql: `SELECT file, count() AS n, min(line) AS first, max(line) AS last,
          toString(sum(cityHash64(line, seq, format, event_time, event_name, customer, identifier, value, toString(properties)))) AS rows
        FROM (SELECT ${EVENT_COLS} FROM events WHERE run_id = {r:String}) GROUP BY file ORDER BY file`,
      params: { r: run },
    });
    const [le, se, ue, lr, sr, ur, sources] = await sqlBatch(dataDir, [
      perFile(localReport.runId),
      perFile(s3Report.runId),
      perFile(urlReport.runId),
      byRun(REJECT_COLS, 'rejects', localReport.runId),
      byRun(REJECT_COLS, 'rejects', s3Report.runId),
      byRun(REJECT_COLS, 'rejects', urlReport.runId),
      { sql: 'SELECT DISTINCT source FROM events WHERE run_id = {r:String} ORDER BY source', params: { r: s3Report.runId } },
    ]);
    // Independent of both paths: the generated lines, then the two broken ones (CR and BOM removed).
    expect(le.map((r) => [r.file, Number(r.n), Number(r.first), Number(r.last)])).toEqual(Object.entries(FILES).map(([f, n]) => [f, n, 1, n]));
    expect(se).toEqual(le);
    expect(ue).toEqual(le);
    expect(lr.map((r) => `${r.file}:${r.line}:${r.raw}`)).toEqual(['part-00.jsonl:20001:{"broken', 'part-00.jsonl:20002:not json']);
    expect(sr).toEqual(lr);
    expect(ur).toEqual(lr);
    expect(sources.map((r) => r.source)).toEqual(Object.keys(FILES).map((f) => `s3://exports/logs/${f}`));
  }, 240_000);

  it("expands the engine's patterns ({00..01}, **), tells compression from an object's first bytes, reads unsigned", async () => {
    // No keys at all: --s3-no-sign sends unsigned requests (s3rver, like a public bucket, serves them).
    const args = ['s3://exports/logs/part-{00..01}*', 's3://exports/**.zst', 's3://exports/raw/noext'];
    const report = await profile(args, ['--s3-endpoint', s3.endpoint, '--s3-no-sign'], {});
    expect(report.sources.map((s: { source: string; events: number }) => `${s.source} ${s.events}`)).toEqual([
      's3://exports/logs/part-00.jsonl 20000',
      's3://exports/logs/part-01.jsonl.gz 20000',
      's3://exports/logs/part-02.jsonl.zst 10000',
      's3://exports/raw/noext 20000',
    ]);
  }, 240_000);

  it('reads CSV objects one by one (records span lines, every object has its header) as local CSV files are read', async () => {
    const csv = (id: string) =>
      [
        'timestamp,event_name,identifier,stripe_customer_id,value,note',
        `2024-05-01T10:00:00Z,api_call,${id}1,cus_1,5,"two`,
        'lines"',
        `2024-05-01T10:00:01Z,api_call,${id}2,cus_2,3,plain`,
        'broken,row',
      ].join('\n');
    const dir = tempDir('objects-csv-');
    for (const name of ['a.csv', 'b.csv']) {
      fs.writeFileSync(path.join(dir, name), `${csv(name[0])}\n`);
      await s3.put('exports', `csv/${name}`, `${csv(name[0])}\n`);
    }
    const fromLocal = await profile([path.join(dir, '*.csv')]);
    const fromS3 = await profile(['s3://exports/csv/*.csv'], ['--s3-endpoint', s3.endpoint]);
    const [le, se, lr, sr] = await sqlBatch(dataDir, [
      byRun(EVENT_COLS, 'events', fromLocal.runId),
      byRun(EVENT_COLS, 'events', fromS3.runId),
      byRun(REJECT_COLS, 'rejects', fromLocal.runId),
      byRun(REJECT_COLS, 'rejects', fromS3.runId),
    ]);
    expect(le.map((r) => `${r.file}:${r.line}:${r.identifier}`)).toEqual(['a.csv:2:a1', 'a.csv:4:a2', 'b.csv:2:b1', 'b.csv:4:b2']);
    expect(se).toEqual(le);
    expect(lr.map((r) => `${r.file}:${r.line}`)).toEqual(['a.csv:5', 'b.csv:5']);
    expect(sr).toEqual(lr);
  }, 240_000);

  it('says in one sentence when a pattern matches nothing, a bucket is missing or the key is wrong', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['s3://exports/nothing/*.jsonl'], keys, /^meterscope: s3:\/\/exports\/nothing\/\*\.jsonl: no object matches this pattern\n$/],
      [['s3://exports/logs/absent.jsonl'], keys, /^meterscope: s3:\/\/exports\/logs\/absent\.jsonl: no such object\n$/],
      [['s3://nobucket/x/*.jsonl'], keys, /^meterscope: s3:\/\/nobucket\/x\/\*\.jsonl: no such bucket\n$/],
      [['s3://exports/logs/*'], { ...keys, AWS_ACCESS_KEY_ID: 'WRONGKEY' }, /^meterscope: s3:\/\/exports\/logs\/\*: access denied \(check AWS_ACCESS_KEY_ID[^\n]*\n$/],
      [['s3://b/x.jsonl'], keys, /^meterscope: s3:\/\/b\/x\.jsonl: "b" is not a bucket name[^\n]*\n$/],
    ];
    for (const [inputs, env, sentence] of cases) {
      const r = await cli(['profile', ...inputs, '--data-dir', dataDir, '--s3-endpoint', s3.endpoint], env);
      expect(r.stderr).toMatch(sentence);
      expect([r.code, r.stdout]).toEqual([2, '']);
    }
    for (const command of [['tail'], ['replay', '--target', 'http://127.0.0.1:9', '--protocol', 'raw']]) {
      const r = await cli([...command, 's3://exports/logs/part-00.jsonl', '--data-dir', dataDir]);
      expect(r.stderr).toMatch(new RegExp(`^meterscope: s3://exports/logs/part-00.jsonl: ${command[0]} reads local files and stdin only; [^\\n]*\\n$`));
      expect(r.code).toBe(2);
    }
  }, 240_000);

  it('never shows or stores the secret key or a signed URL token', async () => {
    // The SQL trace prints each statement's opening text, credentials included before scrubbing.
    const traced = await cli(['profile', 's3://exports/logs/part-02*', '--data-dir', dataDir, '--s3-endpoint', s3.endpoint, '--json'], {
      ...keys,
      METERSCOPE_DEBUG: 'sql',
    });
    expect(traced.code).toBe(0);
    expect(traced.stderr).toContain("s3({p0:String}, 'S3RVER', '***'");
    outputs.push(await cli(['runs', '--data-dir', dataDir]));
    const [tables] = await sqlBatch(dataDir, [
      { sql: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('Null', 'MaterializedView', 'View')", params: {} },
    ]);
    const dumps = await sqlBatch(
      dataDir,
      tables.map((t) => ({ sql: `SELECT * FROM ${t.name}`, params: {} })),
    );
    const places = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...dumps.map((d) => JSON.stringify(d))];
    for (const secret of [SECRET, encodeURIComponent(SECRET), URL_TOKEN]) expect(places.filter((p) => p.includes(secret))).toEqual([]);
    expect(JSON.stringify(dumps)).toContain('s3://exports/logs/part-02.jsonl.zst');
  }, 240_000);
});

describe('object storage in server mode', () => {
  let front: ChildProcess | undefined;
  afterAll(() => front?.kill());

  it('has the server read the objects itself: no event bytes and no secret in what the client sends', async () => {
    const password = 'front-password';
    const started = await startHttpFront(password);
    front = started.process;
    const frontUrl = started.url;
    const proxy = await startRecordingProxy(frontUrl);
    try {
      const database = 'objects_test';
      const r = await cli(['profile', 's3://exports/logs/part-0{1,2}*', '--json', '--clickhouse', proxy.url, '--ch-database', database, '--s3-endpoint', s3.endpoint], {
        ...keys,
        CLICKHOUSE_PASSWORD: password,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.sources.map((s: { events: number }) => s.events)).toEqual([20_000, 10_000]);
      const client = createClient({ url: frontUrl, password, database });
      const fromServer = await (
        await client.query({
          query: `SELECT ${EVENT_COLS} FROM events WHERE run_id = {r:String} ORDER BY file, line, seq`,
          query_params: { r: report.runId },
          format: 'JSONEachRow',
        })
      ).json();
      await client.close();
      const [fromLocal] = await sqlBatch(dataDir, [
        { sql: `SELECT ${EVENT_COLS} FROM events WHERE run_id = {r:String} AND file != 'part-00.jsonl' ORDER BY file, line, seq`, params: { r: localReport() } },
      ]);
      expect(fromServer).toEqual(fromLocal);
      // What the client sent: statements and small rows (runs, sources, the report), never the input.
      const sent = proxy.bodies.reduce((n, b) => n + b.body.length, 0);
      const input = fs.statSync(path.join(local, 'part-01.jsonl.gz')).size + fs.statSync(path.join(local, 'part-02.jsonl.zst')).size;
      expect(sent).toBeLessThan(input / 2);
      const aLine = zlib
        .gunzipSync(fs.readFileSync(path.join(local, 'part-01.jsonl.gz')))
        .toString()
        .split('\n')[1000];
      expect(proxy.bodies.filter((b) => b.body.includes(aLine))).toEqual([]);
      // The secret travels in statement bodies only, never in a request URL (proxies log those).
      expect(proxy.bodies.some((b) => b.body.includes(SECRET))).toBe(true);
      expect(proxy.bodies.filter((b) => decodeURIComponent(b.url).includes(SECRET))).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 300_000);
});

/** The run id of the local profile (the first profile of the shared data dir). */
function localReport(): string {
  const first = outputs.find((o) => o.stdout.startsWith('{'));
  return JSON.parse(first!.stdout).runId as string;
}
