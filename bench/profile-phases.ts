/**
 * Where `meterscope profile`'s time goes, for one file: the load, then each phase of computeProfile
 * (wall and process CPU seconds between phase starts, and the peak RSS reached by the end of each).
 * Same code path as the CLI (loadSources + computeProfile on a fresh embedded store).
 *
 *   npx tsx bench/profile-phases.ts bench/data/stripe-1M.jsonl
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/open.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources, resumeEventMerges } from '../src/ingest/load.js';
import { computeProfile } from '../src/profile/compute.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';

const file = path.resolve(process.argv[2] ?? '');
if (!fs.existsSync(file)) throw new Error('usage: profile-phases.ts <file>');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-phases-'));
const rows: [string, number, number, number][] = [];
let mark = { t: process.hrtime.bigint(), cpu: process.cpuUsage() };
let current = 'load';
const next = (name: string) => {
  const cpu = process.cpuUsage(mark.cpu);
  rows.push([current, Number(process.hrtime.bigint() - mark.t) / 1e9, (cpu.user + cpu.system) / 1e6, process.resourceUsage().maxRSS / 1024]);
  current = name;
  mark = { t: process.hrtime.bigint(), cpu: process.cpuUsage() };
};
try {
  const store = await openStore({ dataDir: dir });
  const started = process.hrtime.bigint();
  const sources = await resolveSources([file]);
  const loads = await loadSources(store, 'phases', sources, { mapping: DEFAULT_MAPPING, keepMergesPaused: true });
  try {
    await computeProfile(store, 'phases', 'profile', loads, {
      customerKey: DEFAULT_MAPPING.customerKey,
      valueKey: DEFAULT_MAPPING.valueKey,
      onPhase: next,
    });
  } finally {
    await resumeEventMerges(store);
  }
  next('');
  for (const [name, wall, cpu, rss] of rows) {
    console.log(`${name.padEnd(28)} ${wall.toFixed(2).padStart(7)} s wall ${cpu.toFixed(2).padStart(7)} s CPU ${rss.toFixed(0).padStart(6)} MiB peak RSS so far`);
  }
  console.log(`${'total'.padEnd(28)} ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2).padStart(7)} s wall`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
