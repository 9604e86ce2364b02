/** A replay report model for the renderer tests, with a hostile rejection reason from the target. */
import type { ReplayReport } from '../../src/replay/model.js';
import { HOSTILE } from './report-support.js';

export function sampleReplayReport(): ReplayReport {
  const series = Array.from({ length: 12 }, (_, second) => ({
    second,
    requests: 100,
    events: 100,
    attempts: 104,
    retries: 4,
    acknowledged: 90,
    rejected: 8,
    failed: second === 5 ? 2 : 0,
    p50_ms: 20 + second,
    p99_ms: 80 + 5 * second,
    max_ms: 150 + 10 * second,
    lag_max_ms: 1,
  }));
  const lat = { count: 1200, mean_ms: 25, min_ms: 3, p50_ms: 22, p90_ms: 60, p99_ms: 120, p999_ms: 200, max_ms: 260 };
  return {
    kind: 'replay',
    version: 1,
    run_id: 'replay-test',
    source_run_id: 'replay-test',
    input: { kind: 'file', names: ['/tmp/in.jsonl'], events: 1200, rejected_lines: 0, synthetic_identifiers: 0 },
    target: 'http://127.0.0.1:1/v1/ingest',
    protocol: 'metronome',
    settings: {
      pacing: { mode: 'rate', rate: 100 } as unknown as ReplayReport['settings']['pacing'],
      pacing_text: '100 events/s',
      connections: 4,
      pipelining: 1,
      batch: 1,
      flush_ms: 200,
      max_in_flight: 10000,
      timeout_ms: 30000,
      retries: 8,
      max_retry_wait_ms: 30000,
      timestamps: 'shift',
      gzip: false,
      unique_ids: false,
      duration_s: null,
      limit: null,
    },
    started_at: '2024-03-04T10:00:00.000Z',
    finished_at: '2024-03-04T10:00:12.000Z',
    status: 'done',
    elapsed_s: 12,
    send_span_s: 12,
    totals: { events_input: 1200, events_sent: 1200, acknowledged: 1080, rejected: 96, failed: 24, not_sent: 0, requests: 1200, attempts: 1248, retries: 48, session_requests: 0, duplicate_on_retry: 0 },
    accounting_ok: true,
    achieved: { events_per_s: 100, acknowledged_per_s: 90, requests_per_s: 100, attempts_per_s: 104, offered_events_per_s: 100 },
    latency: lat,
    service: lat,
    connection_wait: { ...lat, p50_ms: 0.2, p99_ms: 3 },
    lag: { ...lat, p50_ms: 0.1, p99_ms: 1 },
    statuses: [
      { status: 0, attempts: 24 },
      { status: 200, attempts: 1080 },
      { status: 400, attempts: 96 },
      { status: 503, attempts: 48 },
    ],
    outcomes: [
      { outcome: 'acknowledged', status: 200, reason: '', requests: 1080, events: 1080 },
      { outcome: 'rejected', status: 400, reason: `400 bad value ${HOSTILE.short}`, requests: 96, events: 96 },
      { outcome: 'failed', status: 0, reason: 'timeout', requests: 24, events: 24 },
    ],
    series,
    notes: [`96 events were rejected ${HOSTILE.script}`],
  };
}
