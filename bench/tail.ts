/**
 * Streaming-path benchmark (tail and stdin): for each meterscope build given (--bin, repeatable:
 * e.g. the branch's start and its tip), interleaved round-robin so a noisy machine hits all alike:
 *   1. `profile FILE` and `profile - < FILE`: load seconds (the report's sources[].seconds), whole
 *      command wall and CPU seconds, peak RSS;
 *   2. `tail FILE --from start --idle-exit 3` catch-up: seconds from spawn until the last line is
 *      stored (the live JSON lines' totals.line, --interval 0.1), lines/s, CPU seconds by then;
 *   3. live: a writer (bench/live-writer.mjs) appends at each --rates for --seconds while tail
 *      follows from the end: lag between a line's write and the snapshot that first shows it
 *      stored (p50/p99/max, ±0.1 s), tail's measured arrival rate vs the writer's, exact totals,
 *      peak RSS, CPU seconds.
 *
 *   npx tsx bench/tail.ts --file /tmp/stream-1M.jsonl --bin bin/meterscope.js --bin /tmp/base/bin/meterscope.js \
 *     [--repeat 2] [--rates 20000,50000,100000] [--seconds 60] [--skip profile,catchup,live]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';

interface Args {
  file: string;
  bins: string[];
  repeat: number;
  rates: number[];
  seconds: number;
  skip: Set<string>;
}

function parseArgs(argv: string[]): Args {
  const all = (name: string) => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
  const one = (name: string, dflt: string) => all(name).at(-1) ?? dflt;
  const file = one('file', '');
  if (!file || !fs.existsSync(file)) throw new Error('--file FILE (a JSONL file, e.g. from meterscope generate) is needed');
  const bins = all('bin');
  return {
    file,
    bins: bins.length ? bins : ['bin/meterscope.js'],
    repeat: Number(one('repeat', '1')),
    rates: one('rates', '20000,50000,100000').split(',').map(Number),
    seconds: Number(one('seconds', '60')),
    skip: new Set(one('skip', '').split(',').filter(Boolean)),
  };
}

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICK = 100;

/** CPU seconds (user + system) and peak RSS of a live process, from /proc. */
function procUsage(pid: number): { cpu: number; rssMiB: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / TICK;
    const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, rssMiB: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return { cpu: NaN, rssMiB: NaN };
  }
}

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tail-'));
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Runs to the end under GNU time; returns stdout, wall, CPU, peak RSS. */
async function timed(bin: string, args: string[], stdinFile?: string): Promise<{ stdout: string; wall: number; cpu: number; rssMiB: number }> {
  const tf = path.join(os.tmpdir(), `bench-time-${process.pid}`);
  const started = performance.now();
  const stdin = stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore';
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', tf, process.execPath, bin, ...args], { stdio: [stdin, 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  const wall = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')}: exit ${code}`);
  const [rss, u, s] = fs.readFileSync(tf, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { stdout, wall, cpu: u + s, rssMiB: rss / 1024 };
}

async function profileRun(bin: string, file: string, viaStdin: boolean) {
  const args = ['profile', '--json', viaStdin ? '-' : file, '--data-dir', dataDir()];
  const r = await timed(bin, args, viaStdin ? file : undefined);
  const report = JSON.parse(r.stdout) as { sources: { seconds: number; events: number }[] };
  return {
    path: viaStdin ? 'profile - < FILE' : 'profile FILE',
    load: report.sources[0].seconds,
    wall: round(r.wall),
    cpu: round(r.cpu),
    rssMiB: Math.round(r.rssMiB),
    events: report.sources[0].events,
  };
}

interface Snapshot {
  type: string;
  totals?: { line: number };
  report?: TailFinal;
}
interface TailFinal {
  events: { total: number; rejected: number };
  tail: { arrival: { avg: number; lines: number }; batches: number };
}

/** Starts `tail --json --interval 0.1`; calls onLine(receivedAt, snapshot) for every JSON line. */
function startTail(bin: string, args: string[], onLine: (at: number, s: Snapshot) => void): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [bin, 'tail', ...args, '--json', '--interval', '0.1', '--data-dir', dataDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) onLine(Date.now(), JSON.parse(l) as Snapshot);
  });
  return { child, done: new Promise((res) => child.on('close', (c) => res(c ?? -1))) };
}

async function catchUp(bin: string, file: string, lines: number) {
  const copy = path.join(os.tmpdir(), `bench-tail-src-${process.pid}.jsonl`);
  fs.copyFileSync(file, copy);
  const started = Date.now();
  let reached: { s: number; cpu: number; rssMiB: number } | undefined;
  let final: TailFinal | undefined;
  const t = startTail(bin, [copy, '--from', 'start', '--idle-exit', '3'], (at, s) => {
    if (!reached && s.totals && s.totals.line >= lines) reached = { s: (at - started) / 1000, ...procUsage(t.child.pid!) };
    if (s.type === 'report') final = s.report;
  });
  await t.done;
  fs.rmSync(copy, { force: true });
  if (!reached || !final) throw new Error(`${bin}: tail did not store all ${lines} lines`);
  return {
    seconds: round(reached.s),
    linesPerS: Math.round(lines / reached.s),
    cpu: round(reached.cpu),
    rssMiB: Math.round(reached.rssMiB),
    batches: final.tail.batches,
    events: final.events.total,
  };
}

async function live(bin: string, rate: number, seconds: number) {
  const file = path.join(os.tmpdir(), `bench-live-${process.pid}.jsonl`);
  fs.writeFileSync(file, '');
  const stored: [number, number][] = [];
  let final: TailFinal | undefined;
  let ready!: () => void;
  const started = new Promise<void>((res) => (ready = res));
  const t = startTail(bin, [file, '--from', 'end'], (at, s) => {
    if (s.totals) stored.push([at, s.totals.line]);
    if (s.type === 'report') final = s.report;
    ready();
  });
  await started;
  const before = procUsage(t.child.pid!);
  const writer = spawn(process.execPath, [path.join(import.meta.dirname, 'live-writer.mjs'), '--file', file, '--rate', String(rate), '--seconds', String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  writer.stdout!.on('data', (d) => (out += d));
  await new Promise((res) => writer.on('close', res));
  const w = JSON.parse(out) as { written: number; measuredRate: number; writes: [number, number][] };
  for (let waited = 0; (stored.at(-1)?.[1] ?? 0) < w.written && waited < 60_000; waited += 100) await new Promise((res) => setTimeout(res, 100));
  const after = procUsage(t.child.pid!);
  const behind = w.written - (stored.at(-1)?.[1] ?? 0);
  t.child.kill('SIGINT');
  // A tail far behind would store its whole backlog before reporting: give up on its report then.
  const gaveUp = setTimeout(() => t.child.kill('SIGKILL'), 30_000);
  await t.done;
  clearTimeout(gaveUp);
  fs.rmSync(file, { force: true });
  return {
    rate,
    behindAtEnd: behind,
    ...lagOf(w.writes, stored),
    writerRate: Math.round(w.measuredRate),
    arrivalRate: Math.round(final?.tail.arrival.avg ?? NaN),
    written: w.written,
    events: final?.events.total,
    rejects: final?.events.rejected,
    cpu: round(after.cpu - before.cpu),
    rssMiB: Math.round(after.rssMiB),
  };
}

/** Per line: the first snapshot showing it stored, minus when it was written (weighted by lines). */
function lagOf(writes: [number, number][], stored: [number, number][]) {
  const lags: [number, number][] = [];
  let i = 0;
  let prev = 0;
  for (const [at, n] of writes) {
    while (i < stored.length && stored[i][1] < n) i++;
    lags.push([i < stored.length ? (stored[i][0] - at) / 1000 : Infinity, n - prev]);
    prev = n;
  }
  lags.sort((a, b) => a[0] - b[0]);
  const total = prev;
  const pct = (p: number) => {
    let seen = 0;
    for (const [lag, n] of lags) if ((seen += n) >= total * p) return round(lag);
    return round(lags.at(-1)![0]);
  };
  return { lagP50: pct(0.5), lagP99: pct(0.99), lagMax: round(lags.at(-1)![0]) };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const bytes = fs.readFileSync(a.file);
  let lines = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  const results: Record<string, unknown>[] = [];
  const log = (r: Record<string, unknown>) => {
    results.push(r);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  };
  for (let rep = 0; rep < a.repeat; rep++) {
    for (const bin of a.bins) {
      if (!a.skip.has('profile')) {
        log({ bin, bench: 'profile', ...(await profileRun(bin, a.file, false)) });
        log({ bin, bench: 'profile', ...(await profileRun(bin, a.file, true)) });
      }
      if (!a.skip.has('catchup')) log({ bin, bench: 'catchup', ...(await catchUp(bin, a.file, lines)) });
    }
  }
  if (!a.skip.has('live')) for (const rate of a.rates) for (const bin of a.bins) log({ bin, bench: 'live', ...(await live(bin, rate, a.seconds)) });
  fs.writeFileSync(path.join(os.tmpdir(), 'bench-tail-results.json'), JSON.stringify(results, null, 1));
}

await main();
