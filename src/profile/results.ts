/**
 * Writes the profile result tables (migration 006) for a run: property stats, dimension candidates
 * and fit verdicts. The per-second series is written by rates.ts straight from `events`.
 * Rows of an earlier computation of the same run are replaced.
 */
import type { Store } from '../store/store.js';
import type { ProfileReport } from './model.js';
import { clearRun } from '../store/run-rows.js';

const TABLES = ['profile_properties', 'profile_candidates', 'profile_fit'] as const;

type Row = Record<string, unknown>;

export async function saveResults(store: Store, r: ProfileReport): Promise<void> {
  for (const table of TABLES) await clearRun(store, table, r.runId);
  await store.insertRows('profile_properties', propertyRows(r));
  await store.insertRows('profile_candidates', candidateRows(r));
  await store.insertRows('profile_fit', fitRows(r));
}

/** One row per event name × key. */
export function propertyRows(r: ProfileReport): Row[] {
  return r.properties.map((p) => ({
    run_id: r.runId,
    event_name: p.eventName,
    key: p.key,
    events: p.events,
    present: p.present,
    presence: p.presence,
    distinct_values: p.distinct,
    distinct_exact: p.distinctExact,
    class: p.class,
    types: p.types,
    numeric_count: p.numeric?.count ?? 0,
    numeric_min: p.numeric?.min ?? null,
    numeric_max: p.numeric?.max ?? null,
    numeric_mean: p.numeric?.mean ?? null,
    numeric_p50: p.numeric?.p50 ?? null,
    numeric_p99: p.numeric?.p99 ?? null,
    top_values: p.topValues.map((t) => ({ value: t.value, events: t.count })),
    detail: JSON.stringify(p),
  }));
}

/** One row per dimension candidate of each event name. */
export function candidateRows(r: ProfileReport): Row[] {
  return r.dimensionCandidates.flatMap((d) =>
    d.candidates.map((c) => ({
      run_id: r.runId,
      event_name: d.eventName,
      keys: c.keys,
      kind: c.kind,
      combinations: c.combinations,
      present: c.present,
      presence: c.presence,
      score: c.score,
      reason: c.reason,
    })),
  );
}

/** One row per ingestion path. */
export function fitRows(r: ProfileReport): Row[] {
  return r.fit.map((f) => ({
    run_id: r.runId,
    path: f.path,
    verdict: f.verdict,
    utilization: f.utilization,
    headroom: f.headroom,
    avg_requests_per_second: f.need.avgRequestsPerSecond,
    peak_requests_per_second: f.need.peakRequestsPerSecond,
    seconds_over_limit: f.secondsOverLimit,
    detail: JSON.stringify(f),
  }));
}
