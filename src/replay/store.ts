/** Writes a replay's results into the replay tables (migration 4). */
import type { Store } from '../store/store.js';
import { encodeHistogram, percentileRows, type ReplayMetrics } from './metrics.js';
import type { ReplayReport } from './model.js';

const ts = (iso: string) => iso.replace('T', ' ').replace('Z', '');

export async function saveReplayResults(store: Store, r: ReplayReport, m: ReplayMetrics): Promise<void> {
  await store.insertRows('replay_runs', [
    {
      run_id: r.run_id,
      source_run_id: r.source_run_id,
      protocol: r.protocol,
      target: r.target,
      pacing: r.settings.pacing_text,
      connections: r.settings.connections,
      pipelining: r.settings.pipelining,
      batch: r.settings.batch,
      started_at: ts(r.started_at),
      finished_at: ts(r.finished_at),
      status: r.status,
      elapsed_s: r.elapsed_s,
      events_input: r.totals.events_input,
      events_sent: r.totals.events_sent,
      acknowledged: r.totals.acknowledged,
      rejected: r.totals.rejected,
      failed: r.totals.failed,
      not_sent: r.totals.not_sent,
      requests: r.totals.requests,
      attempts: r.totals.attempts,
      retries: r.totals.retries,
      events_per_s: r.achieved.events_per_s,
      requests_per_s: r.achieved.requests_per_s,
      latency_p50_ms: r.latency.p50_ms,
      latency_p99_ms: r.latency.p99_ms,
      latency_max_ms: r.latency.max_ms,
      lag_p99_ms: r.lag ? r.lag.p99_ms : null,
      settings: JSON.stringify(r.settings),
    },
  ]);
  const hists = [
    { metric: 'latency', h: m.latency },
    { metric: 'service', h: m.service },
    { metric: 'connection_wait', h: m.queue },
    ...(r.lag ? [{ metric: 'lag', h: m.lag }] : []),
  ];
  await store.insertRows('replay_histograms',
    hists.map(({ metric, h }) => ({ run_id: r.run_id, metric, unit: 'us', count: h.totalCount, encoded: encodeHistogram(h) })),
  );
  await store.insertRows('replay_percentiles',
    hists.flatMap(({ metric, h }) => percentileRows(h).map((p) => ({ run_id: r.run_id, metric, ...p }))),
  );
  await store.insertRows('replay_series', r.series.map((s) => ({ run_id: r.run_id, ...s })));
  await store.insertRows('replay_statuses', [
    ...r.statuses.map((s) => ({ run_id: r.run_id, kind: 'attempt', status: s.status, outcome: '', reason: '', requests: s.attempts, events: 0 })),
    ...r.outcomes.map((o) => ({ run_id: r.run_id, kind: 'outcome', status: o.status, outcome: o.outcome, reason: o.reason, requests: o.requests, events: o.events })),
  ]);
}
