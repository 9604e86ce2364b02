/**
 * Every export shape read right: names with glob characters are those very files, whole-file JSON
 * (pretty arrays, one-line arrays bigger than the detection sample, envelopes, pretty objects one
 * after another) on the file, stdin and server-staging paths, indented batch lines, and pipes.
 * Expected events and positions come from the fixtures' own writing and JSON.parse, not meterscope.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, openTestStore, rows, tempDir } from './support/helpers.js';
import { resolveSources, type Source } from '../src/ingest/source.js';
import { loadSources, type LoadOptions } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import type { Store } from '../src/store/store.js';
import { timeOf } from './support/parse-events.js';
import { concatenatedFile, envelopeFile, oneLineArrayFile, prettyArrayFile, stripeEvents, type Placed, type StripeEvent } from './support/json-shapes.js';

let store: Store;
/** The same engine, but as if it were a server: every file is streamed through Node into staging. */
let streamed: Store;
const dir = tempDir('meterscope-shapes-');
let runNo = 0;

beforeAll(async () => {
  store = await openTestStore();
  streamed = Object.create(store, { capabilities: { value: { readsLocalFiles: false, pausesMerges: false, isCluster: false } } }) as Store;
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function load(s: Store, sources: Source[], opts: Partial<LoadOptions> = {}) {
  const run = `shape-${++runNo}`;
  const loads = await loadSources(s, run, sources, { mapping: DEFAULT_MAPPING, ...opts });
  return { run, loads };
}

interface Row {
  line: string;
  seq: number;
  identifier: string;
  ms: string;
  event_name: string;
  customer: string;
  value: number | null;
  props: string;
}

async function eventsOf(run: string): Promise<Row[]> {
  return rows<Row>(
    store,
    `SELECT line, seq, identifier, toUnixTimestamp64Milli(event_time) AS ms, event_name, customer, value,
      toJSONString(properties) AS props FROM events WHERE run_id = {run:String} ORDER BY line, seq`,
    { run },
  );
}

async function rejectsOf(run: string): Promise<{ line: number; seq: number; reason: string }[]> {
  const r = await rows<{ line: string; seq: number; reason: string }>(store, `SELECT line, seq, reason FROM rejects WHERE run_id = {run:String} ORDER BY line, seq`, {
    run,
  });
  return r.map((x) => ({ line: Number(x.line), seq: x.seq, reason: x.reason }));
}

/** What a plain reading of the events says was loaded, and where. */
function expected(evs: StripeEvent[], placed: Placed) {
  const events: { line: number; seq: number; identifier: string; ms: number; name: string; customer: string; value: number }[] = [];
  const rejects: { line: number; seq: number; reason: string }[] = [];
  evs.forEach((e, i) => {
    const { line, seq } = placed.at[i];
    const ms = timeOf(e.timestamp);
    if (!e.event_name) rejects.push({ line, seq, reason: 'missing event name' });
    else if (ms === null) rejects.push({ line, seq, reason: `unparseable timestamp: ${e.timestamp}` });
    else events.push({ line, seq, identifier: e.identifier, ms, name: e.event_name, customer: String(e.payload.stripe_customer_id), value: Number(e.payload.value) });
  });
  return { events, rejects };
}

function expectLoaded(got: Row[], gotRejects: { line: number; seq: number; reason: string }[], want: ReturnType<typeof expected>) {
  expect(
    got.map((r) => ({ line: Number(r.line), seq: r.seq, identifier: r.identifier, ms: Number(r.ms), name: r.event_name, customer: r.customer, value: r.value })),
  ).toEqual(want.events);
  expect(gotRejects).toEqual(want.rejects);
}

describe('names with glob characters are files, not patterns', () => {
  const lines = (n: number, tag: string) =>
    stripeEvents(n * 2)
      .filter((e) => e.event_name && typeof e.timestamp === 'number')
      .slice(0, n)
      .map((e) => JSON.stringify({ ...e, identifier: `${tag}-${e.identifier}` }))
      .join('\n') + '\n';

  it('reads a*.jsonl, {x,y}.jsonl and q?.jsonl as exactly those files, next to files their patterns match', async () => {
    const g = path.join(dir, 'globs');
    fs.mkdirSync(g);
    const counts: Record<string, number> = {
      'a*.jsonl': 40,
      'ab.jsonl': 30,
      'abc.jsonl': 20,
      '{x,y}.jsonl': 3,
      'x.jsonl': 7,
      'y.jsonl': 9,
      'q?.jsonl': 4,
      'qq.jsonl': 5,
    };
    for (const [name, n] of Object.entries(counts)) fs.writeFileSync(path.join(g, name), lines(n, name));
    for (const name of ['a*.jsonl', '{x,y}.jsonl', 'q?.jsonl']) {
      for (const s of [store, streamed]) {
        const { run, loads } = await load(s, await resolveSources([path.join(g, name)]));
        expect(loads.map((l) => [path.basename(l.source), l.events])).toEqual([[name, counts[name]]]);
        const ids = await rows<{ identifier: string }>(store, `SELECT DISTINCT splitByChar('-', identifier)[1] AS identifier FROM events WHERE run_id = {run:String}`, {
          run,
        });
        expect(ids.map((r) => r.identifier)).toEqual([name]);
      }
    }
  });

  it('expands a pattern that names no file, once, in meterscope', async () => {
    const g = path.join(dir, 'globs2');
    fs.mkdirSync(g);
    for (const [name, n] of Object.entries({ 'x.jsonl': 2, 'y.jsonl': 3, 'z.jsonl': 4 })) fs.writeFileSync(path.join(g, name), lines(n, name));
    const srcs = await resolveSources([path.join(g, '{x,y}.jsonl')]);
    expect(srcs.map((s) => path.basename(s.name))).toEqual(['x.jsonl', 'y.jsonl']);
    const { loads } = await load(store, srcs);
    expect(loads.map((l) => l.events)).toEqual([2, 3]);
    await expect(resolveSources([path.join(g, 'w*.jsonl')])).rejects.toThrow(/no file matches this pattern/);
  });
});

describe('whole-file JSON', () => {
  const evs = stripeEvents(400);
  const shapes: [string, Placed][] = [
    ['pretty array', prettyArrayFile(evs)],
    ['Stripe list envelope', envelopeFile(evs, 'data')],
    ['events envelope', envelopeFile(evs, 'events')],
    ['pretty objects one after another', concatenatedFile(evs)],
  ];

  for (const [label, placed] of shapes) {
    it(`${label}: every event, at the line it starts on and its index, on the file, stdin and staging paths`, async () => {
      const file = write(`${label.replace(/ /g, '-')}.json`, placed.text);
      const want = expected(evs, placed);
      expect(want.events.length).toBeGreaterThan(300);
      expect(want.rejects.length).toBeGreaterThan(20);
      for (const how of ['file', 'stdin', 'staging', 'forced'] as const) {
        const srcs: Source[] = how === 'stdin' ? [{ name: '-', kind: 'stdin', compression: 'none' }] : await resolveSources([file]);
        const { run, loads } = await load(how === 'staging' ? streamed : store, srcs, {
          stdin: how === 'stdin' ? Readable.from([Buffer.from(placed.text)]) : undefined,
          format: how === 'forced' ? 'stripe-json' : undefined,
        });
        expect(loads[0].format, how).toBe('stripe-json');
        expectLoaded(await eventsOf(run), await rejectsOf(run), want);
      }
    });
  }

  it('properties and values are those of the same events as JSON lines', async () => {
    const jsonl = write('same.jsonl', evs.map((e) => JSON.stringify(e)).join('\n'));
    const pretty = write('same.json', prettyArrayFile(evs).text);
    const a = await load(store, await resolveSources([jsonl]));
    const b = await load(store, await resolveSources([pretty]));
    const strip = (r: Row[]) => r.map(({ line: _l, seq: _s, ...rest }) => rest).sort((x, y) => x.identifier.localeCompare(y.identifier));
    const [ra, rb] = [strip(await eventsOf(a.run)), strip(await eventsOf(b.run))];
    expect(rb).toEqual(ra);
    expect(JSON.parse(rb.find((r) => r.identifier === 'ev_0')!.props).note).toBe(JSON.stringify('a [b] {c} \\ "d"\nline é'));
  });

  it('a one-line array bigger than the detection sample is JSON (not CSV), and so is a smaller one', async () => {
    for (const n of [700, 1500]) {
      const many = stripeEvents(n);
      const placed = oneLineArrayFile(many);
      const size = Buffer.byteLength(placed.text);
      expect(size).toBeGreaterThan(n === 700 ? 128 * 1024 : 256 * 1024);
      const file = write(`one-line-${n}.json`, placed.text);
      for (const s of [store, streamed]) {
        const { run, loads } = await load(s, await resolveSources([file]));
        expect(loads[0].format).toBe('stripe-json');
        expectLoaded(await eventsOf(run), await rejectsOf(run), expected(many, placed));
      }
    }
  });

  it('a truncated array keeps what came before and rejects the cut event', async () => {
    const placed = prettyArrayFile(evs.slice(0, 10));
    const cut = placed.text.slice(0, placed.text.indexOf('"ev_9"') + 3);
    const { run } = await load(store, await resolveSources([write('cut.json', cut)]));
    const want = expected(evs.slice(0, 9), placed);
    expect((await eventsOf(run)).map((r) => r.identifier)).toEqual(want.events.map((e) => e.identifier));
    expect(await rejectsOf(run)).toEqual([...want.rejects, { line: placed.at[9].line, seq: 10, reason: 'invalid JSON' }]);
  });
});

describe('line shapes', () => {
  it('an indented batch line gives its events', async () => {
    const good = stripeEvents(6).filter((e) => e.event_name && typeof e.timestamp === 'number');
    const file = write('indented.jsonl', [`  ${JSON.stringify(good.slice(0, 2))}`, `\t${JSON.stringify(good[2])}`, `\t ${JSON.stringify(good.slice(3, 4))}`].join('\n'));
    for (const s of [store, streamed]) {
      const { run } = await load(s, await resolveSources([file]));
      expect((await eventsOf(run)).map((r) => [Number(r.line), r.seq, r.identifier])).toEqual([
        [1, 1, good[0].identifier],
        [1, 2, good[1].identifier],
        [2, 1, good[2].identifier],
        [3, 1, good[3].identifier],
      ]);
      expect(await rejectsOf(run)).toEqual([]);
    }
  });
});

describe('pipes are read as streams', () => {
  const text =
    stripeEvents(120)
      .map((e) => JSON.stringify(e))
      .join('\n') + '\n';
  const want = text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as StripeEvent)
    .filter((e) => e.event_name && timeOf(e.timestamp) !== null).length;

  it('a FIFO, named by its path', async () => {
    const fifo = path.join(dir, 'events.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat > "$0"', fifo], { stdio: ['pipe', 'ignore', 'inherit'] });
    writer.stdin.end(text);
    const srcs = await resolveSources([fifo]);
    expect(srcs[0]).toMatchObject({ name: fifo, kind: 'stream' });
    const { run, loads } = await load(store, srcs);
    expect(loads[0]).toMatchObject({ source: fifo, events: want });
    expect(
      Number((await rows<{ n: string }>(store, `SELECT count() AS n FROM events WHERE run_id = {run:String} AND source = {src:String}`, { run, src: fifo }))[0].n),
    ).toBe(want);
  });

  it('profile <(gzip -c file) and profile /dev/stdin', async () => {
    const file = write('piped.jsonl', text);
    const data = tempDir('meterscope-pipes-');
    for (const cmd of [`"$0" "$1" profile <(gzip -c "$2") --json --data-dir "$3"`, `cat "$2" | "$0" "$1" profile /dev/stdin --json --data-dir "$3"`]) {
      const res = spawnSync('bash', ['-c', cmd, process.execPath, CLI, file, data], { encoding: 'utf8', env: { ...process.env, CLICKHOUSE_URL: '' } });
      expect(res.status, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout);
      expect(report.sources.map((s: { source: string; events: number }) => [s.source.startsWith('/dev/'), s.events])).toEqual([[true, want]]);
    }
  });
});
