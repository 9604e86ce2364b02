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
    p50Ms: 20 + second,
    p99Ms: 80 + 5 * second,
    maxMs: 150 + 10 * second,
    lagMaxMs: 1,
  }));
  const lat = { count: 1200, meanMs: 25, minMs: 3, p50Ms: 22, p90Ms: 60, p99Ms: 120, p999Ms: 200, maxMs: 260 };
  return {
    kind: 'replay',
    version: 2,
    runId: 'replay-test',
    sourceRunId: 'replay-test',
    input: { kind: 'file', names: ['/tmp/in.jsonl'], events: 1200, rejectedLines: 0, syntheticIdentifiers: 0 },
    target: 'http://127.0.0.1:1/v1/ingest',
    protocol: 'metronome',
    settings: {
      pacing: { mode: 'rate', rate: 100 } as unknown as ReplayReport['settings']['pacing'],
      pacingText: '100 events/s',
      connections: 4,
      pipelining: 1,
      batch: 1,
      flushMs: 200,
      maxInFlight: 10000,
      timeoutMs: 30000,
      retries: 8,
      maxRetryWaitMs: 30000,
      timestamps: 'shift',
      gzip: false,
      uniqueIds: false,
      durationS: null,
      limit: null,
    },
    startedAt: '2024-03-04T10:00:00.000Z',
    finishedAt: '2024-03-04T10:00:12.000Z',
    status: 'done',
    elapsedS: 12,
    sendSpanS: 12,
    totals: { eventsInput: 1200, eventsSent: 1200, acknowledged: 1080, rejected: 96, failed: 24, notSent: 0, requests: 1200, attempts: 1248, retries: 48, sessionRequests: 0, duplicateOnRetry: 0 },
    accountingOk: true,
    achieved: { eventsPerS: 100, acknowledgedPerS: 90, requestsPerS: 100, attemptsPerS: 104, offeredEventsPerS: 100 },
    latency: lat,
    service: lat,
    connectionWait: { ...lat, p50Ms: 0.2, p99Ms: 3 },
    lag: { ...lat, p50Ms: 0.1, p99Ms: 1 },
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
