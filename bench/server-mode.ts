/**
 * Server mode against embedded (issue 17): `profile FILE` in embedded chDB and `profile FILE
 * --clickhouse URL` through the ClickHouse-HTTP test front (test/support/chdb-http-server.ts, chDB
 * in its own process on loopback), interleaved round-robin so a noisy machine hits both alike. For
 * each meterscope build given (--bin, repeatable: e.g. the branch's start and its tip; each build's
 * own front is used) and each run: whole-command wall seconds, the load's seconds (the report's
 * sources[].seconds), CPU seconds of the meterscope process (GNU time) and of the front (/proc, the
 * run's share), and the ratio of the medians.
 *
 *   npx tsx bench/server-mode.ts --file /tmp/pipe-1M.jsonl [--bin bin/meterscope.js] [--repeat 3] [--quiet 0.3] [-- extra profile flags]
 *
 * --quiet f: before each pair of runs, wait (up to 3 minutes) until others use less than f of the CPU.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { busyShare, measure, median } from './measure.js';

const PASSWORD = 'bench';
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICK = 100;

interface Args {
  file: string;
  bins: string[];
  repeat: number;
  quiet?: number;
  extra: string[];
}

function parseArgs(argv: string[]): Args {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const all = (name: string) => own.flatMap((a, i) => (a === `--${name}` ? [own[i + 1]] : []));
  const file = all('file').at(-1) ?? '';
  if (!file || !fs.existsSync(file)) throw new Error('--file FILE (a JSONL file, e.g. from meterscope generate) is needed');
  const bins = all('bin');
  return {
    file,
    bins: (bins.length ? bins : ['bin/meterscope.js']).map((b) => path.resolve(b)),
    repeat: Number(all('repeat').at(-1) ?? '3'),
    quiet: all('quiet').length ? Number(all('quiet').at(-1)) : undefined,
    extra: dash === -1 ? [] : argv.slice(dash + 1),
  };
}

/** CPU seconds (user + system) a live process has used so far. */
function cpuOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

interface Front {
  url: string;
  pid: number;
  child: ChildProcess;
}

/** The build's own test front (its repository root is the folder above bin/), on a free loopback port. */
async function startFront(bin: string): Promise<Front> {
  const root = path.dirname(path.dirname(bin));
  const script = path.join(root, 'test/support/chdb-http-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, fs.mkdtempSync(path.join(os.tmpdir(), 'bench-front-')), PASSWORD], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.on('exit', (c) => reject(new Error(`front exited ${c}`)));
  });
  return { url, pid: child.pid!, child };
}

interface Sample {
  wall: number;
  load: number;
  cpu: number;
  frontCpu: number;
}

async function profile(bin: string, file: string, extra: string[], front?: Front, run = 0): Promise<Sample> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-server-mode-'));
  const server = front ? ['--clickhouse', front.url, '--ch-password', PASSWORD, '--ch-database', `bench_${process.pid}_${run}`] : [];
  const before = front ? cpuOf(front.pid) : 0;
  try {
    const m = await measure(process.execPath, [bin, 'profile', file, '--json', '--data-dir', dataDir, ...server, ...extra]);
    const report = JSON.parse(m.stdout) as { sources: { seconds: number }[] };
    const frontCpu = front ? cpuOf(front.pid) - before : 0;
    return { wall: m.wallSeconds, load: report.sources.reduce((s, x) => s + x.seconds, 0), cpu: m.cpuSeconds, frontCpu };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (front) await dropDatabase(bin, front, run);
  }
}

/** Each server run writes to a database of its own; removed afterwards so the front's disk stays small. */
async function dropDatabase(bin: string, front: Front, run: number): Promise<void> {
  const r = spawn(process.execPath, [bin, 'sql', `DROP DATABASE IF EXISTS bench_${process.pid}_${run}`, '--clickhouse', front.url, '--ch-password', PASSWORD], {
    stdio: 'ignore',
  });
  await new Promise((res) => r.on('close', res));
}

/** Waits until the machine is less than `share` busy (at most 3 minutes); returns the share seen. */
async function waitQuiet(share: number | undefined): Promise<number> {
  let busy = await busyShare(2000);
  for (let waited = 0; share !== undefined && busy > share && waited < 180; waited += 2) busy = await busyShare(2000);
  return busy;
}

const fmt = (xs: number[]) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(', ')})`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const fronts = new Map<string, Front>();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      for (const f of fronts.values()) f.child.kill();
      process.exit(130);
    });
  }
  for (const bin of args.bins) fronts.set(bin, await startFront(bin));
  const results = new Map<string, { embedded: Sample[]; server: Sample[] }>(args.bins.map((b) => [b, { embedded: [], server: [] }]));
  try {
    for (let r = 0; r < args.repeat; r++) {
      for (const bin of args.bins) {
        const res = results.get(bin)!;
        const busy = await waitQuiet(args.quiet);
        res.embedded.push(await profile(bin, args.file, args.extra));
        res.server.push(await profile(bin, args.file, args.extra, fronts.get(bin), r));
        const [e, s] = [res.embedded.at(-1)!, res.server.at(-1)!];
        process.stderr.write(
          `run ${r + 1} ${bin} (machine ${(busy * 100).toFixed(0)} % busy before): embedded ${e.wall.toFixed(2)} s (load ${e.load.toFixed(2)}, cpu ${e.cpu.toFixed(2)}), ` +
            `server ${s.wall.toFixed(2)} s (load ${s.load.toFixed(2)}, cpu ${s.cpu.toFixed(2)} + front ${s.frontCpu.toFixed(2)})\n`,
        );
      }
    }
  } finally {
    for (const f of fronts.values()) f.child.kill();
  }
  console.log(`file ${args.file} (${(fs.statSync(args.file).size / 2 ** 20).toFixed(0)} MiB), ${args.repeat} runs; medians (runs)`);
  for (const bin of args.bins) {
    const { embedded: e, server: s } = results.get(bin)!;
    const ratio = median(s.map((x) => x.wall)) / median(e.map((x) => x.wall));
    console.log(`\n${bin}`);
    console.log(`  embedded wall s   ${fmt(e.map((x) => x.wall))}`);
    console.log(`  embedded load s   ${fmt(e.map((x) => x.load))}`);
    console.log(`  embedded CPU s    ${fmt(e.map((x) => x.cpu))}`);
    console.log(`  server wall s     ${fmt(s.map((x) => x.wall))}`);
    console.log(`  server load s     ${fmt(s.map((x) => x.load))}`);
    console.log(`  server CPU s      ${fmt(s.map((x) => x.cpu))} client + ${fmt(s.map((x) => x.frontCpu))} front`);
    console.log(`  server / embedded ${ratio.toFixed(2)}× wall`);
  }
}

await main();
