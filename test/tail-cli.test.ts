/**
 * `meterscope tail` end to end with a writer process appending at a known rate: arrival rate,
 * exact totals, the same rows as `profile`, rotation by rename and by copy-truncate, stdin.
 * Expected figures come from the writer (what it wrote) and from plain SQL, not from tail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ROOT, runCli, sqlBatch, tempDir } from './support/helpers.js';
import type { Query } from '../src/store/sql.js';
import { goodIds, runWriter, startCli, waitFor, tailReportLine } from './support/tail-support.js';

/**
 * Tails a new file while the writer appends to it, then stops the tail with SIGTERM once the writer
 * is done (a stop reads what is in the file by then, so nothing waits for an idle timeout).
 */
async function tailWhileWriting(writerArgs: string[], tailArgs: string[] = []) {
  const dir = tempDir('meterscope-tail-');
  const file = path.join(dir, 'events.log');
  const data = path.join(dir, 'store');
  const tail = startCli(['tail', file, '--from', 'start', '--data-dir', data, ...tailArgs]);
  await waitFor(() => tail.lines.length > 0, 'the tail following (waiting for the file) before the writer starts');
  const writer = await runWriter(['--file', file, ...writerArgs]);
  tail.child.kill('SIGTERM');
  const res = await tail.done;
  expect(res.code, res.stderr).toBe(0);
  const report = tail.lines.find((l) => l.type === 'report');
  expect(report).toBeDefined();
  expect(report!.report.tail.stop).toBe('SIGTERM');
  return {
    dir,
    file,
    data,
    writer,
    report: report!.report,
    runId: report!.runId as string,
    intervals: tail.lines.filter((l) => l.type === 'interval'),
    stderr: res.stderr,
  };
}

/** The run's stored identifiers (sorted), with their count, distinct count and the highest line. */
const storedIdsQueries = (runId: string): Query[] => [
  { sql: `SELECT count() AS c, uniqExact(identifier) AS u, max(line) AS m FROM events WHERE run_id = {run:String}`, params: { run: runId } },
  { sql: `SELECT identifier FROM events WHERE run_id = {run:String} ORDER BY identifier`, params: { run: runId } },
];

function storedIds([[agg], ids]: Record<string, any>[][]): { ids: string[]; count: number; distinct: number; maxLine: number } {
  return { ids: ids.map((r) => r.identifier as string), count: Number(agg.c), distinct: Number(agg.u), maxLine: Number(agg.m) };
}

describe('meterscope tail', () => {
  // Runs alone in this file, so its own tests do not compete for the CPU while it measures; the
  // tests after it run at once.
  it('measures the arrival rate of a writer within 10%, stores every line, and gives the rows profile gives', async () => {
    const count = 6000;
    const badEvery = 97;
    const { data, file, writer, report, runId, intervals } = await tailWhileWriting([
      '--rate',
      '1000',
      '--count',
      String(count),
      '--bad-every',
      String(badEvery),
      '--split',
    ]);
    const arrival = report.tail.arrival;
    expect(arrival.lines).toBe(count);
    console.log(`arrival: tail measured avg ${arrival.avg}/s (peak ${arrival.peak}/s, p50 ${arrival.p50}/s); the writer wrote at ${writer.measuredRate.toFixed(1)}/s`);
    expect(Math.abs(arrival.avg - writer.measuredRate) / writer.measuredRate).toBeLessThan(0.1);

    const good = goodIds(count, badEvery);
    expect(report.events.total).toBe(good.length);
    expect(report.rejects.total).toBe(count - good.length);
    expect(report.sources[0].lines).toBe(count);

    // Batches: at least one per second of writing, each at most ~1 s after its lines arrived.
    expect(report.tail.batches).toBeGreaterThanOrEqual(4);
    const last = intervals.at(-1)!;
    expect(last.totals.events).toBe(good.length);
    expect(last.totals.rejects).toBe(count - good.length);
    // Live top event names, against a count from the writer's own ids (it names event i by i % 3).
    const byName = new Map<string, number>();
    for (const id of good) {
      const name = ['api_call', 'storage_gb', 'seat'][Number(id.slice(2)) % 3];
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(last.topEvents.map((e: { name: string; count: number }) => [e.name, e.count]))).toEqual(Object.fromEntries(byName));
    // The writer adds the key "plan" half-way: it is announced as new exactly once, after the others.
    const announced = intervals.flatMap((l) => l.keys.new as string[]);
    expect(announced.sort()).toEqual(['plan', 'region', 'stripe_customer_id', 'value']);
    const planAt = intervals.findIndex((l) => l.keys.new.includes('plan'));
    expect(planAt).toBeGreaterThan(intervals.findIndex((l) => l.keys.new.includes('region')));
    expect(intervals[planAt].totals.line).toBeGreaterThan(count / 2);

    // profile over the finished file gives the very same rows (same parser, same line numbers).
    const prof = await runCli(['profile', file, '--data-dir', data, '--json']);
    expect(prof.code, prof.stderr).toBe(0);
    const profRun = JSON.parse(prof.stdout).runId as string;
    const cols = 'event_time, event_name, customer, identifier, value, toString(properties) AS props, source, line, seq, format';
    const runs = { tail: runId, prof: profRun };
    const [agg, ids, [diff]] = await sqlBatch(data, [
      ...storedIdsQueries(runId),
      {
        sql: `SELECT
          (SELECT count() FROM (SELECT ${cols} FROM events WHERE run_id = {tail:String} EXCEPT SELECT ${cols} FROM events WHERE run_id = {prof:String})) +
          (SELECT count() FROM (SELECT ${cols} FROM events WHERE run_id = {prof:String} EXCEPT SELECT ${cols} FROM events WHERE run_id = {tail:String})) +
          (SELECT count() FROM (SELECT line, reason, raw FROM rejects WHERE run_id = {tail:String} EXCEPT SELECT line, reason, raw FROM rejects WHERE run_id = {prof:String})) AS n`,
        params: runs,
      },
    ]);
    const stored = storedIds([agg, ids]);
    expect(stored.ids).toEqual(good);
    expect(stored.distinct).toBe(stored.count);
    expect(Number(diff.n)).toBe(0);

    // The run is a normal run: report <run-id> re-renders it.
    const again = await runCli(['report', runId, '--data-dir', data, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).events.total).toBe(good.length);
  });

  it.concurrent('loses nothing across rotation by rename', async () => {
    const count = 3000;
    const { data, report, runId, stderr } = await tailWhileWriting([
      '--rate',
      '1000',
      '--count',
      String(count),
      '--rotate',
      'rename',
      '--rotate-every',
      '1000',
      '--split',
    ]);
    const stored = storedIds(await sqlBatch(data, storedIdsQueries(runId)));
    expect(stored.ids).toEqual(goodIds(count, 0));
    expect(stored.count).toBe(count);
    expect(stored.maxLine).toBe(count);
    expect(report.events.total).toBe(count);
    expect(stderr).toMatch(/rotated/);
  });

  it.concurrent('loses nothing across copy-truncate rotation', async () => {
    const count = 3000;
    const { data, report, runId, stderr } = await tailWhileWriting(['--rate', '1000', '--count', String(count), '--rotate', 'truncate', '--rotate-every', '1000']);
    const stored = storedIds(await sqlBatch(data, storedIdsQueries(runId)));
    expect(stored.ids).toEqual(goodIds(count, 0));
    expect(stored.count).toBe(count);
    expect(report.events.total).toBe(count);
    expect(stderr).toMatch(/truncated/);
  });

  it.concurrent("CSV: a rotated file's header line is not taken as data", async () => {
    const dir = tempDir('meterscope-tail-');
    const file = path.join(dir, 'usage.csv');
    const header = 'identifier,timestamp,event_name,stripe_customer_id,value\n';
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `c-${from + i},${1700000000 + from + i},api_call,cus_${(from + i) % 3},${i % 4}\n`).join('');
    fs.writeFileSync(file, header + rows(0, 40));
    const tail = startCli(['tail', file, '--from', 'start', '--interval', '0.2', '--data-dir', path.join(dir, 'store')]);
    const stored = (n: number) => () => tail.lines.some((l) => l.type === 'interval' && l.totals.line >= n);
    await waitFor(stored(41), 'the first file stored');
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, header + rows(40, 25));
    await waitFor(stored(41 + 26), 'the new file stored');
    tail.child.kill('SIGTERM');
    const res = await tail.done;
    expect(res.code, res.stderr).toBe(0);
    const report = tail.lines.find((l) => l.type === 'report')!.report;
    expect(report.sources[0].format).toBe('csv');
    expect(report.events.total).toBe(65);
    expect(report.rejects.total).toBe(0);
    expect(report.sources[0].lines).toBe(41 + 26);
  });

  it.concurrent('works against a ClickHouse server over HTTP, crash and resume included', async () => {
    // test/support/chdb-http-server.ts: ClickHouse's HTTP interface over chDB in another process.
    const shim = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('shim-'), 'pw'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        shim.stdout!.on('data', (d) => {
          const m = /listening (\d+)/.exec(String(d));
          if (m) resolve(`http://127.0.0.1:${m[1]}`);
        });
        shim.on('exit', (c) => reject(new Error(`shim exited ${c}`)));
      });
      const dir = tempDir('meterscope-tail-');
      const file = path.join(dir, 'events.log');
      await runWriter(['--file', file, '--rate', '5000', '--count', '1200', '--bad-every', '40']);
      const server = ['--clickhouse', url, '--ch-database', 'tailtest'];
      const env = { CLICKHOUSE_PASSWORD: 'pw' };
      const crashed = startCli(['tail', file, '--from', 'start', '--batch-bytes', '30000', '--test-crash-before-checkpoint', '2', ...server], { env });
      await waitFor(() => crashed.lines.length > 0, 'first output of the tail');
      fs.appendFileSync(file, fs.readFileSync(file, 'utf8').replace(/"w-/g, '"v-')); // more lines while it runs
      expect((await crashed.done).signal).toBe('SIGKILL');
      const runId = crashed.lines[0].runId as string;
      const resumed = startCli(['tail', '--resume', runId, '--idle-exit', '0.5', ...server], { env: { CLICKHOUSE_PASSWORD: 'pw' } });
      const res = await resumed.done;
      expect(res.code, res.stderr).toBe(0);
      const report = resumed.lines.find((l) => l.type === 'report')!.report;
      expect(report.events.total).toBe(2 * goodIds(1200, 40).length);
      expect(report.rejects.total).toBe(2 * (1200 - goodIds(1200, 40).length));
      expect(report.sources[0].lines).toBe(2400);
      // The crash comes after the 2nd batch's rows are stored; how many lines that batch holds depends on
      // how the reads fell around the append (timing), so only: some rows were rolled back.
      expect(report.tail.rolledBack.events + report.tail.rolledBack.rejects).toBeGreaterThan(0);
    } finally {
      shim.kill();
    }
  });

  it.concurrent('reads stdin to its end, the last line without a newline included', async () => {
    const dir = tempDir('meterscope-tail-');
    const lines = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ identifier: `s-${i}`, timestamp: 1700000000 + (i % 60), event_name: 'api_call', payload: { stripe_customer_id: 'cus_1', value: 1 } }),
    );
    const res = await runCli(['tail', '-', '--data-dir', path.join(dir, 'store')], { stdin: `${lines.join('\n')}\nnot json` });
    expect(res.code, res.stderr).toBe(0);
    const report = tailReportLine(res.stdout);
    expect(report.report.tail.stop).toBe('end of input');
    expect(report.report.events.total).toBe(500);
    expect(report.report.rejects.examples[0]).toMatchObject({ source: '-', line: 501, reason: 'invalid JSON' });
  });

  it.concurrent('explains bad usage in one sentence', async () => {
    const dir = tempDir('meterscope-tail-');
    const noInput = await runCli(['tail', '--data-dir', path.join(dir, 'store')]);
    expect(noInput.code).not.toBe(0);
    expect(noInput.stderr).toMatch(/name a file to follow/);
    const badFlush = await runCli(['tail', 'x.log', '--flush-ms', '5000', '--data-dir', path.join(dir, 'store')]);
    expect(badFlush.stderr).toMatch(/--flush-ms must be at most 1000/);
    fs.mkdirSync(path.join(dir, 'adir'));
    const isDir = await runCli(['tail', path.join(dir, 'adir'), '--data-dir', path.join(dir, 'store')]);
    expect(isDir.stderr).toMatch(/is a directory/);
    const unknownRun = await runCli(['tail', '--resume', 'nope', '--data-dir', path.join(dir, 'store')]);
    expect(unknownRun.stderr).toMatch(/no run with id nope/);
    for (const r of [noInput, badFlush, isDir, unknownRun]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
