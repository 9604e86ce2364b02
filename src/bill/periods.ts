/**
 * Billing periods on UTC calendar boundaries: month (from the 1st), ISO week (from Monday), day,
 * hour. The SQL side buckets events; the JS side walks periods for the Stripe requests and checks
 * that --from / --to sit on boundaries (a bill covers whole periods).
 */
import { UserError } from '../errors.js';
import type { Period } from './model.js';

/** Unix seconds of the start of the period holding `event_time`. */
export const PERIOD_START_SQL: Record<Period, string> = {
  month: `toUnixTimestamp(toDateTime(toStartOfMonth(event_time), 'UTC'))`,
  week: `toUnixTimestamp(toDateTime(toMonday(event_time), 'UTC'))`,
  day: `toUnixTimestamp(toDateTime(toDate(event_time), 'UTC'))`,
  hour: `toUnixTimestamp(toStartOfHour(toDateTime(event_time, 'UTC')))`,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Start (epoch ms) of the period holding `ms`. */
export function periodStart(ms: number, period: Period): number {
  const d = new Date(ms);
  switch (period) {
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'week': {
      // 1970-01-01 was a Thursday: (days + 3) mod 7 counts the days since Monday.
      const days = Math.floor(ms / DAY);
      return (days - ((((days + 3) % 7) + 7) % 7)) * DAY;
    }
    case 'day':
      return Math.floor(ms / DAY) * DAY;
    case 'hour':
      return Math.floor(ms / HOUR) * HOUR;
  }
}

/** Start (epoch ms) of the period after the one starting at `startMs`. */
export function nextPeriod(startMs: number, period: Period): number {
  if (period === 'month') {
    const d = new Date(startMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return startMs + (period === 'week' ? 7 * DAY : period === 'day' ? DAY : HOUR);
}

/** Every period start from the period holding `firstMs` to the one holding `lastMs`, inclusive. */
export function periodsBetween(firstMs: number, lastMs: number, period: Period): number[] {
  const out: number[] = [];
  for (let s = periodStart(firstMs, period); s <= lastMs; s = nextPeriod(s, period)) out.push(s);
  return out;
}

const BOUNDARY: Record<Period, string> = { month: 'the first of a month', week: 'a Monday', day: 'a day', hour: 'an hour' };

/** --from / --to as epoch ms, each on a period boundary (00:00 UTC of … ) and from before to. */
export function parseRange(from: string | undefined, to: string | undefined, period: Period): { fromMs: number; toMs: number } | null {
  if (from === undefined && to === undefined) return null;
  const parse = (flag: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new UserError(`${flag}: "${v}" is not a date/time (ISO 8601, e.g. 2024-06-01T00:00:00Z)`);
    if (periodStart(ms, period) !== ms) throw new UserError(`${flag} must be the start of ${BOUNDARY[period]} (UTC) with --period ${period}, got "${v}"`);
    return ms;
  };
  const fromMs = parse('--from', from, Date.UTC(1970, 0, 1));
  const toMs = parse('--to', to, Date.UTC(2200, 0, 1));
  if (toMs <= fromMs) throw new UserError(`--to must be after --from`);
  return { fromMs, toMs };
}
