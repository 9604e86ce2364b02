/** Counters the sink exposes on GET /_sink/stats: per path and status, and per-event outcomes. */
export type RouteName = 'stripe-v1' | 'stripe-v2-session' | 'stripe-v2-stream' | 'stripe-read' | 'metronome' | 'raw' | 'other';

export interface RouteStats {
  requests: number;
  by_status: Record<string, number>;
  events_accepted: number;
  /** Duplicates inside the identifier window: Stripe v1 rejects them, v2 and Metronome drop them silently. */
  events_duplicate: number;
  /** Events failing validation (v2 stream: found by the asynchronous validation, still answered 200). */
  events_invalid: number;
  /** Why events or requests were refused, by error code. */
  errors: Record<string, number>;
}

export interface SinkStatsSnapshot {
  started_at: string;
  uptime_s: number;
  routes: Record<RouteName, RouteStats>;
  recorded: number;
}

const emptyRoute = (): RouteStats => ({ requests: 0, by_status: {}, events_accepted: 0, events_duplicate: 0, events_invalid: 0, errors: {} });

export class SinkStats {
  private readonly started = Date.now();
  readonly routes: Record<RouteName, RouteStats> = {
    'stripe-v1': emptyRoute(),
    'stripe-v2-session': emptyRoute(),
    'stripe-v2-stream': emptyRoute(),
    'stripe-read': emptyRoute(),
    metronome: emptyRoute(),
    raw: emptyRoute(),
    other: emptyRoute(),
  };
  recorded = 0;

  status(route: RouteName, status: number): void {
    const r = this.routes[route];
    r.requests++;
    r.by_status[status] = (r.by_status[status] ?? 0) + 1;
  }

  error(route: RouteName, code: string, n = 1): void {
    const r = this.routes[route];
    r.errors[code] = (r.errors[code] ?? 0) + n;
  }

  snapshot(): SinkStatsSnapshot {
    return {
      started_at: new Date(this.started).toISOString(),
      uptime_s: (Date.now() - this.started) / 1000,
      routes: JSON.parse(JSON.stringify(this.routes)),
      recorded: this.recorded,
    };
  }
}
