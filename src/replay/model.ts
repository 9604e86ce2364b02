/**
 * The replay report model: plain data, stored as JSON and in the replay tables, rendered by the
 * report renderers (src/report/index.ts). Keys are camelCase like every report model; version 1
 * models (stored before that) spelled them in snake_case and are upgraded when read.
 */
import type { LatencySummary, OutcomeRow, SecondBucket } from './metrics.js';
import { summarize } from './metrics.js';
import type { ReplayConfig, ReplayOutcome } from './run.js';
import { describePacing, type Pacing } from './pacing.js';
import { SPECS, type Protocol } from './encode.js';
import type { SinkCounts } from './sink-counts.js';
import { int, ms, plural } from '../report/format.js';

export const REPLAY_REPORT_VERSION = 2 as const;

export interface ReplayReport {
  kind: 'replay';
  /** 2: camelCase keys. 1: the same fields in snake_case (upgraded by upgradeReplayReport when read). */
  version: typeof REPLAY_REPORT_VERSION;
  runId: string;
  /** The run whose events were replayed (the same run when a file was given). */
  sourceRunId: string;
  input: { kind: 'file' | 'run'; names: string[]; events: number; rejectedLines: number; syntheticIdentifiers: number };
  /** Target with credentials and query values removed. */
  target: string;
  protocol: Protocol;
  settings: {
    pacing: Pacing;
    pacingText: string;
    connections: number;
    pipelining: number;
    batch: number;
    flushMs: number;
    maxInFlight: number;
    timeoutMs: number;
    retries: number;
    maxRetryWaitMs: number;
    timestamps: 'shift' | 'original';
    gzip: boolean;
    uniqueIds: boolean;
    durationS: number | null;
    warmupS?: number;
    limit: number | null;
  };
  startedAt: string;
  finishedAt: string;
  status: 'done' | 'interrupted';
  /** First request out to last answer in. */
  elapsedS: number;
  sendSpanS: number;
  totals: {
    /** Events in the input (or up to --limit). */
    eventsInput: number;
    eventsSent: number;
    acknowledged: number;
    rejected: number;
    failed: number;
    /** Input events never sent (--duration reached or interrupted). */
    notSent: number;
    requests: number;
    attempts: number;
    retries: number;
    sessionRequests: number;
    duplicateOnRetry: number;
  };
  /** acknowledged + rejected + failed === eventsSent */
  accountingOk: boolean;
  /**
   * A 2xx answer only means "received": the API validates events after answering and may still drop
   * them (stripe-v2-stream, metronome), so `acknowledged` counts events received. Absent from models
   * stored before it existed.
   */
  validatedLater?: boolean;
  /** The target's own count when it is a meterscope sink, read from its /_sink/stats; null otherwise, absent from older models. */
  sink?: SinkCounts | null;
  achieved: { eventsPerS: number; acknowledgedPerS: number; requestsPerS: number; attemptsPerS: number; offeredEventsPerS: number };
  latency: LatencySummary;
  service: LatencySummary;
  /** Per attempt: wait for a free connection before going on the wire (included in latency, not in service). */
  connectionWait: LatencySummary;
  /** Open model only: how late the generator itself sent requests. */
  lag: LatencySummary | null;
  /** Attempts per HTTP status; status 0 = no answer (connection error or timeout). */
  statuses: { status: number; attempts: number }[];
  outcomes: OutcomeRow[];
  series: SecondBucket[];
  notes: string[];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export function buildReport(args: {
  runId: string;
  sourceRunId: string;
  input: ReplayReport['input'];
  target: string;
  cfg: ReplayConfig;
  out: ReplayOutcome;
  limit?: number;
  sink?: SinkCounts;
}): ReplayReport {
  const { cfg, out } = args;
  const m = out.metrics;
  const t = m.totals;
  const elapsed = out.elapsedS > 0 ? out.elapsedS : 0;
  const per = (n: number) => (elapsed > 0 ? round(n / elapsed) : 0);
  const lag = cfg.pacing.mode === 'max' ? null : summarize(m.lag);
  const totals = {
    eventsInput: args.input.events,
    eventsSent: t.events,
    acknowledged: t.acknowledged,
    rejected: t.rejected,
    failed: t.failed,
    notSent: Math.max(0, args.input.events - t.events),
    requests: t.requests,
    attempts: t.attempts,
    retries: t.retries,
    sessionRequests: t.sessionRequests,
    duplicateOnRetry: t.duplicateOnRetry,
  };
  const accountingOk = t.acknowledged + t.rejected + t.failed === t.events;
  const validatedLater = SPECS[cfg.protocol].validatedLater;
  const sink = args.sink;
  const notes = replayNotes(args, totals.notSent, lag, accountingOk);
  return {
    kind: 'replay',
    version: REPLAY_REPORT_VERSION,
    runId: args.runId,
    sourceRunId: args.sourceRunId,
    input: args.input,
    target: args.target,
    protocol: cfg.protocol,
    settings: settingsOf(cfg, args.limit),
    startedAt: out.startedAt.toISOString(),
    finishedAt: out.finishedAt.toISOString(),
    status: out.interrupted ? 'interrupted' : 'done',
    elapsedS: round(elapsed, 3),
    sendSpanS: round(out.sendSpanS, 3),
    totals,
    accountingOk: accountingOk,
    validatedLater,
    sink: sink ?? null,
    achieved: {
      eventsPerS: per(t.acknowledged + t.rejected + t.failed),
      acknowledgedPerS: per(t.acknowledged),
      requestsPerS: per(t.completedRequests),
      attemptsPerS: per(t.attempts),
      offeredEventsPerS: out.sendSpanS > 0 ? round(t.events / out.sendSpanS) : 0,
    },
    latency: summarize(m.latency),
    service: summarize(m.service),
    connectionWait: summarize(m.queue),
    lag,
    statuses: [...m.statuses.entries()].sort((a, b) => a[0] - b[0]).map(([status, attempts]) => ({ status, attempts })),
    outcomes: m.outcomeRows(),
    series: m.series(),
    notes,
  };
}

/** The run's settings as the report shows them. */
function settingsOf(cfg: ReplayConfig, limit: number | undefined): ReplayReport['settings'] {
  const s = cfg.pacing;
  return {
    pacing: s,
    pacingText: describePacing(s),
    connections: cfg.connections,
    pipelining: cfg.pipelining,
    batch: cfg.batch,
    flushMs: cfg.flushMs,
    maxInFlight: cfg.maxInFlight,
    timeoutMs: cfg.timeoutMs,
    retries: cfg.retry.retries,
    maxRetryWaitMs: cfg.retry.maxWaitMs,
    timestamps: cfg.timestamps,
    gzip: cfg.encode.gzip,
    uniqueIds: cfg.encode.idSuffix !== '',
    durationS: cfg.durationS ?? null,
    warmupS: cfg.warmupS ?? 0,
    limit: limit ?? null,
  };
}

/** What a reader should know about how the run went, one sentence each. */
function replayNotes(args: Parameters<typeof buildReport>[0], notSent: number, lag: LatencySummary | null, accountingOk: boolean): string[] {
  const { cfg, out } = args;
  const m = out.metrics;
  const t = m.totals;
  const notes: string[] = [];
  if (!accountingOk) notes.push('accounting mismatch: acknowledged + rejected + failed differs from events sent (a bug; please report it)');
  if (lag && lag.count > 0 && lag.p99Ms > 10) {
    notes.push(`the generator ran late (p99 schedule lag ${ms(lag.p99Ms)} ms): requests left later than scheduled, so the client, not only the target, limited this run`);
  }
  const wait = summarize(m.queue);
  if (wait.count > 0 && wait.p99Ms > 10) {
    notes.push(
      `requests waited for a free connection (p99 ${ms(wait.p99Ms)} ms): all ${int(cfg.connections * cfg.pipelining)} connection slots were busy; more --connections or --pipelining may help`,
    );
  }
  if (cfg.warmupS)
    notes.push(
      `requests scheduled in the first ${cfg.warmupS} s (warm-up) are counted but left out of the latency, service, wait and lag histograms; the per-second series includes them`,
    );
  if (t.failed > 0) notes.push(`${plural(t.failed, 'event')} failed after retries; see the outcomes table for reasons`);
  if (t.rejected > 0) notes.push(`${plural(t.rejected, 'event')} ${t.rejected === 1 ? 'was' : 'were'} rejected by the target (4xx); see the outcomes table for reasons`);
  if (out.stoppedByDuration) notes.push(`stopped by --duration: ${plural(notSent, 'input event')} not sent`);
  if (out.interrupted) notes.push(`interrupted: ${plural(notSent, 'input event')} not sent`);
  if (args.input.syntheticIdentifiers > 0) {
    notes.push(`${plural(args.input.syntheticIdentifiers, 'input event')} had no identifier; they were sent with a stable synthetic one (ms_<source>_<line>_<seq>)`);
  }
  const sink = args.sink;
  if (sink && SPECS[cfg.protocol].validatedLater && sink.duplicate + sink.invalid > 0) {
    notes.push(
      `${cfg.protocol} answers 200 before validating: the sink accepted ${int(sink.accepted)} of the ${int(t.acknowledged)} events it received and dropped ` +
        `${int(sink.duplicate)} as duplicates and ${int(sink.invalid)} as invalid`,
    );
  }
  if (t.duplicateOnRetry > 0) notes.push(`${plural(t.duplicateOnRetry, 'request')} answered "duplicate" on a retry after an unclear attempt; they count as acknowledged`);
  return notes;
}

/** A replay model as stored: the current shape, or version 1 (snake_case keys, read as untyped data). */
export type StoredReplayReport = ReplayReport | { kind: 'replay'; version: 1 };

const camelCase = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelCase(k), camelKeys(x)]));
}

/**
 * A stored replay model as the renderers read it: version 1 models had the same fields with
 * snake_case keys (`events_sent`, `p99_ms`), so their keys are converted (values untouched; the
 * model holds no data-named keys). A current model is returned as it is.
 */
export function upgradeReplayReport(stored: StoredReplayReport): ReplayReport {
  if (stored.version === REPLAY_REPORT_VERSION) return stored;
  return { ...(camelKeys(stored) as ReplayReport), version: REPLAY_REPORT_VERSION };
}
