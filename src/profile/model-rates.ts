/** The profile report's traffic figures: rates, peaks, percentiles, series, event names, customers. */

/** The busiest window of `windowSeconds` consecutive seconds (sliding, not aligned to the clock). */
export interface RatePeak {
  windowSeconds: number;
  /** Events in the window. */
  events: number;
  /** events ÷ windowSeconds. */
  eps: number;
  /**
   * Window start (ISO). Windows start on a second that has events; the earliest busiest window wins.
   * A window may reach past the last event (so a span shorter than the window gives events ÷ window).
   * null when there are no events.
   */
  at: string | null;
}

export interface RatePercentiles {
  /** Events in one second, nearest-rank over ALL seconds of the span (empty seconds count as 0). */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Seconds of the span whose event count falls in [from, to] (inclusive). */
export interface RateHistogramBucket {
  from: number;
  to: number;
  seconds: number;
}

export interface HourOfDayRate {
  /** 0..23, UTC. */
  hour: number;
  events: number;
  /** events ÷ all events. */
  share: number;
  /** events ÷ seconds of the span that fall in this hour of day (0 when none do). */
  avgEps: number;
  /** Busiest single second in this hour of day, events. */
  peak1s: number;
}

export interface DayOfWeekRate {
  /** ISO day of week: 1 = Monday … 7 = Sunday (UTC). */
  day: number;
  name: 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
  events: number;
  share: number;
  /** events ÷ seconds of the span that fall on this weekday. */
  avgEps: number;
  peak1s: number;
}

/** Rate over time for charts, in equal buckets: every bucket from the first event's to the last's, empty ones with 0. */
export interface RateSeries {
  /** Bucket length in seconds (1, 10, 60, 300, 900, 3600, 21600 or 86400: the smallest giving ≤ 500 buckets). */
  bucketSeconds: number;
  points: {
    /** Bucket start (ISO). */
    at: string;
    events: number;
    /** events ÷ bucketSeconds. */
    avgEps: number;
    /** Busiest second inside the bucket, events. */
    peak1s: number;
  }[];
}

export interface RateProfile {
  /** Number of 1-second buckets from the first to the last event, inclusive (0 without events). */
  spanSeconds: number;
  /** Seconds of the span with at least one event. */
  activeSeconds: number;
  /** events.total ÷ spanSeconds (0 without events). */
  avgEps: number;
  peak: { '1s': RatePeak; '10s': RatePeak; '60s': RatePeak };
  percentiles: RatePercentiles;
  /** peak['1s'].eps ÷ avgEps (null without events). */
  burstFactor: number | null;
  /** Distribution of per-second counts over the span, zero seconds included; buckets 0, 1, 2–3, 4–7, … */
  histogram: RateHistogramBucket[];
  /** Always 24 entries, hour 0..23. */
  hourOfDay: HourOfDayRate[];
  /** Always 7 entries, Monday first. */
  dayOfWeek: DayOfWeekRate[];
  series: RateSeries;
}

export interface EventNameRate {
  name: string;
  count: number;
  /** count ÷ all events. */
  share: number;
  first: string;
  last: string;
  /** 1-second buckets from this name's first to its last event, inclusive. */
  spanSeconds: number;
  /** count ÷ spanSeconds (this name's own span). */
  avgEps: number;
  /** Busiest single second for this name, events (= eps). */
  peak1s: number;
  peak1sAt: string;
}

export interface CustomerRate {
  customer: string;
  count: number;
  /** count ÷ all events. */
  share: number;
  /** Busiest single second for this customer, events. */
  peak1s: number;
  peak1sAt: string;
}

export interface CustomerProfile {
  /** Where the customer came from: the payload key (Stripe formats) or the format's customer field. */
  key: string;
  /** Distinct non-empty customers (exact). */
  distinct: number;
  /** Events with no customer. */
  missing: number;
  /** Top 10 customers by event count (ties: customer ascending). */
  top: CustomerRate[];
}

// ---------------------------------------------------------------------------------------------
// Properties (payload keys), per event name × key.
