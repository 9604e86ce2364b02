/**
 * Per-path figures that need the per-second series (src/profile/rates.ts, table profile_rate_seconds):
 * seconds over the path's capacity, and the longest queueing delay if events were sent no faster
 * than that capacity. The delay is Lindley's recursion Q(t) = max(0, Q(t-1) + c(t) - C) solved in
 * closed form over the non-empty seconds only: with S(t) = Σc - C·(t - t0 + 1), Q(t) = S(t) - min(0, min S(u≤t)),
 * and the minimum over the empty seconds before a busy second s is S(s - 1). Window functions do the rest.
 */
import type { Store } from '../store/store.js';
import { TOTAL_SERIES } from '../profile/rates.js';
import { num, type Query } from '../store/sql.js';

export interface CapacityLoad {
  /** Seconds with more events than the capacity. */
  secondsOver: number;
  /** Largest backlog ÷ capacity, seconds. */
  queueDelaySeconds: number;
}

/**
 * Per capacity i: over{i} (seconds above it) and q{i} (largest backlog, events).
 * @param capacities events/s per path (trusted numbers from the limits table, inlined; anything but a positive number throws).
 */
export function capacityLoadsQuery(runId: string, firstSecond: number, capacities: number[]): Query {
  const cap = (i: number) => {
    const c = capacities[i];
    if (!Number.isFinite(c) || c <= 0) throw new Error(`invalid capacity ${c}`);
    return `toFloat64(${c})`;
  };
  const idx = capacities.map((_, i) => i);
  return {
    sql: `SELECT ${idx.map((i) => `countIf(c > ${cap(i)}) AS over${i}, max(greatest(0, S${i} - least(0, mb${i}))) AS q${i}`).join(', ')}
     FROM (
       SELECT s, c, ${idx.map((i) => `S${i}, min(Sb${i}) OVER w AS mb${i}`).join(', ')}
       FROM (
         SELECT s, c, sum(c) OVER (ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
           ${idx.map((i) => `toFloat64(cum) - ${cap(i)} * (toFloat64(s) - {s0:Float64} + 1) AS S${i}, toFloat64(cum - c) - ${cap(i)} * (toFloat64(s) - {s0:Float64}) AS Sb${i}`).join(',\n           ')}
         FROM (${TOTAL_SERIES}))
       WINDOW w AS (ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))`,
    params: { run: runId, s0: firstSecond },
  };
}

export async function capacityLoads(store: Store, runId: string, firstSecond: number, capacities: number[]): Promise<CapacityLoad[]> {
  if (capacities.length === 0) return [];
  const [r] = await store.select<Record<string, string | number>>(capacityLoadsQuery(runId, firstSecond, capacities));
  const idx = capacities.map((_, i) => i);
  return idx.map((i) => ({ secondsOver: num(r?.[`over${i}`]), queueDelaySeconds: num(r?.[`q${i}`]) / capacities[i] }));
}
