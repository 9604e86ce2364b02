/**
 * `meterscope generate`: determinism, compression, the timeline knobs (exact per-second peak,
 * events/duration/rate), the distributions, the server (streamed) path and the CLI.
 * Every number is checked against a plain-JS reading of the generated file.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fzstd from 'fzstd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, openTestStore, rows, runCli, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { generate, type GenerateOptions } from '../src/generate/index.js';
import { parseEventNames, parseProperty } from '../src/generate/options.js';
import { durationFlag } from '../src/commands/flags.js';
import { openStore, type Store } from '../src/store/open.js';
import { UserError } from '../src/errors.js';
import { parseFile } from './support/parse-events.js';

let store: Store;
const dir = tempDir('meterscope-generate-');
const START = Date.UTC(2025, 4, 6, 12);

beforeAll(async () => {
  store = await openTestStore();
});

const read = (f: string) => fs.readFileSync(f, 'utf8');
const file = (name: string) => path.join(dir, name);

/** Events per whole second of event time, counted in JS. */
function perSecond(times: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of times) m.set(Math.floor(t / 1000), (m.get(Math.floor(t / 1000)) ?? 0) + 1);
  return m;
}

describe('determinism', () => {
  it('gives the same bytes for the same seed, other bytes for another seed', async () => {
    const opts: GenerateOptions = {
      format: 'stripe-v2-stream',
      events: 4000,
      duration: 3600,
      start: START,
      malformedRate: 0.01,
      duplicateRate: 0.02,
      lateRate: 0.02,
      seed: 42,
    };
    await generate(store, opts, file('a.jsonl'));
    await generate(store, opts, file('b.jsonl'));
    await generate(store, { ...opts, seed: 43 }, file('c.jsonl'));
    expect(fs.readFileSync(file('a.jsonl')).equals(fs.readFileSync(file('b.jsonl')))).toBe(true);
    expect(fs.readFileSync(file('a.jsonl')).equals(fs.readFileSync(file('c.jsonl')))).toBe(false);
    expect(parseFile(read(file('c.jsonl')), 'stripe-v2-stream').events).toHaveLength(4000);
  });
});

describe('compression', () => {
  it('writes .gz and .zst that decompress to the plain bytes and load', async () => {
    const opts: GenerateOptions = { format: 'stripe-json', events: 3000, start: START, malformedRate: 0.01, seed: 3 };
    const plain = await generate(store, opts, file('z.jsonl'));
    await generate(store, opts, file('z.jsonl.gz'));
    await generate(store, opts, file('z.jsonl.zst'));
    const bytes = fs.readFileSync(file('z.jsonl'));
    const gz = fs.readFileSync(file('z.jsonl.gz'));
    const zst = fs.readFileSync(file('z.jsonl.zst'));
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(zst.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(zlib.gunzipSync(gz).equals(bytes)).toBe(true);
    expect(Buffer.from(fzstd.decompress(zst)).equals(bytes)).toBe(true);
    expect(gz.length).toBeLessThan(bytes.length / 2);
    const expected = parseFile(bytes.toString('utf8'), 'stripe-json');
    for (const ext of ['gz', 'zst']) {
      const [load] = await loadSources(store, `z-${ext}`, await resolveSources([file(`z.jsonl.${ext}`)]), { mapping: DEFAULT_MAPPING });
      expect(load.events).toBe(expected.events.length);
      expect(load.rejects).toBe(expected.rejects.length);
      expect(load.rejects).toBe(plain.malformed);
    }
  });
});

describe('timeline', () => {
  it.each([999, 1001])('makes the busiest second hold exactly %i events', async (peak) => {
    const f = file(`peak-${peak}.jsonl`);
    const r = await generate(
      store,
      {
        format: 'metronome',
        events: 20_000,
        duration: 120,
        start: START,
        peakRate: peak,
        bursts: 1,
        burstSeconds: 3,
        lateRate: 0.05,
        duplicateRate: 0.02,
        seed: peak,
      },
      f,
    );
    const parsed = parseFile(read(f), 'metronome');
    expect(parsed.events).toHaveLength(20_000);
    const counts = perSecond(parsed.events.map((e) => e.time));
    const max = Math.max(...counts.values());
    expect(max).toBe(peak);
    expect([...counts.values()].filter((c) => c === peak)).toHaveLength(3);
    expect(r.peak).toBe(peak);
    // The same, counted by ClickHouse over the loaded events.
    await loadSources(store, `peak-${peak}`, await resolveSources([f]), { mapping: DEFAULT_MAPPING });
    const [db] = await rows<{ peak: string }>(
      store,
      `SELECT max(c) AS peak FROM (SELECT toStartOfSecond(event_time) AS s, count() AS c FROM events WHERE run_id = {run:String} GROUP BY s)`,
      { run: `peak-${peak}` },
    );
    expect(Number(db.peak)).toBe(peak);
  });

  it('keeps the peak exact in whole-second formats and spreads bursts over the timeline', async () => {
    const f = file('bursts.log');
    await generate(store, { format: 'stripe-v1-form', events: 30_000, duration: 4 * 3600, start: START, peakRate: 250, bursts: 4, burstSeconds: 5, seed: 5 }, f);
    const counts = perSecond(parseFile(read(f), 'stripe-v1-form').events.map((e) => e.time));
    const peakSeconds = [...counts]
      .filter(([, c]) => c === 250)
      .map(([s]) => s)
      .sort((a, b) => a - b);
    expect(Math.max(...counts.values())).toBe(250);
    expect(peakSeconds).toHaveLength(20);
    // one burst per hour-long quarter
    expect(new Set(peakSeconds.map((s) => Math.floor((s - START / 1000) / 3600)))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('derives the count from --duration and --rate and keeps every event inside the span', async () => {
    const f = file('rate.csv');
    const r = await generate(store, { format: 'csv', duration: durationFlag('--duration', '10m'), rate: 5, start: START, seed: 11 }, f);
    const ev = parseFile(read(f), 'csv').events;
    expect(ev).toHaveLength(3000);
    expect(r.events).toBe(3000);
    expect(Math.min(...ev.map((e) => e.time))).toBeGreaterThanOrEqual(START);
    expect(Math.max(...ev.map((e) => e.time))).toBeLessThan(START + 600_000);
  });

  it('follows the daily curve: the peak hour is busier than the night', async () => {
    const f = file('daily.jsonl');
    await generate(store, { format: 'stripe-json', events: 48_000, duration: 86400, start: Date.UTC(2025, 4, 6), dailySwing: 0.8, peakHour: 14, bursts: 0, seed: 8 }, f);
    const hours = new Array(24).fill(0);
    for (const e of parseFile(read(f), 'stripe-json').events) hours[new Date(e.time).getUTCHours()]++;
    // (1 + 0.8) / (1 - 0.8) = 9× between 14:00 and 02:00 at the curve's extremes
    expect(hours[14] / hours[2]).toBeGreaterThan(5);
    expect(hours.indexOf(Math.max(...hours))).toBeGreaterThanOrEqual(12);
    expect(hours.indexOf(Math.max(...hours))).toBeLessThanOrEqual(16);
  });
});

describe('distributions', () => {
  it('draws customers skewed, names by weight, properties within cardinality and presence, values in range', async () => {
    const f = file('dist.jsonl');
    await generate(
      store,
      {
        format: 'cloudevents',
        events: 10_000,
        start: START,
        customers: 50,
        customerSkew: 1,
        eventNames: parseEventNames('a:9,b'),
        properties: [parseProperty('region:4:1'), parseProperty('user_id:1000:0.5'), parseProperty('n:3:0.25:int')],
        valueMin: 10,
        valueMax: 20,
        valueDecimals: 1,
        seed: 21,
      },
      f,
    );
    const ev = parseFile(read(f), 'cloudevents').events;
    const byCustomer = new Map<string, number>();
    for (const e of ev) byCustomer.set(e.customer, (byCustomer.get(e.customer) ?? 0) + 1);
    const shares = [...byCustomer.values()].sort((a, b) => b - a);
    expect(byCustomer.size).toBeLessThanOrEqual(50);
    expect(byCustomer.size).toBeGreaterThan(40);
    expect(shares[0] / ev.length).toBeGreaterThan(0.1); // uniform would be 0.02
    expect(shares[0]).toBeGreaterThan(10 * shares[shares.length - 1]);
    expect(ev.filter((e) => e.name === 'a').length / ev.length).toBeCloseTo(0.9, 1);
    expect(new Set(ev.map((e) => e.name))).toEqual(new Set(['a', 'b']));
    expect(new Set(ev.map((e) => e.props.region)).size).toBe(4);
    const users = ev.filter((e) => 'user_id' in e.props);
    expect(users.length / ev.length).toBeGreaterThan(0.47);
    expect(users.length / ev.length).toBeLessThan(0.53);
    expect(new Set(users.map((e) => e.props.user_id)).size).toBeLessThanOrEqual(1000);
    const ns = ev.filter((e) => 'n' in e.props).map((e) => e.props.n);
    expect(ns.length / ev.length).toBeCloseTo(0.25, 1);
    expect(new Set(ns)).toEqual(new Set([1, 2, 3])); // int properties are JSON numbers
    const values = ev.map((e) => e.value!);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...values)).toBeLessThanOrEqual(20);
    expect(values.every((v) => Math.round(v * 10) === v * 10)).toBe(true);
    expect(values.some((v) => !Number.isInteger(v))).toBe(true);
  });

  it('writes Stripe payload values as strings', async () => {
    const f = file('strings.jsonl');
    await generate(store, { format: 'stripe-json', events: 50, start: START, properties: [parseProperty('n:3:1:int')] }, f);
    const ev = parseFile(read(f), 'stripe-json').events;
    expect(ev.every((e) => typeof e.props.value === 'string' && typeof e.props.n === 'string' && typeof e.props.stripe_customer_id === 'string')).toBe(true);
  });
});

describe('bad requests', () => {
  const bad = async (opts: Partial<GenerateOptions>) =>
    generate(store, { format: 'stripe-json', start: START, ...opts }, file('bad.jsonl')).then(
      () => null,
      (e) => e,
    );
  it('explains impossible timelines in one sentence', async () => {
    const low = await bad({ events: 100_000, duration: 60, peakRate: 1000 });
    expect(low).toBeInstanceOf(UserError);
    expect(low.message).toMatch(/--peak-rate 1000 is below the busiest ordinary second/);
    expect(await bad({ events: 100, duration: 60, peakRate: 500 })).toBeInstanceOf(UserError);
    expect(await bad({ events: 100, duration: 60, rate: 3 })).toBeInstanceOf(UserError);
    expect(await bad({ events: 100, format: 'stripe-v2-stream', batchSize: 101 })).toBeInstanceOf(UserError);
    expect(await bad({ events: 100, format: 'csv', batchSize: 2 })).toBeInstanceOf(UserError);
    expect(await bad({ events: 100, properties: [parseProperty('value:3')] })).toBeInstanceOf(UserError);
  });
  it('parses the flag syntaxes', () => {
    // Durations and times (--duration, --late-max, --start) are the shared flag grammar: src/commands/flags.test.ts.
    expect(parseEventNames('a:2, b ,c:0.5')).toEqual([
      { name: 'a', weight: 2 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 0.5 },
    ]);
    expect(parseProperty('user_id:200000:0.9')).toEqual({ key: 'user_id', cardinality: 200000, presence: 0.9, kind: 'string' });
    expect(() => parseProperty('region')).toThrow(UserError);
    expect(() => parseProperty('r:2:1.5')).toThrow(UserError);
  });
});

describe('through a ClickHouse server', () => {
  let shim: ChildProcess | undefined;
  let server: Store | undefined;
  afterAll(async () => {
    await server?.close();
    shim?.kill();
  });

  it('streams the same bytes the embedded engine writes (plain and gzip)', async () => {
    // test/support/chdb-http-server.ts: ClickHouse's HTTP interface over chDB in another process.
    shim = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('shim-'), 'pw'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      shim!.stdout!.on('data', (d) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      shim!.on('exit', (c) => reject(new Error(`shim exited ${c}`)));
    });
    server = await openStore({ url, password: 'pw', database: `gen_${process.pid}` });
    expect(server.capabilities.readsLocalFiles).toBe(false);
    const opts: GenerateOptions = { format: 'csv', events: 2000, start: START, malformedRate: 0.02, duplicateRate: 0.02, lateRate: 0.02, seed: 77 };
    await generate(store, opts, file('embedded.csv'));
    await generate(server, opts, file('server.csv'));
    await generate(server, opts, file('server.csv.gz'));
    const local = fs.readFileSync(file('embedded.csv'));
    expect(fs.readFileSync(file('server.csv')).equals(local)).toBe(true);
    expect(zlib.gunzipSync(fs.readFileSync(file('server.csv.gz'))).equals(local)).toBe(true);
  });
});

describe('meterscope generate (CLI)', () => {
  it('writes to stdout by default and to a compressed file with -o, with a summary on stderr', async () => {
    const dataDir = tempDir('meterscope-gen-cli-');
    const r = await runCli(['generate', '--format', 'csv', '--events', '300', '--duration', '5m', '--malformed-rate', '0.05', '--seed', '4', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const parsed = parseFile(r.stdout, 'csv');
    expect(parsed.events).toHaveLength(300);
    expect(r.stderr).toMatch(/generated 300 csv events \(\+ \d+ malformed lines\) in \d+ lines/);
    expect(Number(/in (\d+) lines/.exec(r.stderr)![1])).toBe(parsed.lines);

    const out = file('cli.jsonl.zst');
    const r2 = await runCli([
      'generate',
      '-o',
      out,
      '-n',
      '500',
      '--property',
      'region:3',
      '--property',
      'user_id:50:0.5',
      '--start',
      '2025-02-01T00:00:00Z',
      '--data-dir',
      dataDir,
    ]);
    expect(r2.code).toBe(0);
    const ev = parseFile(Buffer.from(fzstd.decompress(fs.readFileSync(out))).toString('utf8'), 'stripe-json').events;
    expect(ev).toHaveLength(500);
    expect(Object.keys(ev[0].props).sort()).toEqual(expect.arrayContaining(['region', 'stripe_customer_id', 'value']));
    expect(ev.every((e) => e.time >= Date.UTC(2025, 1, 1))).toBe(true);

    const r3 = await runCli(['generate', '--format', 'nope', '--data-dir', dataDir]);
    expect(r3.code).not.toBe(0);
    expect(r3.stderr).toMatch(/unknown format "nope"/);
    expect(r3.stderr).not.toMatch(/\n\s+at /);
  });
  it('writing a file leaves no data directory behind (a temporary one is used and removed)', async () => {
    const cwd = tempDir('meterscope-gen-cwd-');
    const tmp = tempDir('meterscope-gen-tmp-');
    const r = await runCli(['generate', '-n', '200', '-o', 'out.jsonl', '-q'], { cwd, env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(cwd)).toEqual(['out.jsonl']);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(parseFile(read(path.join(cwd, 'out.jsonl')), 'stripe-json').events).toHaveLength(200);
  });

  it('refuses an output name it cannot compress as named, before writing anything', async () => {
    const cwd = tempDir('meterscope-gen-cwd-');
    for (const ext of ['bz2', 'xz']) {
      const r = await runCli(['generate', '-n', '10', '-o', `x.jsonl.${ext}`], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`x.jsonl.${ext}: generate cannot write .${ext} files; name it .gz or .zst`);
    }
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('--help is wrapped to 80 columns like every other command', async () => {
    const r = await runCli(['generate', '--help']);
    expect(r.code).toBe(0);
    const wide = r.stdout.split('\n').filter((l) => [...l].length > 80);
    expect(wide).toEqual([]);
    expect(r.stdout).toContain('--property <spec>');
  });
});
