/** Writes a replay's results into the replay tables (migration 4). */
import type { Store } from '../store/store.js';
import { encodeHistogram, percentileRows, type ReplayMetrics } from './metrics.js';
import { loadReport } from '../store/reports.js';
import { upgradeReplayReport, type ReplayReport, type StoredReplayReport } from './model.js';

const ts = (iso: string) => iso.replace('T', ' ').replace('Z', '');

export async function saveReplayResults(store: Store, r: ReplayReport, m: ReplayMetrics): Promise<void> {
  await store.insertRows('replay_runs', [
    {
      run_id: r.runId,
      source_run_id: r.sourceRunId,
      protocol: r.protocol,
      target: r.target,
      pacing: r.settings.pacingText,
      connections: r.settings.connections,
      pipelining: r.settings.pipelining,
      batch: r.settings.batch,
      started_at: ts(r.startedAt),
      finished_at: ts(r.finishedAt),
      status: r.status,
      elapsed_s: r.elapsedS,
      events_input: r.totals.eventsInput,
      events_sent: r.totals.eventsSent,
      acknowledged: r.totals.acknowledged,
      rejected: r.totals.rejected,
      failed: r.totals.failed,
      not_sent: r.totals.notSent,
      requests: r.totals.requests,
      attempts: r.totals.attempts,
      retries: r.totals.retries,
      events_per_s: r.achieved.eventsPerS,
      requests_per_s: r.achieved.requestsPerS,
      latency_p50_ms: r.latency.p50Ms,
      latency_p99_ms: r.latency.p99Ms,
      latency_max_ms: r.latency.maxMs,
      lag_p99_ms: r.lag ? r.lag.p99Ms : null,
      settings: JSON.stringify(r.settings),
    },
  ]);
  const hists = [
    { metric: 'latency', h: m.latency },
    { metric: 'service', h: m.service },
    { metric: 'connection_wait', h: m.queue },
    ...(r.lag ? [{ metric: 'lag', h: m.lag }] : []),
  ];
  await store.insertRows(
    'replay_histograms',
    hists.map(({ metric, h }) => ({ run_id: r.runId, metric, unit: 'us', count: h.totalCount, encoded: encodeHistogram(h) })),
  );
  await store.insertRows(
    'replay_percentiles',
    hists.flatMap(({ metric, h }) => percentileRows(h).map((p) => ({ run_id: r.runId, metric, ...p }))),
  );
  await store.insertRows(
    'replay_series',
    r.series.map((s) => ({
      run_id: r.runId,
      second: s.second,
      requests: s.requests,
      events: s.events,
      attempts: s.attempts,
      retries: s.retries,
      acknowledged: s.acknowledged,
      rejected: s.rejected,
      failed: s.failed,
      p50_ms: s.p50Ms,
      p99_ms: s.p99Ms,
      max_ms: s.maxMs,
      lag_max_ms: s.lagMaxMs,
    })),
  );
  await store.insertRows('replay_statuses', [
    ...r.statuses.map((s) => ({ run_id: r.runId, kind: 'attempt', status: s.status, outcome: '', reason: '', requests: s.attempts, events: 0 })),
    ...r.outcomes.map((o) => ({ run_id: r.runId, kind: 'outcome', status: o.status, outcome: o.outcome, reason: o.reason, requests: o.requests, events: o.events })),
  ]);
}

/** A stored replay model in the current shape (version 1 models are upgraded). */
export async function loadReplayReport(store: Store, runId: string): Promise<ReplayReport> {
  return upgradeReplayReport(await loadReport<StoredReplayReport>(store, runId, 'replay'));
}
