/**
 * The timeline: how many events fall in each second. Bursts hold exactly the peak rate for
 * their seconds; every other second gets a share of the remaining events proportional to a
 * weight (hour-of-day curve × per-second jitter), cut into whole counts from the cumulative
 * weight so the total is exact. An ordinary second then holds at most ⌊rate⌋+1 events, and the
 * plan query checks (with the very SQL that generates) that none exceeds the peak.
 */
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import { TAG, prng, uniformSql } from './random.js';

export interface Schedule {
  events: number;
  /** Seconds in the timeline. */
  duration: number;
  /** Unix seconds of second 0. */
  startSec: number;
  /** Events in every burst second (0 when there are no bursts). */
  peakRate: number;
  /** First second of each burst, ascending, one per equal segment of the timeline. */
  burstStarts: number[];
  burstSeconds: number;
  /** Events left for ordinary seconds. */
  baseEvents: number;
}

export interface ScheduleStats {
  total: number;
  /** Most events in a second outside the bursts. */
  ordinaryMax: number;
  /** Most events in any second. */
  peak: number;
  /** When the peak second starts (unix seconds). */
  peakSecond: number;
}

const MAX_BURSTS = 10_000;

/** Decides the peak rate and the bursts (count, length, positions) before the plan check. */
function placeBursts(o: ResolvedOptions, peakOverride?: number): Schedule {
  const N = o.events;
  const D = o.duration;
  const avg = N / D;
  const shapeMax = (1 + o.dailySwing) * (1 + o.jitter);
  let P = peakOverride ?? o.peakRate ?? Math.max(1, Math.ceil(avg * shapeMax * 2));
  let nb = o.bursts ?? Math.max(1, Math.floor(D / 21600));
  if (nb > MAX_BURSTS) throw new UserError(`--bursts: at most ${MAX_BURSTS}`);
  let L = o.burstSeconds ?? Math.max(1, Math.min(10, Math.floor(D / Math.max(nb, 1))));
  const defaults = o.bursts === undefined && o.burstSeconds === undefined;
  if (nb > 0 && defaults) {
    // Default bursts take at most a quarter of the events (the peak is kept; fewer/shorter bursts).
    while (nb * L * P > N / 4 && (L > 1 || nb > 1)) {
      if (L > 1) L--;
      else nb--;
    }
    if (!o.peakRateGiven && nb * L * P > N / 2) nb = 0;
  }
  if (nb === 0) return { events: N, duration: D, startSec: o.start / 1000, peakRate: 0, burstStarts: [], burstSeconds: 0, baseEvents: N };
  if (L * nb > D || L > Math.floor(D / nb)) {
    throw new UserError(`${nb} burst(s) of ${L} s do not fit in ${D} s; lower --bursts or --burst-seconds, or lengthen --duration`);
  }
  const B = nb * L * P;
  if (B > N) {
    throw new UserError(
      `the bursts alone need ${B} events (${nb} burst(s) × ${L} s × ${P}/s peak) but only ${N} are generated; raise --events or lower --bursts/--burst-seconds/--peak-rate`,
    );
  }
  if (B < N && nb * L === D) throw new UserError('the bursts cover every second, leaving no room for the other events; lower --bursts or --burst-seconds');
  const rnd = prng(o.seed);
  const starts: number[] = [];
  for (let b = 0; b < nb; b++) {
    // Segment b is [ceil(b·D/nb), ceil((b+1)·D/nb)), exactly the seconds s with ⌊s·nb/D⌋ = b.
    const lo = Math.ceil((b * D) / nb);
    const hi = Math.ceil(((b + 1) * D) / nb);
    starts.push(lo + Math.floor(rnd() * (hi - lo - L + 1)));
  }
  P = Math.round(P);
  return { events: N, duration: D, startSec: o.start / 1000, peakRate: P, burstStarts: starts, burstSeconds: L, baseEvents: N - B };
}

/** SELECT s, cnt, before, is_burst over the seconds of the timeline (before = events in earlier seconds). */
export function scheduleSql(sc: Schedule, o: ResolvedOptions): string {
  const D = sc.duration;
  const nb = sc.burstStarts.length;
  const isBurst =
    nb === 0
      ? '0'
      : `(s >= [${sc.burstStarts.join(',')}][intDiv(s * ${nb}, ${D}) + 1] AND s < [${sc.burstStarts.join(',')}][intDiv(s * ${nb}, ${D}) + 1] + ${sc.burstSeconds})`;
  const hourCurve = o.dailySwing === 0 ? '1' : `(1 + ${o.dailySwing} * cos(2 * pi() * ((((${sc.startSec} + s) % 86400) / 3600) - ${o.peakHour}) / 24))`;
  const jitter = o.jitter === 0 ? '1' : `(${1 - o.jitter} + ${2 * o.jitter} * ${uniformSql(o.seed, TAG.weight, 's')})`;
  const NB = sc.baseEvents;
  return `
    SELECT s, cnt, cum - cnt AS before, is_burst FROM (
      SELECT s, is_burst, cum,
        cum - lagInFrame(cum, 1, toUInt64(0)) OVER (ORDER BY s ASC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS cnt
      FROM (
        SELECT s, is_burst,
          least(toUInt64(${NB}), toUInt64(floor(${NB} * if(tw > 0, cw / tw, 1)))) + toUInt64(${sc.peakRate}) * bsum AS cum
        FROM (
          SELECT s, is_burst, cw, bsum, max(cw) OVER () AS tw FROM (
            SELECT s, is_burst,
              sum(w) OVER (ORDER BY s ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cw,
              sum(toUInt64(is_burst)) OVER (ORDER BY s ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bsum
            FROM (
              SELECT number AS s, toUInt8(${isBurst}) AS is_burst, if(is_burst, 0., ${hourCurve} * ${jitter}) AS w
              FROM numbers(${D})
            )
          )
        )
      )
    )`;
}

async function scheduleStats(store: Store, sc: Schedule, o: ResolvedOptions): Promise<ScheduleStats> {
  const [r] = await store.select<{ total: string; ordinary_max: string; peak: string; peak_s: string }>(
    `SELECT sum(cnt) AS total, max(if(is_burst, 0, cnt)) AS ordinary_max, max(cnt) AS peak, argMax(s, cnt) AS peak_s
      FROM (${scheduleSql(sc, o)})`,
  );
  return { total: Number(r.total), ordinaryMax: Number(r.ordinary_max), peak: Number(r.peak), peakSecond: sc.startSec + Number(r.peak_s) };
}

/**
 * Places the bursts and checks the plan in SQL: the counts add up to the events asked for, and no
 * ordinary second outdoes the peak (a defaulted peak is raised until that holds).
 */
export async function planSchedule(store: Store, o: ResolvedOptions): Promise<{ schedule: Schedule; stats: ScheduleStats }> {
  let sc = placeBursts(o);
  for (let attempt = 0; attempt < 6; attempt++) {
    const stats = await scheduleStats(store, sc, o);
    if (stats.total !== sc.events) throw new Error(`schedule adds up to ${stats.total}, expected ${sc.events}`);
    if (sc.peakRate === 0 || stats.ordinaryMax <= sc.peakRate) return { schedule: sc, stats };
    if (o.peakRateGiven) {
      throw new UserError(
        `--peak-rate ${sc.peakRate} is below the busiest ordinary second (${stats.ordinaryMax} events); raise --peak-rate, or lower --daily-swing/--jitter or the average rate`,
      );
    }
    sc = placeBursts(o, Math.ceil(stats.ordinaryMax * 1.25) + 1);
  }
  throw new Error('could not find a peak rate above the ordinary seconds');
}
