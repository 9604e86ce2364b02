/**
 * `npm run bench`: generates the datasets once (bench/data/, cached), runs each system on each in a
 * fresh process, checks that all computed exactly the same figures, and reports wall time,
 * events/s, peak RSS and the ratios against the targets (bench/RESULTS.md). The floor keeps the log
 * in memory; `floor-disk` runs its SQL on disk under meterscope's memory bounds (no target: it shows
 * what the in-memory floor's lead is made of).
 *
 *   npm run bench -- [--sizes 1k,1M,5M,20M] [--repeat 3] [--systems meterscope,floor,floor-disk,duckdb,naive]
 *                    [--quiet 0.1] [--memory-limit 16]
 * --quiet f: before each run, wait until the CPU is less than f busy (others' work on a shared box).
 * --memory-limit g: cap the floor's and DuckDB's memory at g GiB (floor-disk keeps meterscope's bounds
 *   instead); a peer that runs out is reported as failed (after how long, and why) instead of stopping
 *   the benchmark.
 * Fails (exit 1) when any system disagrees with the floor's figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDataset, label } from './dataset.js';
import { diffFigures, type Figures } from './figures.js';
import { busyShare, loadAverage, median } from './measure.js';
import { BENCH_DIR, SYSTEM_NAMES, runSystem, type Run, type SystemName } from './systems.js';

export const TARGETS = { floorRatio: 1.3, duckdbFactor: 1.0, naiveFactor: 3, rssBytes: 1024 ** 3, smallWallSeconds: 0.45 };

/** The targets for one size (issue: ≤ 1.5 × floor up to 1M; DuckDB and naive factors at 5M and up; a small file end to end in ≤ 0.45 s). */
export function targetsFor(events: number): { floorRatio: number; duckdbFactor: number; naiveFactor: number; wallSeconds?: number } {
  if (events <= 10_000) return { floorRatio: Infinity, duckdbFactor: 0, naiveFactor: 0, wallSeconds: TARGETS.smallWallSeconds };
  if (events < 5_000_000) return { floorRatio: 1.5, duckdbFactor: 0, naiveFactor: 0 };
  return { floorRatio: TARGETS.floorRatio, duckdbFactor: events >= 20_000_000 ? TARGETS.duckdbFactor : 0, naiveFactor: TARGETS.naiveFactor };
}

export interface SystemResult {
  system: SystemName;
  wallSeconds: number[];
  peakRssBytes: number[];
  cpuSeconds: number[];
  /** Runs that failed under --memory-limit: after how long, and the error's last line. */
  failures?: { wallSeconds: number; reason: string }[];
}

export interface SizeResult {
  events: number;
  file: string;
  bytes: number;
  systems: SystemResult[];
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`--sizes: "${s}" is not a size like 10k or 5M`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1));
}

/** Waits (bounded, 15 min) until others use less than `max` of the CPU; returns the share seen. */
async function waitQuiet(max: number, log: (s: string) => void): Promise<number> {
  const deadline = Date.now() + 15 * 60_000;
  let busy = await busyShare();
  while (busy >= max && Date.now() < deadline) {
    log(`  machine ${(busy * 100).toFixed(0)} % busy: waiting for it to be quiet…`);
    await new Promise((r) => setTimeout(r, 10_000));
    busy = await busyShare();
  }
  return busy;
}

/**
 * Runs every system `repeat` times on one dataset, round-robin (so load drift hits all alike),
 * checking every run's figures against the floor's first run.
 */
export async function benchFile(
  file: string,
  events: number,
  opts: { systems: SystemName[]; repeat: number; quietBusy?: number; memoryLimitBytes?: number; log?: (s: string) => void },
): Promise<SizeResult> {
  const log = opts.log ?? (() => {});
  const results = new Map<SystemName, SystemResult>(opts.systems.map((s) => [s, { system: s, wallSeconds: [], peakRssBytes: [], cpuSeconds: [] }]));
  // The floor goes first so its figures are the reference for everyone (including later floor runs).
  const order = [...opts.systems].sort((a, b) => Number(b === 'floor') - Number(a === 'floor'));
  let reference: { system: SystemName; figures: Figures } | undefined;
  for (let i = 0; i < opts.repeat; i++) {
    for (const system of order) {
      const busy = opts.quietBusy === undefined ? await busyShare(1000) : await waitQuiet(opts.quietBusy, log);
      const started = Date.now();
      let run: Run;
      try {
        run = await runSystem(system, file, { memoryLimitBytes: opts.memoryLimitBytes });
      } catch (e) {
        // Under a memory cap a peer may run out: recorded, not fatal (meterscope failing still is).
        if (!opts.memoryLimitBytes || system === 'meterscope') throw e;
        const lines = String(e instanceof Error ? e.message : e).split('\n');
        const reason = (lines.find((l) => /memory/i.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines[0]).trim().slice(0, 200);
        const failure = { wallSeconds: (Date.now() - started) / 1000, reason };
        (results.get(system)!.failures ??= []).push(failure);
        log(`  ${system.padEnd(10)} run ${i + 1}: failed after ${failure.wallSeconds.toFixed(1)} s: ${reason}`);
        continue;
      }
      reference ??= { system, figures: run.figures };
      const diff = diffFigures(reference.figures, run.figures);
      if (diff.length) {
        throw new Error(`${system} disagrees with ${reference.system} on ${path.basename(file)}:\n  ${diff.join('\n  ')}`);
      }
      const r = results.get(system)!;
      r.wallSeconds.push(run.wallSeconds);
      r.peakRssBytes.push(run.peakRssBytes);
      r.cpuSeconds.push(run.cpuSeconds);
      log(
        `  ${system.padEnd(10)} run ${i + 1}: ${run.wallSeconds.toFixed(2)} s, ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak RSS, ${run.cpuSeconds.toFixed(1)} s CPU (others busy before: ${(busy * 100).toFixed(0)} %) — figures agree`,
      );
    }
  }
  return { events, file, bytes: fs.statSync(file).size, systems: [...results.values()] };
}

const fmtN = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)} k` : x.toFixed(0));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** The markdown table of RESULTS.md: medians per system, then the ratios against the targets. */
export function resultsTable(sizes: SizeResult[]): string {
  const lines = ['| events | file | system | wall (median) | runs | events/s | peak RSS | CPU s |', '| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |'];
  for (const s of sizes) {
    for (const r of s.systems) {
      if (r.wallSeconds.length === 0) {
        const f = r.failures?.[0];
        lines.push(
          `| ${label(s.events)} | ${mib(s.bytes)} | ${r.system} | failed${f ? ` after ${f.wallSeconds.toFixed(1)} s: ${f.reason.replace(/\|/g, '/')}` : ''} | | | | |`,
        );
        continue;
      }
      const wall = median(r.wallSeconds);
      lines.push(
        `| ${label(s.events)} | ${mib(s.bytes)} | ${r.system} | ${wall.toFixed(2)} s | ${r.wallSeconds.map((w) => w.toFixed(2)).join(' / ')} | ${fmtN(s.events / wall)} | ${mib(median(r.peakRssBytes))} | ${median(r.cpuSeconds).toFixed(1)} |`,
      );
    }
  }
  lines.push(
    '',
    '| events | meterscope wall | meterscope / floor | meterscope / floor-disk | DuckDB / meterscope | naive / meterscope | meterscope peak RSS (< 1 GiB) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of sizes) {
    const wall = (n: SystemName) => {
      const r = s.systems.find((x) => x.system === n);
      return r && r.wallSeconds.length ? median(r.wallSeconds) : NaN;
    };
    const t = targetsFor(s.events);
    const ms = wall('meterscope');
    const rss = s.systems.find((x) => x.system === 'meterscope');
    // A target of 0 / Infinity is none at this size: the ratio is shown without a verdict.
    const cell = (v: number, ok: boolean, target: string | null) =>
      Number.isNaN(v) ? '–' : target === null ? v.toFixed(2) : `${v.toFixed(2)} (${target}) ${ok ? 'met' : '**not met**'}`;
    const peak = rss ? Math.max(...rss.peakRssBytes) : NaN;
    const fl = ms / wall('floor');
    const fd = ms / wall('floor-disk');
    const dk = wall('duckdb') / ms;
    const nv = wall('naive') / ms;
    lines.push(
      `| ${label(s.events)} | ${cell(ms, ms <= (t.wallSeconds ?? Infinity), t.wallSeconds ? `≤ ${t.wallSeconds} s` : null)} | ${cell(fl, fl <= t.floorRatio, Number.isFinite(t.floorRatio) ? `≤ ${t.floorRatio}` : null)} | ${cell(fd, true, null)} | ${cell(dk, dk >= t.duckdbFactor, t.duckdbFactor ? `≥ ${t.duckdbFactor}` : null)} | ${cell(nv, nv >= t.naiveFactor, t.naiveFactor ? `≥ ${t.naiveFactor}` : null)} | ${Number.isNaN(peak) ? '–' : `${mib(peak)} ${peak < TARGETS.rssBytes ? 'met' : '**not met**'}`} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1k,1M,5M,20M' },
      repeat: { type: 'string', default: '3' },
      systems: { type: 'string', default: SYSTEM_NAMES.join(',') },
      quiet: { type: 'string' },
      data: { type: 'string', default: path.join(BENCH_DIR, 'data') },
      'memory-limit': { type: 'string' },
    },
  });
  const sizes = values.sizes!.split(',').map(parseSize);
  const repeat = Number(values.repeat);
  const systems = values.systems!.split(',').map((s) => s.trim()) as SystemName[];
  for (const s of systems) if (!SYSTEM_NAMES.includes(s)) throw new Error(`--systems: unknown system "${s}" (${SYSTEM_NAMES.join(', ')})`);
  const quietBusy = values.quiet === undefined ? undefined : Number(values.quiet);
  const memoryLimitBytes = values['memory-limit'] === undefined ? undefined : Math.floor(Number(values['memory-limit']) * 2 ** 30);
  const log = (s: string) => process.stderr.write(`${s}\n`);

  const out: SizeResult[] = [];
  for (const n of sizes) {
    const t = Date.now();
    const file = await ensureDataset(values.data!, n);
    log(`${label(n)} events: ${file} (${mib(fs.statSync(file).size)}, ready in ${((Date.now() - t) / 1000).toFixed(1)} s)`);
    log(
      `  load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    out.push(await benchFile(file, n, { systems, repeat, quietBusy, memoryLimitBytes, log }));
  }
  const table = resultsTable(out);
  const cache = path.join(BENCH_DIR, '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(cache, `results-${stamp}.json`), JSON.stringify({ at: new Date().toISOString(), load: loadAverage(), sizes: out }, null, 2));
  process.stdout.write(`${table}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(BENCH_DIR, 'run.ts')) {
  main().catch((e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : e}\n`);
    process.exit(1);
  });
}
