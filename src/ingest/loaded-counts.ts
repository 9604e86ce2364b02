/** What a load stored, by source: the figures of `run_sources` and of each source's line in a report. */
import type { Store } from '../store/store.js';

export interface LoadedCounts {
  events: number;
  rejects: number;
  /** The last line number stored (event or reject): the lines the source had. */
  lines: number;
}

/** Events, rejects and lines of the run's given sources (a source with no rows counts zero). */
export async function loadedCounts(store: Store, runId: string, sources: string[]): Promise<Map<string, LoadedCounts>> {
  const rows = await store.select<{ source: string; events: string; rejects: string; lines: string }>(
    `SELECT source, sum(e) AS events, sum(r) AS rejects, max(l) AS lines FROM (
        SELECT source, count() AS e, 0 AS r, max(line) AS l FROM events WHERE run_id = {run:String} AND source IN {sources:Array(String)} GROUP BY source
        UNION ALL
        SELECT source, 0 AS e, count() AS r, max(line) AS l FROM rejects WHERE run_id = {run:String} AND source IN {sources:Array(String)} GROUP BY source)
      GROUP BY source`,
    { run: runId, sources },
  );
  const found = new Map(rows.map((r) => [r.source, { events: Number(r.events), rejects: Number(r.rejects), lines: Number(r.lines) }]));
  return new Map(sources.map((s) => [s, found.get(s) ?? { events: 0, rejects: 0, lines: 0 }]));
}
