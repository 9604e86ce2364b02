/**
 * No secret leaks: every command runs with each kind of secret (ClickHouse password, Stripe key by
 * flag and by env, Metronome token, header value, sink key), against endpoints that echo what they
 * receive, and stdout, stderr, every stored table and every report format are searched for every
 * encoding of every secret (plain, URL-encoded, base64, base64 of user:password).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir, type CliResult } from './support/helpers.js';
import { openStore } from '../src/store/open.js';
import { Runs } from '../src/store/runs.js';
import { loadStoredReport } from '../src/jobs/stored-report.js';
import { REPORT_FORMATS, renderReport } from '../src/report/index.js';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe.js';
import { METERS, RECEIVED, logLines } from './support/stripe-fixture.js';

const SECRETS = {
  chPassword: 'ch-Pa55/w0rd+suite',
  stripeKey: 'sk_test_51SecretSuiteKey0123456789',
  metronomeToken: 'mtok-SecretSuite-0123456789',
  header: 'hdr-SecretSuite-Value-42',
  sinkKey: 'sk_test_51SinkSecretKey9876543210',
} as const;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ENCODINGS: [string, (s: string) => string[]][] = [
  ['plain', (s) => [s]],
  ['url-encoded', (s) => [encodeURIComponent(s)]],
  ['base64', (s) => [b64(s).replace(/=+$/, '')]],
  ['basic-auth', (s) => [b64(`default:${s}`).replace(/=+$/, '')]],
];

interface Place {
  what: string;
  text: string;
}
const places: Place[] = [];
const record = (what: string, r: CliResult) => places.push({ what: `${what} stdout`, text: r.stdout }, { what: `${what} stderr`, text: r.stderr });

/** Every (place, secret, encoding) where a secret shows up. */
function hits(): string[] {
  const found: string[] = [];
  for (const p of places)
    for (const [name, secret] of Object.entries(SECRETS))
      for (const [enc, forms] of ENCODINGS) for (const f of forms(secret)) if (p.text.includes(f)) found.push(`${name} (${enc}) in ${p.what}`);
  return found;
}

/** An endpoint that answers 400 with everything it received: headers, URL and body. */
function startEcho(): Promise<{ url: string; close: () => void }> {
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `echo ${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body.slice(0, 500)}` } }));
    });
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => srv.close() })));
}

function startFront(password: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('shim-'), password],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, child });
    });
    child.on('exit', (c) => reject(new Error(`front exited ${c}`)));
  });
}

describe('secrets never leak', () => {
  const dataDir = tempDir();
  const log = path.join(tempDir(), 'meter-events.jsonl');
  let fake: FakeStripe;
  let echo: { url: string; close: () => void };
  let front: { url: string; child: ChildProcess };
  // Every command but those that open no store gets this run's data directory.
  const cli = (what: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(what === 'stripe meters' || args.includes('--clickhouse') ? args : [...args, '--data-dir', dataDir], { env }).then((r) => {
      record(what, r);
      return r;
    });
  const commands = new Set<string>();

  beforeAll(async () => {
    fs.writeFileSync(log, logLines());
    fake = await startFakeStripe({ meters: METERS, events: RECEIVED, keys: [SECRETS.stripeKey] });
    echo = await startEcho();
    front = await startFront(SECRETS.chPassword);
  });
  afterAll(() => {
    fake?.close();
    echo?.close();
    front?.child.kill();
  });

  // Some thirty CLI runs one after another: minutes on a loaded machine.
  it('runs every command with every kind of secret and finds none of them anywhere', { timeout: 300_000 }, async () => {
    const stripe = ['--api-key', SECRETS.stripeKey, '--stripe-base-url', fake.url];
    const p = await cli('profile --stripe', ['profile', log, '--stripe', ...stripe, '--json']);
    expect(p.code).toBe(0);
    const runId = JSON.parse(p.stdout).runId as string;
    for (const [what, args] of [
      ['stripe meters', ['stripe', 'meters', ...stripe]],
      ['stripe check', ['stripe', 'check', runId, ...stripe]],
      ['stripe reconcile', ['stripe', 'reconcile', runId, '--window', 'hour', ...stripe, '--json']],
    ] as const) {
      expect((await cli(what, [...args])).code, what).toBe(0);
      commands.add(what);
    }
    commands.add('profile');

    // Replays into an endpoint that echoes every header and body back as the error message.
    const header = ['--header', `X-Api-Key: ${SECRETS.header}`];
    const r1 = await cli('replay stripe-v1', ['replay', runId, '--target', echo.url, '--protocol', 'stripe-v1', '--max', '--retries', '0', ...header, '--json'], {
      STRIPE_API_KEY: SECRETS.stripeKey,
    });
    expect(r1.code).toBe(0);
    expect(JSON.parse(r1.stdout).totals.rejected).toBeGreaterThan(0); // every event came back as an echo
    const r2 = await cli('replay metronome', ['replay', runId, '--target', echo.url, '--protocol', 'metronome', '--max', '--retries', '0', ...header], {
      METRONOME_API_TOKEN: SECRETS.metronomeToken,
    });
    expect(r2.code).toBe(0);
    commands.add('replay');

    // The sink with its own key, replayed into.
    const sink = spawn(process.execPath, [CLI, 'sink', '--port', '0', '--stripe-key', SECRETS.sinkKey], { stdio: ['ignore', 'pipe', 'pipe'] });
    let sinkOut = '';
    let sinkErr = '';
    sink.stdout!.on('data', (d) => (sinkOut += d));
    sink.stderr!.on('data', (d) => (sinkErr += d));
    const sinkUrl = await new Promise<string>((resolve) => {
      sink.stdout!.on('data', () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sinkOut);
        if (m) resolve(m[1]);
      });
    });
    expect((await cli('replay into sink', ['replay', runId, '--target', sinkUrl, '--protocol', 'stripe-v1', '--api-key', SECRETS.sinkKey, '--max'])).code).toBe(0);
    sink.kill('SIGTERM');
    await new Promise((r) => sink.on('close', r));
    places.push({ what: 'sink stdout', text: sinkOut }, { what: 'sink stderr', text: sinkErr });
    commands.add('sink');

    // Server mode: the password by flag and by environment; a wrong password; a live key in a URL.
    const server = ['--clickhouse', front.url];
    const sp = await cli('profile (server)', ['profile', log, ...server, '--ch-password', SECRETS.chPassword, '--json']);
    expect(sp.code).toBe(0);
    const serverRun = JSON.parse(sp.stdout).runId as string;
    expect((await cli('runs (server)', ['runs', ...server], { CLICKHOUSE_PASSWORD: SECRETS.chPassword })).code).toBe(0);
    for (const format of ['text', 'json', 'md', 'html'])
      expect((await cli(`report ${format} (server)`, ['report', serverRun, '--format', format, ...server], { CLICKHOUSE_PASSWORD: SECRETS.chPassword })).code).toBe(0);
    const wrong = await cli('runs (wrong password)', ['runs', ...server, '--ch-password', `${SECRETS.chPassword}-x`]);
    expect(wrong.stderr).toContain('authentication failed');
    const live = await cli('replay (live key in URL)', ['replay', runId, '--target', `${echo.url}/?key=sk_live_${SECRETS.stripeKey.slice(8)}`, '--protocol', 'raw']);
    expect(live.stderr).toContain('refusing to replay with a Stripe live-mode key');
    // SQL typed by a user prints stored rows as they are (options, summaries, replay reasons).
    expect((await cli('sql (server)', ['sql', 'SELECT * FROM runs', '--format', 'json', ...server], { CLICKHOUSE_PASSWORD: SECRETS.chPassword })).code).toBe(0);
    expect((await cli('sql', ['sql', 'SELECT * FROM runs; SELECT reason FROM replay_statuses', '--format', 'tsv'])).code).toBe(0);
    for (const c of ['runs', 'report', 'generate', 'sql']) commands.add(c);
    expect(
      (
        await cli('generate', ['generate', '-n', '100', '--seed', '1', '-o', path.join(tempDir(), 'g.jsonl')], {
          CLICKHOUSE_PASSWORD: SECRETS.chPassword,
          STRIPE_API_KEY: SECRETS.stripeKey,
        })
      ).code,
    ).toBe(0);

    // Every report of every stored run, in every format, and every table (the CLI runs are over: the store is ours now).
    const store = await openStore({ dataDir });
    try {
      for (const run of await new Runs(store).list(100)) {
        if (!['profile', 'tail', 'replay'].includes(run.command) || run.status !== 'done') continue;
        const model = await loadStoredReport(store, run.run_id);
        for (const format of REPORT_FORMATS) places.push({ what: `${format} report of ${run.command} ${run.run_id}`, text: await renderReport(model, format) });
      }
      const tables = await store.select<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('Null', 'MaterializedView', 'View')`,
      );
      for (const { name } of tables) places.push({ what: `table ${name}`, text: JSON.stringify(await store.select(`SELECT * FROM \`${name}\``)) });
    } finally {
      await store.close();
    }
    const serverStore = await openStore({ url: front.url, password: SECRETS.chPassword });
    try {
      const st = await serverStore.select<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('Null', 'MaterializedView', 'View')`,
      );
      for (const { name } of st) places.push({ what: `server table ${name}`, text: JSON.stringify(await serverStore.select(`SELECT * FROM \`${name}\``)) });
    } finally {
      await serverStore.close();
    }

    // The searches are not vacuous: the secrets were really sent, and the echoes really stored.
    expect(fake.requests.some((r) => r.authorization === `Bearer ${SECRETS.stripeKey}`)).toBe(true);
    expect(places.some((p) => p.what === 'table replay_statuses' && p.text.includes('echo POST'))).toBe(true);
    expect(places.filter((p) => p.what.includes(' report of ')).length).toBeGreaterThanOrEqual(4 * 4); // profile and three replays, four formats each
    expect(places.filter((p) => p.what.startsWith('table ')).length).toBeGreaterThan(10);

    const found = hits();
    const searched = places.reduce((n, p) => n + p.text.length, 0);
    console.log(
      `secrets test: ${commands.size} commands × ${Object.keys(SECRETS).length} secrets × ${ENCODINGS.length} encodings; ${places.length} places searched (${(searched / 1e6).toFixed(1)} MB); ${found.length} hits`,
    );
    expect(found).toEqual([]);
  });
});
