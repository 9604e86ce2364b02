/**
 * The store's everyday tools on the embedded store, through the built CLI: `runs` sizes, `runs rm`
 * and `runs prune` (every table free of the removed runs' rows, the data directory smaller as du
 * measures it, the `runs` listing intact), and `meterscope sql` (formats, scripts on stdin, any
 * statement, errors in one line) with the README's three queries checked against figures computed
 * here from the logs. Needs `npm run build` first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/helpers.js';
import { startSink, type Sink } from '../src/sink/server.js';
import { openStore } from '../src/store/open.js';

const dir = tempDir('meterscope-store-tools-');
const data = path.join(dir, 'store');
const NAMES = ['api_call', 'tokens', 'image'];

interface Log {
  file: string;
  lines: string[];
  events: { name: string; second: number; customer: string }[];
  invalidJson: number;
  noName: number;
}

/** A Stripe JSONL log: bursts every 10th second, 13 customers, some truncated lines and some without event_name. */
function writeLog(name: string, n: number, start = 1_700_000_000): Log {
  const log: Log = { file: path.join(dir, `${name}.jsonl`), lines: [], events: [], invalidJson: 0, noName: 0 };
  let second = start;
  for (let i = 0; i < n; i++) {
    if (i % 500 === 7) {
      log.lines.push(`{"identifier":"${name}-${i}","timestamp":17`);
      log.invalidJson++;
      continue;
    }
    // 3 events per second, 40 in every 10th second.
    if (i % (second % 10 === 0 ? 40 : 3) === 0) second++;
    const customer = `cus_${(i * 7) % 13}`;
    const ev: Record<string, unknown> = { identifier: `${name}-${i}`, timestamp: second, payload: { stripe_customer_id: customer, value: String(i % 9) } };
    if (i % 700 === 11) {
      log.lines.push(JSON.stringify(ev));
      log.noName++;
      continue;
    }
    const eventName = NAMES[(i * 5) % NAMES.length];
    log.lines.push(JSON.stringify({ ...ev, event_name: eventName }));
    log.events.push({ name: eventName, second, customer });
  }
  fs.writeFileSync(log.file, `${log.lines.join('\n')}\n`);
  return log;
}

const du = () => Number(execFileSync('du', ['-sb', data], { encoding: 'utf8' }).split('\t')[0]);

async function cli(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runCli([...args, '--data-dir', data], opts);
}

async function ok(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await cli(args, opts);
  if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** `meterscope sql --format json` as rows. */
async function sqlRows<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return JSON.parse(await ok(['sql', query, '--format', 'json'])) as T[];
}

/** Rows per run id in every table with a run_id column (the runs list included), read through `meterscope sql`. */
async function rowsPerRun(ids: string[]): Promise<Record<string, Record<string, number>>> {
  const tables = await sqlRows<{ table: string }>(
    `SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'run_id' AND table NOT IN ('ingest_rows', 'ingest_events_mv', 'ingest_rejects_mv') ORDER BY table`,
  );
  expect(tables.length).toBeGreaterThan(15);
  const list = ids.map((id) => `'${id}'`).join(', ');
  const union = tables
    .map(
      ({ table }) =>
        `SELECT '${table}' AS t, toString(run_id) AS run, count() AS n FROM ${table}${table === 'runs' ? ' FINAL' : ''} WHERE run_id IN (${list}) GROUP BY run`,
    )
    .join(' UNION ALL ');
  const out: Record<string, Record<string, number>> = Object.fromEntries(ids.map((id) => [id, {}]));
  for (const r of await sqlRows<{ t: string; run: string; n: number }>(union)) out[r.run][r.t] = r.n;
  return out;
}

const logs = {
  a: writeLog('a', 6000),
  b: writeLog('b', 6000),
  c: writeLog('c', 6000),
  r: writeLog('r', 300, Math.floor(Date.now() / 1000) - 600),
  t: writeLog('t', 400),
};
const ids: Record<string, string> = {};
const sinks: Sink[] = [];

beforeAll(async () => {
  for (const k of ['a', 'b', 'c'] as const) ids[k] = JSON.parse(await ok(['profile', logs[k].file, '--json'])).runId;
  const sink = await startSink({ port: 0 });
  sinks.push(sink);
  const replay = JSON.parse(
    await ok(['replay', logs.r.file, '--target', sink.url, '--protocol', 'metronome', '--max', '--json'], { env: { METRONOME_API_TOKEN: 'tok' } }),
  );
  ids.r = replay.runId;
  await ok(['tail', '-', '--json'], { stdin: logs.t.lines.join('\n') + '\n' });
  ids.t = (JSON.parse(await ok(['runs', '--json', '-n', '1'])) as { run_id: string; command: string }[])[0].run_id;
}, 300_000);

afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

describe('runs listing with sizes', () => {
  it("keeps `runs` and `runs --json -n N` working, with each run's bytes on disk", async () => {
    const runs = JSON.parse(await ok(['runs', '--json', '-n', '5'])) as { run_id: string; command: string; bytes: number }[];
    expect(runs.map((r) => r.run_id).sort()).toEqual(Object.values(ids).sort());
    expect(runs[0]).toMatchObject({ run_id: ids.t, command: 'tail' });
    for (const r of runs) expect(r.bytes, r.run_id).toBeGreaterThan(1000);
    // The events dominate a profile run: three equal logs, three sizes within 10 % of each other.
    const profiles = runs.filter((r) => [ids.a, ids.b, ids.c].includes(r.run_id)).map((r) => r.bytes);
    expect(Math.max(...profiles) / Math.min(...profiles)).toBeLessThan(1.1);
    // Together they cannot exceed the directory.
    expect(runs.reduce((s, r) => s + r.bytes, 0)).toBeLessThan(du());
    const text = await ok(['runs', '-n', '2']);
    expect(text).toMatch(/│\s*size\s+│/);
    expect(text).toMatch(/size: the run's rows on disk, estimated from system\.parts/);
    expect(text).toMatch(/store: [\d.]+ (KiB|MiB) on disk \(embedded chDB at\s/);
    expect((await ok(['runs', '--help'])).split('\n').join(' ')).toMatch(/rm \[options\] <run-id\.\.\.>.*prune/);
  });
});

describe('meterscope sql', () => {
  it("prints a query in each format, figures equal to the log's", async () => {
    const expected = NAMES.map((n) => [n, logs.a.events.filter((e) => e.name === n).length] as const).sort((x, y) => x[0].localeCompare(y[0]));
    const q = `SELECT event_name, count() AS n FROM events WHERE run_id = '${ids.a}' GROUP BY event_name ORDER BY event_name`;
    expect(JSON.parse(await ok(['sql', q, '--format', 'json']))).toEqual(expected.map(([event_name, n]) => ({ event_name, n })));
    expect(await ok(['sql', q, '--format', 'csv'])).toBe(`"event_name","n"\n${expected.map(([k, n]) => `"${k}",${n}`).join('\n')}\n`);
    expect(await ok(['sql', q, '--format', 'TSV'])).toBe(`event_name\tn\n${expected.map(([k, n]) => `${k}\t${n}`).join('\n')}\n`);
    const pretty = await ok(['sql', q]);
    for (const [k, n] of expected) expect(pretty).toMatch(new RegExp(`│ ${k}\\s+│\\s+${n} │`));
    expect(pretty).not.toContain('\u001b[');
    // A FORMAT clause in the query wins over --format.
    expect(await ok(['sql', `${q} FORMAT JSONEachRow`, '--format', 'csv'])).toBe(expected.map(([event_name, n]) => `${JSON.stringify({ event_name, n })}\n`).join(''));
  });

  it('runs a script from stdin, statement by statement: DDL, INSERT, SELECT, DROP', async () => {
    const script = `-- a scratch table
      CREATE TABLE scratch_t (k String, v UInt64) ENGINE = MergeTree ORDER BY k;
      INSERT INTO scratch_t VALUES ('semi;colon', 1), ('it''s', 2);
      SELECT k, v FROM scratch_t ORDER BY v;
      DROP TABLE scratch_t; -- done`;
    expect(await ok(['sql', '--format', 'csv'], { stdin: script })).toBe(`"k","v"\n"semi;colon",1\n"it's",2\n`);
    expect(await sqlRows(`SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'scratch_t'`)).toEqual([]);
  });

  it("reports errors in one line: ClickHouse's, a bad format, no SQL at all", async () => {
    const syntax = await cli(['sql', 'SELEC 1']);
    expect(syntax.code).not.toBe(0);
    expect(syntax.stdout).toBe('');
    expect(syntax.stderr).toMatch(/^meterscope: ClickHouse error: Syntax error: failed at position 7 .*Expected one of: .*\(\+\d+ more\)\.?\n$/);
    const unknown = await cli(['sql', 'SELECT nope FROM events']);
    expect(unknown.stderr).toMatch(/^meterscope: ClickHouse error: Unknown expression identifier `nope`.*\n$/);
    const format = await cli(['sql', 'SELECT 1', '--format', 'xml']);
    expect([format.code, format.stderr]).toEqual([2, 'meterscope: --format must be one of pretty, csv, json, tsv, got "xml"\n']);
    const empty = await cli(['sql'], { stdin: '  -- nothing\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^meterscope: no SQL on stdin/);
  });

  it('answers the README queries with the figures computed from the log', async () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Querying the store'));
    const queries = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].slice(0, 3).map((m) => m[1].replaceAll('<run-id>', ids.a));
    expect(queries).toHaveLength(3);

    // Peak events per second per event name.
    const perSecond = new Map<string, number>();
    for (const e of logs.a.events) perSecond.set(`${e.name} ${e.second}`, (perSecond.get(`${e.name} ${e.second}`) ?? 0) + 1);
    const peak = new Map<string, number>();
    for (const [k, n] of perSecond) peak.set(k.split(' ')[0], Math.max(peak.get(k.split(' ')[0]) ?? 0, n));
    const peaks = await sqlRows<{ event_name: string; peak_eps: number }>(queries[0]);
    expect(Object.fromEntries(peaks.map((r) => [r.event_name, r.peak_eps]))).toEqual(Object.fromEntries(peak));

    // Top customers by events.
    const perCustomer = new Map<string, number>();
    for (const e of logs.a.events) perCustomer.set(e.customer, (perCustomer.get(e.customer) ?? 0) + 1);
    const top = [...perCustomer].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 10);
    const customers = await sqlRows<{ customer: string; events: number; share: number }>(queries[1]);
    expect(customers.map((r) => [r.customer, r.events])).toEqual(top);
    expect(customers[0].share).toBeCloseTo(top[0][1] / logs.a.events.length, 3);

    // Rejects by reason: the two kinds of bad line, each counted.
    const reasons = await sqlRows<{ reason: string; lines: number }>(queries[2]);
    expect(reasons.map((r) => r.lines).sort((x, y) => x - y)).toEqual([logs.a.noName, logs.a.invalidJson].sort((x, y) => x - y));
    expect(reasons.map((r) => r.reason).sort()).toEqual(['invalid JSON', 'missing event name']);
  });
});

describe('runs rm and runs prune', () => {
  it('refuses unknown ids and running runs before removing anything', async () => {
    const before = await rowsPerRun(Object.values(ids));
    const unknown = await cli(['runs', 'rm', ids.a, 'no-such-run']);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'meterscope: no run with id no-such-run in this store (see: meterscope runs); nothing was removed\n']);
    // A run this test process owns, recorded as running (inserted with `meterscope sql`).
    await ok([
      'sql',
      `INSERT INTO runs (run_id, command, sources, options, started_at, status, summary, pid, host) VALUES ('busy-run', 'tail', [], '{}', now64(3), 'running', '{}', ${process.pid}, '${os.hostname()}')`,
    ]);
    const busy = await cli(['runs', 'rm', 'busy-run', ids.a]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(
      `meterscope: run busy-run is still running (process ${process.pid}); stop it first, or add --force to remove it anyway; nothing was removed\n`,
    );
    expect(await rowsPerRun(Object.values(ids))).toEqual(before);
    expect(await ok(['runs', 'rm', 'busy-run', '--force'])).toMatch(/removed 1 run: 1 rows from 1 table/);
  });

  it("rm: every table is free of the removed runs' rows, the others untouched, the directory smaller", async () => {
    const removed = [ids.a, ids.r, ids.t];
    const kept = [ids.b, ids.c];
    const before = await rowsPerRun([...removed, ...kept]);
    // What each removed run had: profile, replay and tail tables, and its runs entry.
    expect(Object.keys(before[ids.a])).toEqual(
      expect.arrayContaining(['events', 'rejects', 'run_sources', 'reports', 'profile_rate_seconds', 'profile_properties', 'runs']),
    );
    expect(Object.keys(before[ids.r])).toEqual(
      expect.arrayContaining(['events', 'replay_runs', 'replay_series', 'replay_statuses', 'replay_histograms', 'replay_percentiles', 'runs']),
    );
    expect(Object.keys(before[ids.t])).toEqual(expect.arrayContaining(['events', 'tail_checkpoints', 'runs']));
    const sizes = JSON.parse(await ok(['runs', '--json'])) as { run_id: string; bytes: number }[];
    const removedBytes = sizes.filter((r) => removed.includes(r.run_id)).reduce((s, r) => s + r.bytes, 0);
    const duBefore = du();

    const out = await ok(['runs', 'rm', ...removed]);
    const duAfter = du();
    const rows = Object.values(before[ids.a])
      .concat(Object.values(before[ids.r]), Object.values(before[ids.t]))
      .reduce((s, n) => s + n, 0);
    expect(out).toMatch(new RegExp(`removed 3 runs: ${rows.toLocaleString('en-US')} rows from \\d+ tables\\nstore on disk: [\\d.]+ \\w+ → [\\d.]+ \\w+\\n$`));
    for (const id of removed) expect(out).toContain(id);

    const after = await rowsPerRun([...removed, ...kept]);
    for (const id of removed) expect(after[id], id).toEqual({});
    for (const id of kept) expect(after[id], id).toEqual(before[id]);
    // The runs table holds no version of them at all (FINAL or not), and the listing goes on.
    expect(await sqlRows(`SELECT run_id FROM runs WHERE run_id IN ('${removed.join("','")}')`)).toEqual([]);
    const listed = JSON.parse(await ok(['runs', '--json', '-n', '5'])) as { run_id: string }[];
    expect(listed.map((r) => r.run_id).sort()).toEqual([...kept].sort());
    // The space is back now, not in 8 minutes: at least 80 % of what the listing said they took.
    expect(duAfter).toBeLessThan(duBefore);
    expect(duBefore - duAfter).toBeGreaterThan(0.8 * removedBytes);
    expect(await sqlRows(`SELECT table, name FROM system.parts WHERE database = currentDatabase() AND NOT active`)).toEqual([]);
  });

  it('prune: --older-than keeps recent runs, --keep N removes all but the newest N, --dry-run removes nothing', async () => {
    expect(await ok(['runs', 'prune', '--older-than', '30d'])).toBe('no runs to remove\n');
    const dry = await ok(['runs', 'prune', '--keep', '1', '--dry-run']);
    expect(dry).toContain(ids.b);
    expect(dry).not.toContain(ids.c);
    expect(dry).toMatch(/would remove 1 run \(dry run: nothing removed\)/);
    const duBefore = du();
    expect(await ok(['runs', 'prune', '--keep', '1', '--older-than', '0s'])).toMatch(new RegExp(`${ids.b}[\\s\\S]*removed 1 run: `));
    expect(du()).toBeLessThan(duBefore);
    expect((JSON.parse(await ok(['runs', '--json'])) as { run_id: string }[]).map((r) => r.run_id)).toEqual([ids.c]);
    const none = await cli(['runs', 'prune']);
    expect([none.code, none.stderr]).toEqual([2, 'meterscope: runs prune needs --keep N or --older-than AGE (e.g. --keep 10, --older-than 30d)\n']);
  });

  it('leaves no row of a removed run in any table (checked in this process, not through the CLI)', async () => {
    const store = await openStore({ dataDir: data });
    const gone = [ids.a, ids.b, ids.r, ids.t, 'busy-run'];
    const tables = await store.select<{ table: string }>(`SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'run_id'`);
    for (const { table } of tables) {
      const [row] = await store.select<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE run_id IN {ids:Array(String)}`, { ids: gone });
      expect(Number(row.n), table).toBe(0);
    }
    const [kept] = await store.select<{ n: string }>(`SELECT count() AS n FROM events WHERE run_id = {id:String}`, { id: ids.c });
    expect(Number(kept.n)).toBe(logs.c.events.length);
  });
});
