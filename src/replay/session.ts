/**
 * One replay run from start to end: find the input (a log to load, or a stored run), count its
 * events, send them (src/replay/run.ts), then build, store and return the report. Runs.track records
 * how the run ended. A replay stopped through the signal still reports what it sent (status
 * 'interrupted'); it does not throw. Nothing here touches `process`: the caller owns signals and output.
 */
import fs from 'node:fs';
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { refuseSampled } from '../store/sampled-run.js';
import { refuseRemote, resolveSources, type Source } from '../ingest/source.js';
import { loadSources } from '../ingest/load.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { Runs } from '../store/runs.js';
import { saveReport } from '../store/reports.js';
import { readRunEvents, summarizeRunEvents } from './events.js';
import { redactTarget, type ResolvedTarget } from './target.js';
import type { ResolvedAuth } from './auth.js';
import { runReplay, type ReplayConfig } from './run.js';
import { buildReport, type ReplayReport } from './model.js';
import { loadReplayReport, saveReplayResults } from './store.js';
import { DEFAULT_RETRY } from './retry.js';
import type { ReplayMetrics } from './metrics.js';
import { sinkCounts, sinkSnapshot } from './sink-counts.js';

/** The run settings of ReplayConfig, plus the retry bounds and the event limit. */
export type ReplaySettings = Pick<
  ReplayConfig,
  'protocol' | 'pacing' | 'connections' | 'pipelining' | 'batch' | 'flushMs' | 'maxInFlight' | 'timeoutMs' | 'timestamps' | 'durationS' | 'warmupS'
> & { retries: number; maxRetryWaitMs: number; limit?: number };

export interface ReplaySessionConfig {
  /** A log file or glob to load, or the id of a stored run. */
  input: string;
  format?: FormatName;
  mapping: FieldMapping;
  settings: ReplaySettings;
  target: ResolvedTarget;
  auth: ResolvedAuth;
  gzip: boolean;
  /** Append a per-replay suffix to identifiers (replays again inside the APIs' dedupe windows). */
  uniqueIds: boolean;
  /** An earlier replay run to compare with: loaded (and checked) before anything is sent. */
  compare?: string;
  /** Replay a stored run even if it did not finish (its events are partial). */
  allowIncomplete?: boolean;
  /** Stored with the run (Runs redacts secrets; the targets are redacted here). */
  runOptions: Record<string, unknown>;
}

export interface ReplayCallbacks {
  /** About once a second while sending; `totalEvents` is the number of input events to send. */
  onProgress?: (metrics: ReplayMetrics, elapsedS: number, totalEvents: number) => void;
}

export interface ReplaySessionResult {
  report: ReplayReport;
  /** The report of `compare`, when asked for. */
  previous?: ReplayReport;
}

type ReplayInput = { kind: 'file'; sources: Source[] } | { kind: 'run'; runId: string };

/** A path or glob is a file input; anything else must be a stored run's id. */
async function resolveInput(runs: Runs, input: string, allowIncomplete = false): Promise<ReplayInput> {
  refuseRemote(input, 'replay');
  if (fs.existsSync(input) || /[*?[\]{}]/.test(input)) return { kind: 'file', sources: await resolveSources([input]) };
  let runId: string;
  try {
    runId = (await runs.get(input)).run_id;
  } catch {
    throw new UserError(`${input}: no such file, and no run with that id in this store (see: meterscope runs)`);
  }
  refuseSampled(await runs.getComplete(runId, allowIncomplete), 'a replay');
  return { kind: 'run', runId };
}

export async function runReplaySession(store: Store, cfg: ReplaySessionConfig, signal: AbortSignal, callbacks: ReplayCallbacks = {}): Promise<ReplaySessionResult> {
  const runs = new Runs(store);
  const input = await resolveInput(runs, cfg.input, cfg.allowIncomplete);
  const previous = cfg.compare ? await loadReplayReport(store, cfg.compare) : undefined;
  const { target } = cfg;
  const run = await runs.create('replay', input.kind === 'file' ? input.sources.map((s) => s.name) : [`run:${input.runId}`], {
    ...cfg.runOptions,
    target: redactTarget(target.url),
    sessionTarget: target.sessionUrl ? redactTarget(target.sessionUrl) : undefined,
  });
  const report = await runs.track(run, async () => {
    const value = await replayRun(store, run.run_id, input, cfg, signal, callbacks);
    const summary = {
      events: value.totals.eventsSent,
      acknowledged: value.totals.acknowledged,
      rejected: value.totals.rejected,
      failed: value.totals.failed,
      eventsPerS: value.achieved.eventsPerS,
      latencyP99Ms: value.latency.p99Ms,
    };
    return { value, summary, status: value.status };
  });
  return { report, previous };
}

/** Loads a file input into run `runId`, replays the events, stores and returns the report. */
async function replayRun(
  store: Store,
  runId: string,
  input: ReplayInput,
  cfg: ReplaySessionConfig,
  signal: AbortSignal,
  callbacks: ReplayCallbacks,
): Promise<ReplayReport> {
  const { retries, maxRetryWaitMs, limit, ...runSettings } = cfg.settings;
  let rejectedLines = 0;
  let sourceRunId: string;
  if (input.kind === 'file') {
    const loads = await loadSources(store, runId, input.sources, { format: cfg.format, mapping: cfg.mapping });
    rejectedLines = loads.reduce((n, l) => n + l.rejects, 0);
    sourceRunId = runId;
  } else sourceRunId = input.runId;
  const summary = await summarizeRunEvents(store, sourceRunId);
  if (summary.events === 0) {
    throw new UserError(
      input.kind === 'file'
        ? `${cfg.input}: no events to replay (${rejectedLines} malformed lines; see: meterscope report ${runId} or the rejects)`
        : `run ${sourceRunId} has no stored events to replay`,
    );
  }
  const eventsInput = limit !== undefined ? Math.min(limit, summary.events) : summary.events;
  const { onProgress } = callbacks;
  const replayCfg: ReplayConfig = {
    ...runSettings,
    url: cfg.target.url,
    sessionUrl: cfg.target.sessionUrl,
    headers: cfg.auth.headers,
    sessionHeaders: cfg.auth.sessionHeaders,
    retry: { ...DEFAULT_RETRY, retries, maxWaitMs: maxRetryWaitMs },
    encode: { customerKey: cfg.mapping.customerKey, gzip: cfg.gzip, idSuffix: cfg.uniqueIds ? `-r${runId.slice(-6)}` : '' },
    firstEventTime: summary.first,
    signal,
    onProgress: onProgress ? (m, s) => onProgress(m, s, eventsInput) : undefined,
  };
  const sinkBefore = await sinkSnapshot(cfg.target.url, runSettings.protocol);
  const out = await runReplay(readRunEvents(store, sourceRunId, { limit }), replayCfg);
  const sinkAfter = sinkBefore && (await sinkSnapshot(cfg.target.url, runSettings.protocol));
  const names = input.kind === 'file' ? input.sources.map((s) => s.name) : [sourceRunId];
  const report = buildReport({
    runId,
    sourceRunId,
    input: { kind: input.kind, names, events: eventsInput, rejectedLines, syntheticIdentifiers: summary.withoutIdentifier },
    target: redactTarget(cfg.target.url),
    cfg: replayCfg,
    out,
    limit,
    sink: sinkBefore && sinkAfter ? sinkCounts(sinkBefore, sinkAfter) : undefined,
  });
  await saveReplayResults(store, report, out.metrics);
  await saveReport(store, runId, 'replay', report);
  return report;
}
