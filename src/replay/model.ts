/** The replay report model: plain data, stored as JSON and in the replay tables, rendered by report/replay-terminal.ts. */
import type { LatencySummary, OutcomeRow, SecondBucket } from './metrics.js';
import { summarize } from './metrics.js';
import type { ReplayConfig, ReplayOutcome } from './run.js';
import { describePacing, type Pacing } from './pacing.js';
import type { Protocol } from './encode.js';

export interface ReplayReport {
  kind: 'replay';
  version: 1;
  run_id: string;
  /** The run whose events were replayed (the same run when a file was given). */
  source_run_id: string;
  input: { kind: 'file' | 'run'; names: string[]; events: number; rejected_lines: number; synthetic_identifiers: number };
  /** Target with credentials and query values removed. */
  target: string;
  protocol: Protocol;
  settings: {
    pacing: Pacing;
    pacing_text: string;
    connections: number;
    pipelining: number;
    batch: number;
    flush_ms: number;
    max_in_flight: number;
    timeout_ms: number;
    retries: number;
    max_retry_wait_ms: number;
    timestamps: 'shift' | 'original';
    gzip: boolean;
    unique_ids: boolean;
    duration_s: number | null;
    warmup_s?: number;
    limit: number | null;
  };
  started_at: string;
  finished_at: string;
  status: 'done' | 'interrupted';
  /** First request out to last answer in. */
  elapsed_s: number;
  send_span_s: number;
  totals: {
    /** Events in the input (or up to --limit). */
    events_input: number;
    events_sent: number;
    acknowledged: number;
    rejected: number;
    failed: number;
    /** Input events never sent (--duration reached or interrupted). */
    not_sent: number;
    requests: number;
    attempts: number;
    retries: number;
    session_requests: number;
    duplicate_on_retry: number;
  };
  /** acknowledged + rejected + failed === events_sent */
  accounting_ok: boolean;
  achieved: { events_per_s: number; acknowledged_per_s: number; requests_per_s: number; attempts_per_s: number; offered_events_per_s: number };
  latency: LatencySummary;
  service: LatencySummary;
  /** Per attempt: wait for a free connection before going on the wire (included in latency, not in service). */
  connection_wait: LatencySummary;
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
}): ReplayReport {
  const { cfg, out } = args;
  const m = out.metrics;
  const t = m.totals;
  const elapsed = out.elapsedS > 0 ? out.elapsedS : 0;
  const per = (n: number) => (elapsed > 0 ? round(n / elapsed) : 0);
  const lag = cfg.pacing.mode === 'max' ? null : summarize(m.lag);
  const notes: string[] = [];
  const totals = {
    events_input: args.input.events,
    events_sent: t.events,
    acknowledged: t.acknowledged,
    rejected: t.rejected,
    failed: t.failed,
    not_sent: Math.max(0, args.input.events - t.events),
    requests: t.requests,
    attempts: t.attempts,
    retries: t.retries,
    session_requests: t.sessionRequests,
    duplicate_on_retry: t.duplicateOnRetry,
  };
  const accountingOk = t.acknowledged + t.rejected + t.failed === t.events;
  if (!accountingOk) notes.push('accounting mismatch: acknowledged + rejected + failed differs from events sent (a bug; please report it)');
  if (lag && lag.count > 0 && lag.p99_ms > 10) {
    notes.push(`the generator ran late (p99 schedule lag ${lag.p99_ms} ms): requests left later than scheduled, so the client, not only the target, limited this run`);
  }
  const wait = summarize(m.queue);
  if (wait.count > 0 && wait.p99_ms > 10) {
    notes.push(`requests waited for a free connection (p99 ${wait.p99_ms} ms): all ${cfg.connections * cfg.pipelining} connection slots were busy; more --connections or --pipelining may help`);
  }
  if (cfg.warmupS) notes.push(`requests scheduled in the first ${cfg.warmupS} s (warm-up) are counted but left out of the latency, service, wait and lag histograms; the per-second series includes them`);
  if (t.failed > 0) notes.push(`${t.failed} events failed after retries; see the outcomes table for reasons`);
  if (t.rejected > 0) notes.push(`${t.rejected} events were rejected by the target (4xx); see the outcomes table for reasons`);
  if (out.stoppedByDuration) notes.push(`stopped by --duration: ${totals.not_sent} input events were not sent`);
  if (out.interrupted) notes.push(`interrupted: ${totals.not_sent} input events were not sent`);
  if (args.input.synthetic_identifiers > 0) {
    notes.push(`${args.input.synthetic_identifiers} input events had no identifier; they were sent with a stable synthetic one (ms_<source>_<line>_<seq>)`);
  }
  if (t.duplicateOnRetry > 0) notes.push(`${t.duplicateOnRetry} requests were answered "duplicate" on a retry after an unclear attempt; they count as acknowledged`);
  const s = cfg.pacing;
  return {
    kind: 'replay',
    version: 1,
    run_id: args.runId,
    source_run_id: args.sourceRunId,
    input: args.input,
    target: args.target,
    protocol: cfg.protocol,
    settings: {
      pacing: s,
      pacing_text: describePacing(s),
      connections: cfg.connections,
      pipelining: cfg.pipelining,
      batch: cfg.batch,
      flush_ms: cfg.flushMs,
      max_in_flight: cfg.maxInFlight,
      timeout_ms: cfg.timeoutMs,
      retries: cfg.retry.retries,
      max_retry_wait_ms: cfg.retry.maxWaitMs,
      timestamps: cfg.timestamps,
      gzip: cfg.encode.gzip,
      unique_ids: cfg.encode.idSuffix !== '',
      duration_s: cfg.durationS ?? null,
      warmup_s: cfg.warmupS ?? 0,
      limit: args.limit ?? null,
    },
    started_at: out.startedAt.toISOString(),
    finished_at: out.finishedAt.toISOString(),
    status: out.interrupted ? 'interrupted' : 'done',
    elapsed_s: round(elapsed, 3),
    send_span_s: round(out.sendSpanS, 3),
    totals,
    accounting_ok: accountingOk,
    achieved: {
      events_per_s: per(t.acknowledged + t.rejected + t.failed),
      acknowledged_per_s: per(t.acknowledged),
      requests_per_s: per(t.completedRequests),
      attempts_per_s: per(t.attempts),
      offered_events_per_s: out.sendSpanS > 0 ? round(t.events / out.sendSpanS) : 0,
    },
    latency: summarize(m.latency),
    service: summarize(m.service),
    connection_wait: summarize(m.queue),
    lag,
    statuses: [...m.statuses.entries()].sort((a, b) => a[0] - b[0]).map(([status, attempts]) => ({ status, attempts })),
    outcomes: m.outcomeRows(),
    series: m.series(),
    notes,
  };
}
