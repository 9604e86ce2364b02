import fs from 'node:fs';
import type { Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, numberFlag, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { UserError } from '../errors.js';
import { resolveSources } from '../ingest/source.js';
import { loadSources } from '../ingest/load.js';
import { Runs } from '../store/runs.js';
import { saveReport } from '../store/reports.js';
import { PROTOCOLS, SPECS, type Protocol } from '../replay/encode.js';
import { parseDuration, parseRate, type Pacing } from '../replay/pacing.js';
import { readRunEvents, summarizeRunEvents } from '../replay/events.js';
import { resolveAuth } from '../replay/auth.js';
import { redactTarget, resolveTarget } from '../replay/target.js';
import { runReplay, type ReplayConfig } from '../replay/run.js';
import { buildReport } from '../replay/model.js';
import { loadReplayReport, saveReplayResults } from '../replay/store.js';
import { DEFAULT_RETRY } from '../replay/retry.js';
import { summarize, type ReplayMetrics } from '../replay/metrics.js';
import { renderReplayComparison, renderReplayTerminal } from '../report/replay-terminal.js';

export interface ReplayFlags extends StoreFlags, MappingFlags {
  target?: string;
  protocol?: string;
  sessionTarget?: string;
  apiKey?: string;
  header?: string[];
  allowLive?: boolean;
  speed?: string;
  rate?: string;
  max?: boolean;
  connections: string;
  pipelining: string;
  batch?: string;
  flushMs: string;
  maxInFlight: string;
  timeout: string;
  retries: string;
  maxRetryWait: string;
  timestamps: string;
  gzip?: boolean;
  uniqueIds?: boolean;
  duration?: string;
  warmup?: string;
  limit?: string;
  json?: boolean;
  compare?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay a meter-event log (or a stored run) against an ingestion endpoint as a load benchmark; every event is accounted for')
    .argument('<input>', 'a log file (or glob) to load and replay, or the id of a stored run (see: meterscope runs)')
    .option('--target <url>', 'base URL of the endpoint, e.g. http://127.0.0.1:12111 (the API path is appended; raw: the URL is used as given)')
    .option('--protocol <name>', `how events are sent: ${PROTOCOLS.join(' | ')}`)
    .option('--session-target <url>', 'stripe-v2-stream: where meter event sessions are created (default: api.stripe.com for meter-events.stripe.com, else the target)')
    .option('--api-key <key>', 'Stripe API key / Metronome token (prefer env STRIPE_API_KEY / METRONOME_API_TOKEN)')
    .option('--header <header>', 'extra request header "Name: value" (repeatable; overrides the defaults)', collect)
    .option('--allow-live', 'allow a Stripe live-mode key (sk_live_/rk_live_): replayed usage is billed to real customers')
    .option('--speed <n>', 'recorded timing, sped up n times (default: 1, the recorded pace)')
    .option('--rate <r>', 'constant rate R events/s, or a ramp A:B:duration (e.g. 100:2000:60s)')
    .option('--max', 'closed loop: each connection sends its next request as soon as the previous one is answered')
    .option('--connections <n>', 'HTTP connections (keep-alive)', '10')
    .option('--pipelining <n>', 'HTTP/1.1 requests in flight per connection (event protocols are idempotent by identifier)', '1')
    .option('--batch <n>', 'events per request (stripe-v2-stream, metronome: default and maximum 100; stripe-v1: 1; raw: default 1)')
    .option('--flush-ms <ms>', 'a partial batch leaves this long after its first event was due', '200')
    .option('--max-in-flight <n>', 'open model: requests awaiting an answer before the generator waits (the lag then shows it)', '10000')
    .option('--timeout <ms>', 'per-attempt timeout', '30000')
    .option('--retries <n>', 'retries per request on 429, 5xx and network errors', String(DEFAULT_RETRY.retries))
    .option('--max-retry-wait <ms>', 'upper bound on one retry wait, Retry-After included', String(DEFAULT_RETRY.maxWaitMs))
    .option('--timestamps <mode>', "shift: event times become the time each event is sent (APIs refuse old events); original: as recorded", 'shift')
    .option('--gzip', 'metronome: gzip request bodies')
    .option('--unique-ids', 'append a per-replay suffix to identifiers, so a log can be replayed again inside the APIs\' dedupe windows')
    .option('--duration <time>', 'stop sending after this long (e.g. 30s, 5m); unsent events are counted as not sent')
    .option('--warmup <time>', 'leave requests scheduled in the first part of the run (e.g. 2s) out of the latency histograms; they are still sent and counted')
    .option('--limit <n>', 'replay at most the first n events (by event time)')
    .option('--json', 'print the report model as JSON on stdout (and nothing else)')
    .option('--compare <run-id>', 'after the run, compare it with an earlier replay run');
  addInputOptions(cmd);
  addStoreOptions(cmd);
  cmd.action(async (input: string, flags: ReplayFlags) => {
    const parsed = parseFlags(flags);
    const { format, mapping } = mappingFrom(flags);
    const target = resolveTarget(parsed.protocol, flags.target!, flags.sessionTarget);
    const auth = resolveAuth({ protocol: parsed.protocol, apiKey: flags.apiKey, headers: flags.header, allowLive: flags.allowLive });
    const safeTarget = redactTarget(target.url);
    await withStore(flags, async (store) => {
      const runs = new Runs(store);
      const isFile = fs.existsSync(input) || /[*?[\]{}]/.test(input);
      let sourceRunId: string | undefined;
      if (!isFile) {
        try {
          sourceRunId = (await runs.get(input)).run_id;
        } catch {
          throw new UserError(`${input}: no such file, and no run with that id in this store (see: meterscope runs)`);
        }
      }
      const sources = isFile ? await resolveSources([input]) : [];
      const previous = flags.compare ? await loadReplayReport(store, flags.compare) : undefined;
      const run = await runs.create('replay', isFile ? sources.map((s) => s.name) : [`run:${sourceRunId}`], { ...flags, target: safeTarget, sessionTarget: target.sessionUrl ? redactTarget(target.sessionUrl) : undefined });
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        let rejectedLines = 0;
        if (isFile) {
          const loads = await loadSources(store, run.run_id, sources, { format, mapping });
          rejectedLines = loads.reduce((n, l) => n + l.rejects, 0);
          sourceRunId = run.run_id;
        }
        const summary = await summarizeRunEvents(store, sourceRunId!);
        if (summary.events === 0) {
          throw new UserError(isFile ? `${input}: no events to replay (${rejectedLines} malformed lines; see: meterscope report ${run.run_id} or the rejects)` : `run ${sourceRunId} has no stored events to replay`);
        }
        const eventsInput = parsed.limit !== undefined ? Math.min(parsed.limit, summary.events) : summary.events;
        const cfg: ReplayConfig = {
          protocol: parsed.protocol,
          url: target.url,
          sessionUrl: target.sessionUrl,
          headers: auth.headers,
          sessionHeaders: auth.sessionHeaders,
          pacing: parsed.pacing,
          connections: parsed.connections,
          pipelining: parsed.pipelining,
          batch: parsed.batch,
          flushMs: parsed.flushMs,
          maxInFlight: parsed.maxInFlight,
          timeoutMs: parsed.timeoutMs,
          retry: { ...DEFAULT_RETRY, retries: parsed.retries, maxWaitMs: parsed.maxRetryWaitMs },
          timestamps: parsed.timestamps,
          encode: { customerKey: mapping.customerKey, gzip: !!flags.gzip, idSuffix: flags.uniqueIds ? `-r${run.run_id.slice(-6)}` : '' },
          durationS: parsed.durationS,
          warmupS: parsed.warmupS,
          firstEventTime: summary.first,
          signal: ac.signal,
          onProgress: process.stderr.isTTY && !flags.json ? (m, s) => progressLine(m, s, eventsInput) : undefined,
        };
        const out = await runReplay(readRunEvents(store, sourceRunId!, { limit: parsed.limit }), cfg);
        if (cfg.onProgress) process.stderr.write('\r\x1b[K');
        const report = buildReport({
          runId: run.run_id,
          sourceRunId: sourceRunId!,
          input: { kind: isFile ? 'file' : 'run', names: isFile ? sources.map((s) => s.name) : [sourceRunId!], events: eventsInput, rejectedLines, syntheticIdentifiers: summary.withoutIdentifier },
          target: safeTarget,
          cfg,
          out,
          limit: parsed.limit,
        });
        await saveReplayResults(store, report, out.metrics);
        await saveReport(store, run.run_id, 'replay', report);
        await runs.finish(run, report.status, {
          events: report.totals.eventsSent,
          acknowledged: report.totals.acknowledged,
          rejected: report.totals.rejected,
          failed: report.totals.failed,
          eventsPerS: report.achieved.eventsPerS,
          latencyP99Ms: report.latency.p99Ms,
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          process.stdout.write(renderReplayTerminal(report));
          if (previous) process.stdout.write(`\n${renderReplayComparison(previous, report)}`);
        }
      } catch (err) {
        await runs.finish(run, 'failed', { error: (err as Error).message }).catch(() => {});
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  });
}

/** The flags as checked values: the run settings of ReplayConfig, plus the retry bounds and the event limit. */
type ParsedFlags = Pick<
  ReplayConfig,
  'protocol' | 'pacing' | 'connections' | 'pipelining' | 'batch' | 'flushMs' | 'maxInFlight' | 'timeoutMs' | 'timestamps' | 'durationS' | 'warmupS'
> & { retries: number; maxRetryWaitMs: number; limit?: number };

/** Every flag checked before anything is loaded or sent. */
function parseFlags(f: ReplayFlags): ParsedFlags {
  if (!f.target) throw new UserError('--target is required: the base URL to replay into (e.g. http://127.0.0.1:12111 for `meterscope sink`)');
  if (!f.protocol) throw new UserError(`--protocol is required: one of ${PROTOCOLS.join(', ')}`);
  if (!(PROTOCOLS as readonly string[]).includes(f.protocol)) throw new UserError(`--protocol must be one of ${PROTOCOLS.join(', ')}, got "${f.protocol}"`);
  const protocol = f.protocol as Protocol;
  const modes = [f.speed !== undefined, f.rate !== undefined, !!f.max].filter(Boolean).length;
  if (modes > 1) throw new UserError('choose one pacing: --speed, --rate or --max');
  let pacing: Pacing;
  if (f.max) pacing = { mode: 'max' };
  else if (f.rate !== undefined) pacing = parseRate(f.rate);
  else {
    const speed = numberFlag('--speed', f.speed, { min: 0 }) ?? 1;
    if (speed <= 0) throw new UserError('--speed must be above zero');
    pacing = { mode: 'recorded', speed };
  }
  const spec = SPECS[protocol];
  const batch = numberFlag('--batch', f.batch, { min: 1, integer: true }) ?? spec.defaultBatch;
  if (batch > spec.maxBatch) {
    throw new UserError(protocol === 'stripe-v1' ? '--batch: stripe-v1 takes one event per call' : `--batch: ${protocol} takes at most ${spec.maxBatch} events per request, got ${batch}`);
  }
  if (f.gzip && protocol !== 'metronome') throw new UserError('--gzip applies to the metronome protocol only');
  if (f.timestamps !== 'shift' && f.timestamps !== 'original') throw new UserError(`--timestamps must be shift or original, got "${f.timestamps}"`);
  return {
    protocol,
    pacing,
    connections: numberFlag('--connections', f.connections, { min: 1, integer: true })!,
    pipelining: numberFlag('--pipelining', f.pipelining, { min: 1, integer: true })!,
    batch,
    flushMs: numberFlag('--flush-ms', f.flushMs, { min: 0 })!,
    maxInFlight: numberFlag('--max-in-flight', f.maxInFlight, { min: 1, integer: true })!,
    timeoutMs: numberFlag('--timeout', f.timeout, { min: 1 })!,
    retries: numberFlag('--retries', f.retries, { min: 0, integer: true })!,
    maxRetryWaitMs: numberFlag('--max-retry-wait', f.maxRetryWait, { min: 0 })!,
    timestamps: f.timestamps,
    durationS: f.duration !== undefined ? parseDuration('--duration', f.duration) : undefined,
    warmupS: f.warmup !== undefined ? parseDuration('--warmup', f.warmup) : undefined,
    limit: numberFlag('--limit', f.limit, { min: 1, integer: true }),
  };
}

function progressLine(m: ReplayMetrics, elapsedS: number, total: number): void {
  const t = m.totals;
  const done = t.acknowledged + t.rejected + t.failed;
  const p99 = summarize(m.latency).p99Ms;
  const line =
    `${elapsedS.toFixed(0)}s  sent ${t.events.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ev  ` +
    `ack ${t.acknowledged.toLocaleString('en-US')}  rej ${t.rejected}  fail ${t.failed}  ` +
    `in flight ${(t.events - done).toLocaleString('en-US')} ev  retries ${t.retries}  p99 ${p99} ms`;
  process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
}
