// Replay benchmark: meterscope replay's maximum request rate vs autocannon against the same
// minimal HTTP target on loopback (same number of connections), then replay's schedule lag at
// 50% of its measured maximum. Writes bench/replay/results.json (and prints a summary).
//
//   npm run build && node bench/replay/bench.mjs [--connections 10] [--duration 15] [--events 400000] [--rounds 2]
//
// The target runs in its own process; the load generator under test runs in another.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const C = arg('connections', 10);
const D = arg('duration', 15);
const N = arg('events', 400_000);
const ROUNDS = arg('rounds', 2);
const PORT = arg('port', 12300);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-replay-'));
const dataDir = path.join(work, 'store');
const log = path.join(work, 'events.jsonl');
const targetUrl = `http://127.0.0.1:${PORT}/`;

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`))));
  });
}

function writeLog() {
  const start = Math.floor(Date.now() / 1000) - 3600;
  const fd = fs.openSync(log, 'w');
  let buf = [];
  for (let i = 0; i < N; i++) {
    buf.push(
      JSON.stringify({
        identifier: `bench-${i}`,
        timestamp: start + Math.floor(i / 200),
        event_name: 'api_call',
        payload: { stripe_customer_id: `cus_${i % 997}`, value: String((i % 9) + 1), region: ['eu', 'us', 'ap'][i % 3] },
      }),
    );
    if (buf.length === 10_000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, `${buf.join('\n')}\n`);
  fs.closeSync(fd);
}

const cli = (args) => run(process.execPath, [path.join(ROOT, 'bin/meterscope.js'), ...args, '--data-dir', dataDir, '--json']).then((o) => JSON.parse(o));
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main() {
  writeLog();
  const target = spawn(process.execPath, [path.join(ROOT, 'bench/replay/target.mjs'), String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => target.stdout.once('data', r));
  const results = {
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      kernel: os.release(),
      autocannon: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version,
      undici: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/undici/package.json'), 'utf8')).version,
    },
    settings: { connections: C, duration_s: D, events: N, rounds: ROUNDS },
    runs: [],
  };
  try {
    // Load the log once (the load is not part of any measurement): a 1-event replay from the file.
    const loaded = await cli(['replay', log, '--target', targetUrl, '--protocol', 'raw', '--max', '--limit', '1']);
    const runId = loaded.sourceRunId;
    // One typical body for autocannon: the raw protocol's encoding of the first event.
    const body = JSON.stringify({
      identifier: 'bench-0',
      timestamp: new Date().toISOString(),
      event_name: 'api_call',
      customer: 'cus_0',
      value: 1,
      properties: { stripe_customer_id: 'cus_0', value: '1', region: 'eu' },
    });
    for (let round = 1; round <= ROUNDS; round++) {
      const la = loadavg();
      const rep = await cli(['replay', runId, '--target', targetUrl, '--protocol', 'raw', '--max', '--connections', String(C), '--duration', `${D}s`]);
      results.runs.push({
        tool: 'meterscope replay --max',
        round,
        load_before: la,
        requests: rep.totals.requests,
        requests_per_s: rep.achieved.requestsPerS,
        latency_ms: rep.latency,
        errors: rep.totals.failed + rep.totals.rejected,
        run_id: rep.runId,
      });
      const la2 = loadavg();
      const ac = JSON.parse(
        await run(process.execPath, [
          path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
          '-c',
          String(C),
          '-d',
          String(D),
          '-m',
          'POST',
          '-H',
          'content-type=application/x-ndjson',
          '-b',
          body,
          '--json',
          targetUrl,
        ]),
      );
      results.runs.push({
        tool: 'autocannon',
        round,
        load_before: la2,
        requests: ac.requests.total,
        requests_per_s: Math.round((ac.requests.total / ac.duration) * 10) / 10,
        latency_ms: { p50_ms: ac.latency.p50, p99_ms: ac.latency.p99, max_ms: ac.latency.max, mean_ms: ac.latency.average },
        errors: ac.errors + ac.non2xx,
      });
      console.error(
        results.runs
          .slice(-2)
          .map((r) => `${r.tool}: ${r.requests_per_s} req/s`)
          .join(' | '),
      );
    }
    const replayRates = results.runs
      .filter((r) => r.tool.startsWith('meterscope'))
      .map((r) => r.requests_per_s)
      .sort((a, b) => a - b);
    const maxRate = replayRates[Math.floor((replayRates.length - 1) / 2)];
    const half = Math.round(maxRate / 2);
    const la = loadavg();
    const open = await cli([
      'replay',
      runId,
      '--target',
      targetUrl,
      '--protocol',
      'raw',
      '--rate',
      String(half),
      '--connections',
      String(C),
      '--duration',
      `${D}s`,
      '--warmup',
      '2s',
    ]);
    results.open_model = {
      rate: half,
      warmup_s: 2,
      series: open.series.map((x) => ({ second: x.second, requests: x.requests, p99_ms: x.p99Ms, max_ms: x.maxMs, lag_max_ms: x.lagMaxMs })),
      load_before: la,
      offered_events_per_s: open.achieved.offeredEventsPerS,
      requests_per_s: open.achieved.requestsPerS,
      lag_ms: open.lag,
      latency_ms: open.latency,
      service_ms: open.service,
      connection_wait_ms: open.connectionWait,
      failed: open.totals.failed,
      run_id: open.runId,
    };
    console.error(`open model at ${half}/s: lag p50 ${open.lag.p50Ms} p99 ${open.lag.p99Ms} max ${open.lag.maxMs} ms`);
  } finally {
    target.kill('SIGTERM');
  }
  fs.writeFileSync(path.join(ROOT, 'bench/replay/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
