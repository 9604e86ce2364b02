/**
 * Hour-of-day × day-of-week table for the heatmap, derived from the model's rate series. The model
 * carries hour-of-day and day-of-week separately; their cross table is exact from the series when its
 * buckets are an hour or shorter (1 s … 1 h buckets never straddle an hour boundary). Longer spans
 * (6 h or 1 day buckets) return null and the report charts the two marginals instead.
 */
import type { ProfileReport } from '../profile/model.js';

export const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface WeekHourCell {
  /** ISO day of week, 1 = Monday. */
  day: number;
  dayName: (typeof DAY_NAMES)[number];
  /** 0..23, UTC. */
  hour: number;
  events: number;
  /** Seconds of the span (first to last event) that fall in this weekday-hour. */
  seconds: number;
  /** events ÷ seconds (0 when the span never covers the cell). */
  avgEps: number;
}

const isoDay = (d: Date) => ((d.getUTCDay() + 6) % 7) + 1;

export function weekHourTable(r: ProfileReport): WeekHourCell[] | null {
  const { series } = r.rate;
  if (!r.events.first || !r.events.last || series.bucketSeconds > 3600 || 3600 % series.bucketSeconds !== 0) return null;
  const cells: WeekHourCell[] = [];
  for (let day = 1; day <= 7; day++) {
    for (let hour = 0; hour < 24; hour++) cells.push({ day, dayName: DAY_NAMES[day - 1], hour, events: 0, seconds: 0, avgEps: 0 });
  }
  const cell = (ms: number) => {
    const d = new Date(ms);
    return cells[(isoDay(d) - 1) * 24 + d.getUTCHours()];
  };
  for (const p of series.points) cell(Date.parse(p.at)).events += p.events;
  // Span seconds per cell, hour by hour (≤ 500 hours: the series has ≤ 500 buckets of ≤ 1 h).
  const first = Math.floor(Date.parse(r.events.first) / 1000);
  const end = Math.floor(Date.parse(r.events.last) / 1000) + 1;
  for (let h = Math.floor(first / 3600); h * 3600 < end; h++) {
    const from = Math.max(first, h * 3600);
    const to = Math.min(end, (h + 1) * 3600);
    cell(h * 3600 * 1000).seconds += to - from;
  }
  for (const c of cells) c.avgEps = c.seconds > 0 ? c.events / c.seconds : 0;
  return cells;
}
