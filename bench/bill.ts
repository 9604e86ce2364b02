/**
 * `meterscope bill` on 1M events: the log the issue names (`meterscope generate -n 1000000 -o
 * /tmp/x.jsonl`: 3 event names, ~28 h, one calendar month), profiled once into a fresh embedded
 * store, then billed by month with 3 metrics, each bill in a fresh process (wall time, CPU time =
 * user + system of the process, peak RSS; median of --repeat runs):
 *   drafts  — the run's own billable-metric drafts (one per event name; the drafts group by
 *             user_id, tier, region and model: ~700k usage lines, the heavy case);
 *   metrics — a --metrics file: SUM of value by region, COUNT, UNIQUE user_id (low-cardinality groups).
 *
 *   npm run build && npx tsx bench/bill.ts [/tmp/x.jsonl] [--repeat 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { busyShare, measure, median, type Measurement } from './measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'meterscope.js');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { repeat: { type: 'string', default: '3' } } });
const file = path.resolve(positionals[0] ?? '/tmp/x.jsonl');
const repeat = Number(values.repeat);

const METRICS = [
  {
    name: 'api value by region',
    aggregation_type: 'SUM',
    aggregation_key: 'value',
    event_type_filter: { in_values: ['api_request'] },
    property_filters: [
      { name: 'value', exists: true },
      { name: 'region', exists: true },
    ],
    group_keys: [['region']],
  },
  { name: 'events', aggregation_type: 'COUNT' },
  {
    name: 'token users',
    aggregation_type: 'UNIQUE',
    aggregation_key: 'user_id',
    event_type_filter: { in_values: ['tokens'] },
    property_filters: [{ name: 'user_id', exists: true }],
  },
];

const s = (m: Measurement) => `${m.wallSeconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU, ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak RSS`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-bill-'));
try {
  if (!fs.existsSync(file)) {
    console.log(`generating ${file}`);
    await measure(process.execPath, [CLI, 'generate', '-n', '1000000', '-o', file, '--quiet']);
  }
  const dataDir = path.join(dir, 'store');
  const metricsFile = path.join(dir, 'metrics.json');
  fs.writeFileSync(metricsFile, JSON.stringify(METRICS));
  const profile = await measure(process.execPath, [CLI, 'profile', file, '--data-dir', dataDir, '--json']);
  const run = (JSON.parse(profile.stdout) as { runId: string; events: { total: number } }).runId;
  console.log(`profile ${path.basename(file)}: ${s(profile)} (run ${run})`);
  for (const [name, extra] of [
    ['drafts', []],
    ['metrics', ['--metrics', metricsFile]],
  ] as const) {
    const runs: Measurement[] = [];
    let summary = '';
    for (let i = 0; i < repeat; i++) {
      const busy = await busyShare(2000);
      const m = await measure(process.execPath, [CLI, 'bill', run, '--data-dir', dataDir, '--json', ...extra]);
      const b = JSON.parse(m.stdout) as { events: number; metrics: { billedEvents: number }[]; usage: unknown[]; computeSeconds: number };
      summary = `${b.events} events, ${b.metrics.length} metrics, ${b.usage.length} usage lines, computeSeconds ${b.computeSeconds}`;
      console.log(`  bill (${name}) #${i + 1}: ${s(m)}; others used ${(busy * 100).toFixed(0)} % of the CPU before; ${summary}`);
      runs.push(m);
    }
    const med = (f: (m: Measurement) => number) => median(runs.map(f));
    console.log(
      `bill (${name}), median of ${repeat}: ${med((m) => m.wallSeconds).toFixed(2)} s wall, ${med((m) => m.cpuSeconds).toFixed(2)} s CPU, ${(med((m) => m.peakRssBytes) / 2 ** 20).toFixed(0)} MiB peak RSS`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
