/**
 * Traffic rates. One scan of `events` fills `profile_rate_seconds` (events per UTC second, per event
 * name and in total); every rate figure is then SQL over that much smaller table:
 * sliding peaks with RANGE window frames over the non-empty seconds (no dense series needed),
 * percentiles with the empty seconds added back as one weighted zero (never materialized).
 */
import type { Store } from '../store/store.js';
import type { DayOfWeekRate, EventNameRate, HourOfDayRate, RateHistogramBucket, RatePeak, RateProfile, RateSeries } from './model.js';
import { isoOfSecond, num, type Query } from '../store/sql.js';
import { clearRun } from '../store/run-rows.js';

const PEAK_WINDOWS = [1, 10, 60] as const;
const SERIES_BUCKETS = [1, 10, 60, 300, 900, 3600, 21_600, 86_400];
const MAX_SERIES_POINTS = 500;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** The overall per-second series of a run (rows with event_name = ''). */
export const TOTAL_SERIES = `SELECT toUInt32(second) AS s, events AS c FROM profile_rate_seconds
  WHERE run_id = {run:String} AND event_name = ''`;

/** Events per second and event name, from `events` (one scan). */
export function namedSecondsInsert(runId: string): Query {
  return {
    sql: `INSERT INTO profile_rate_seconds (run_id, event_name, second, events)
     SELECT {run:String}, event_name, toDateTime(event_time, 'UTC') AS second, count() AS events
     FROM events WHERE run_id = {run:String}
     GROUP BY event_name, second`,
    params: { run: runId },
  };
}

/** The per-second totals (event_name = ''), summed from the per-name rows. */
export function totalSecondsInsert(runId: string): Query {
  return {
    sql: `INSERT INTO profile_rate_seconds (run_id, event_name, second, events)
     SELECT {run:String}, '', second, sum(events)
     FROM profile_rate_seconds WHERE run_id = {run:String} AND event_name != ''
     GROUP BY second`,
    params: { run: runId },
  };
}

/** Fills profile_rate_seconds for the run from events: one scan, per name and total at once. */
export async function buildRateSeries(store: Store, runId: string): Promise<void> {
  await clearRun(store, 'profile_rate_seconds', runId);
  // Per name first; the totals are summed from those rows (names × seconds, far fewer than events).
  // GROUPING SETS over events hashed every event twice.
  await store.exec(namedSecondsInsert(runId));
  await store.exec(totalSecondsInsert(runId));
}

/** Span in whole seconds from the first to the last event, inclusive. */
export interface Span {
  firstSecond: number;
  lastSecond: number;
  seconds: number;
}

export function spanOf(firstIso: string | null, lastIso: string | null): Span | null {
  if (!firstIso || !lastIso) return null;
  const firstSecond = Math.floor(Date.parse(firstIso) / 1000);
  const lastSecond = Math.floor(Date.parse(lastIso) / 1000);
  return { firstSecond, lastSecond, seconds: lastSecond - firstSecond + 1 };
}

/** Active seconds, and per peak window (w seconds) its busiest sum e{w} and where it starts a{w}. */
export function peaksQuery(runId: string): Query {
  const windows = PEAK_WINDOWS.map((w) => `sum(c) OVER (ORDER BY s RANGE BETWEEN CURRENT ROW AND ${w - 1} FOLLOWING) AS w${w}`).join(',\n');
  return {
    sql: `SELECT count() AS active, ${PEAK_WINDOWS.map((w) => `max(w${w}) AS e${w}, argMax(s, (w${w}, -toInt64(s))) AS a${w}`).join(', ')}
     FROM (SELECT s, c, ${windows} FROM (${TOTAL_SERIES}))`,
    params: { run: runId },
  };
}

/** Percentiles over every second of the span: the `zeros` empty seconds enter as one zero weighted by their number. */
export function percentilesQuery(runId: string, zeros: number): Query {
  return {
    sql: `SELECT quantilesExactWeighted(0.5, 0.9, 0.99, 0.999)(c, w) AS q, max(c) AS mx FROM (
       SELECT toUInt64(c) AS c, toUInt64(1) AS w FROM (${TOTAL_SERIES})
       UNION ALL SELECT toUInt64(0), toUInt64({zeros:UInt64}) WHERE {zeros:UInt64} > 0)`,
    params: { run: runId, zeros },
  };
}

/** Non-empty seconds per power-of-two bucket of events (bucket b holds 2^b .. 2^(b+1) - 1). */
export function histogramQuery(runId: string): Query {
  return {
    sql: `SELECT toInt32(floor(log2(c))) AS b, count() AS n FROM (${TOTAL_SERIES}) GROUP BY b ORDER BY b`,
    params: { run: runId },
  };
}

export async function computeRates(store: Store, runId: string, total: number, span: Span | null): Promise<RateProfile> {
  if (!span || total === 0) return emptyRates();
  const [pk] = await store.select<Record<string, string>>(peaksQuery(runId));
  const peak = Object.fromEntries(
    PEAK_WINDOWS.map((w): [string, RatePeak] => {
      const events = num(pk[`e${w}`]);
      return [`${w}s`, { windowSeconds: w, events, eps: events / w, at: isoOfSecond(num(pk[`a${w}`])) }];
    }),
  ) as RateProfile['peak'];
  const active = num(pk.active);
  const zeros = span.seconds - active;

  const [q] = await store.select<{ q: number[]; mx: string }>(percentilesQuery(runId, zeros));
  const [p50, p90, p99, p999] = q.q.map(num);

  const hist = await store.select<{ b: number; lo: string; hi: string; n: string }>(histogramQuery(runId));
  const histogram: RateHistogramBucket[] = [];
  if (zeros > 0) histogram.push({ from: 0, to: 0, seconds: zeros });
  for (const h of hist) histogram.push({ from: 2 ** h.b, to: 2 ** (h.b + 1) - 1, seconds: num(h.n) });

  return {
    spanSeconds: span.seconds,
    activeSeconds: active,
    avgEps: total / span.seconds,
    peak,
    percentiles: { p50, p90, p99, p999, max: num(q.mx) },
    burstFactor: peak['1s'].eps / (total / span.seconds),
    histogram,
    hourOfDay: await hourOfDay(store, runId, total, span),
    dayOfWeek: await dayOfWeek(store, runId, total, span),
    series: await series(store, runId, span),
  };
}

async function hourOfDay(store: Store, runId: string, total: number, span: Span): Promise<HourOfDayRate[]> {
  const by = await slotTotals(store, runId, 'toHour');
  const secs = secondsPerCycleSlot(span, 3600, 24, 0);
  return Array.from({ length: 24 }, (_, hour) => {
    const { events, peak1s } = by.get(hour) ?? { events: 0, peak1s: 0 };
    return { hour, events, share: events / total, avgEps: secs[hour] ? events / secs[hour] : 0, peak1s };
  });
}

async function dayOfWeek(store: Store, runId: string, total: number, span: Span): Promise<DayOfWeekRate[]> {
  const by = await slotTotals(store, runId, 'toDayOfWeek');
  // Unix day 0 (1970-01-01) was a Thursday: slot 0 = Monday needs an offset of 3 days.
  const secs = secondsPerCycleSlot(span, 86_400, 7, 3);
  return DAY_NAMES.map((name, i) => {
    const { events, peak1s } = by.get(i + 1) ?? { events: 0, peak1s: 0 };
    return { day: i + 1, name, events, share: events / total, avgEps: secs[i] ? events / secs[i] : 0, peak1s };
  });
}

/** Events and busiest second per slot of a cycle; `slotFn` is a ClickHouse function of the time (toHour, toDayOfWeek). */
export function slotTotalsQuery(runId: string, slotFn: 'toHour' | 'toDayOfWeek'): Query {
  return {
    sql: `SELECT ${slotFn}(toDateTime(s, 'UTC')) AS k, sum(c) AS e, max(c) AS p FROM (${TOTAL_SERIES}) GROUP BY k`,
    params: { run: runId },
  };
}

async function slotTotals(store: Store, runId: string, slotFn: 'toHour' | 'toDayOfWeek'): Promise<Map<number, { events: number; peak1s: number }>> {
  const rows = await store.select<{ k: number; e: string; p: string }>(slotTotalsQuery(runId, slotFn));
  return new Map(rows.map((r) => [Number(r.k), { events: num(r.e), peak1s: num(r.p) }]));
}

/**
 * How many seconds of the span fall in each slot of a repeating cycle (hours of a day, days of a week):
 * slot of second s = (floor(s / unit) + offsetUnits) mod slots. Arithmetic, so long spans cost nothing.
 */
export function secondsPerCycleSlot(span: Span, unit: number, slots: number, offsetUnits: number): number[] {
  const out = new Array<number>(slots).fill(0);
  const cycle = unit * slots;
  const full = Math.floor(span.seconds / cycle);
  for (let i = 0; i < slots; i++) out[i] = full * unit;
  // The remainder is shorter than one cycle: at most slots + 1 partial units.
  let s = span.firstSecond + full * cycle;
  const end = span.lastSecond + 1;
  while (s < end) {
    const unitIndex = Math.floor(s / unit);
    const next = Math.min((unitIndex + 1) * unit, end);
    const slot = (((unitIndex + offsetUnits) % slots) + slots) % slots;
    out[slot] += next - s;
    s = next;
  }
  return out;
}

/** The finest series bucket that covers the span in at most MAX_SERIES_POINTS buckets (the coarsest otherwise). */
export function seriesBucketSeconds(span: Span): number {
  return (
    SERIES_BUCKETS.find((b) => Math.floor(span.lastSecond / b) - Math.floor(span.firstSecond / b) + 1 <= MAX_SERIES_POINTS) ?? SERIES_BUCKETS[SERIES_BUCKETS.length - 1]
  );
}

/**
 * Events and busiest second per bucket of `bucketSeconds` (aligned to the epoch), every bucket of the
 * span: WITH FILL adds the empty ones with 0 events (a chart must show idle time as idle).
 */
export function seriesQuery(runId: string, bucketSeconds: number, span: Span): Query {
  const from = Math.floor(span.firstSecond / bucketSeconds) * bucketSeconds;
  const to = Math.floor(span.lastSecond / bucketSeconds) * bucketSeconds + bucketSeconds;
  return {
    sql: `SELECT toUInt64(intDiv(s, {b:UInt32}) * {b:UInt32}) AS b, sum(c) AS e, max(c) AS p FROM (${TOTAL_SERIES}) GROUP BY b
     ORDER BY b WITH FILL FROM {from:UInt64} TO {to:UInt64} STEP {step:UInt64}`,
    params: { run: runId, b: bucketSeconds, from, to, step: bucketSeconds },
  };
}

async function series(store: Store, runId: string, span: Span): Promise<RateSeries> {
  const bucketSeconds = seriesBucketSeconds(span);
  const rows = await store.select<{ b: string; e: string; p: string }>(seriesQuery(runId, bucketSeconds, span));
  return {
    bucketSeconds,
    points: rows.map((r) => ({ at: isoOfSecond(num(r.b)), events: num(r.e), avgEps: num(r.e) / bucketSeconds, peak1s: num(r.p) })),
  };
}

function emptyRates(): RateProfile {
  const peak = (w: number): RatePeak => ({ windowSeconds: w, events: 0, eps: 0, at: null });
  return {
    spanSeconds: 0,
    activeSeconds: 0,
    avgEps: 0,
    peak: { '1s': peak(1), '10s': peak(10), '60s': peak(60) },
    percentiles: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
    burstFactor: null,
    histogram: [],
    hourOfDay: Array.from({ length: 24 }, (_, hour) => ({ hour, events: 0, share: 0, avgEps: 0, peak1s: 0 })),
    dayOfWeek: DAY_NAMES.map((name, i) => ({ day: i + 1, name, events: 0, share: 0, avgEps: 0, peak1s: 0 })),
    series: { bucketSeconds: 1, points: [] },
  };
}

/** Per event name: its busiest second (events, and the earliest second with that many). */
export function eventNamePeaksQuery(runId: string): Query {
  return {
    sql: `SELECT event_name AS name, max(events) AS p, argMax(toUInt32(second), (events, -toInt64(toUInt32(second)))) AS at
     FROM profile_rate_seconds WHERE run_id = {run:String} AND event_name != '' GROUP BY event_name`,
    params: { run: runId },
  };
}

/** Per event name: count, own span, average and busiest second (from the per-name rows of the series). */
export async function computeEventNameRates(
  store: Store,
  runId: string,
  names: { name: string; count: number; first: string; last: string }[],
  total: number,
): Promise<EventNameRate[]> {
  const peaks = await store.select<{ name: string; p: string; at: string }>(eventNamePeaksQuery(runId));
  const peakOf = new Map(peaks.map((p) => [p.name, p]));
  return names.map((n) => {
    const span = spanOf(n.first, n.last)!;
    const pk = peakOf.get(n.name);
    return {
      name: n.name,
      count: n.count,
      share: total ? n.count / total : 0,
      first: n.first,
      last: n.last,
      spanSeconds: span.seconds,
      avgEps: n.count / span.seconds,
      peak1s: num(pk?.p),
      peak1sAt: isoOfSecond(num(pk?.at)),
    };
  });
}
