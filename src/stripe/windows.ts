/**
 * Time windows for meter event summaries. Stripe takes start_time (inclusive) and end_time
 * (exclusive) as unix seconds aligned to minute boundaries, or to hour / UTC-day boundaries when
 * value_grouping_window is hour / day; a meter pre-aggregated by hour or day is read at least that
 * coarsely. The log side buckets its events the same way, so each window compares like with like.
 */
export const GRANULARITIES = ['span', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

export interface MeterWindows {
  /** Effective grouping for this meter: one window over the span, or hour / day windows. */
  granularity: Granularity;
  /** Alignment unit, seconds. */
  unit: number;
  /** Aligned range, unix seconds: [start, end). */
  start: number;
  end: number;
  /** value_grouping_window to send, if any. */
  groupingWindow: 'hour' | 'day' | undefined;
}

const unitOf = (g: Granularity) => (g === 'day' ? DAY : g === 'hour' ? HOUR : MINUTE);

/**
 * Windows covering events from `firstMs` to `lastMs` (inclusive, epoch milliseconds).
 * `eventTimeWindow` is the meter's pre-aggregation window (hour | day | null).
 */
export function meterWindows(firstMs: number, lastMs: number, requested: Granularity, eventTimeWindow: string | null): MeterWindows {
  let granularity = requested;
  if (eventTimeWindow === 'day' && granularity !== 'span') granularity = 'day';
  // A pre-aggregated meter only has whole hours/days, so even a single span is aligned to them.
  const floorUnit = eventTimeWindow === 'day' ? DAY : eventTimeWindow === 'hour' ? HOUR : MINUTE;
  const unit = Math.max(unitOf(granularity), floorUnit);
  const firstS = Math.floor(firstMs / 1000);
  const lastS = Math.floor(lastMs / 1000);
  const start = Math.floor(firstS / unit) * unit;
  const end = Math.floor(lastS / unit) * unit + unit;
  return { granularity, unit, start, end, groupingWindow: granularity === 'span' ? undefined : granularity };
}
