/**
 * The event-time side of the live view. After each batch one ClickHouse query aggregates just
 * that batch's rows (its line range): per-second counts by event time, event names, payload keys.
 * Node only merges these small results into bounded maps, so memory stays flat however long the
 * tail runs. The live figures are running approximations; the final report recomputes them
 * exactly over the whole run.
 */
import type { Store } from '../store/store.js';
import { isoSql } from '../store/sql.js';

/** Event-time seconds kept for merging counts of seconds that span batches. */
const SECONDS_KEPT = 3600;
const NAMES_KEPT = 1000;
const KEYS_KEPT = 5000;

interface BatchRow {
  events: string;
  rejects: string;
  seconds: [string, string][];
  names: [string, string][];
  keys: [string, string][];
  newest: string | null;
}

export interface EventTimeSnapshot {
  /** Busiest second by event time seen so far (events in it). */
  peak: number;
  peakSecond: string | null;
  newest: string | null;
  /** Seconds between now and the newest event time (how far the events' clock is behind arrival). */
  lagS: number | null;
}

export interface KeySeen {
  key: string;
  count: number;
  firstSeen: string;
}

export class LiveStats {
  events = 0;
  rejects = 0;
  private readonly seconds = new Map<number, number>();
  private prunedPeak = 0;
  private prunedPeakSecond = 0;
  private readonly names = new Map<string, number>();
  private otherNames = 0;
  private readonly keys = new Map<string, { count: number; firstSeen: number }>();
  private newKeys: string[] = [];
  private newest: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    private readonly source: string,
  ) {}

  /** Adds the rows stored for lines from..to (inclusive). `initial` marks keys as known, not new. */
  async addLines(from: number, to: number, initial = false): Promise<void> {
    if (to < from) return;
    const where = `run_id = {run:String} AND source = {src:String} AND line BETWEEN {from:UInt64} AND {to:UInt64}`;
    const [r] = await this.store.select<BatchRow>(
      `SELECT
          (SELECT count() FROM events WHERE ${where}) AS events,
          (SELECT count() FROM rejects WHERE ${where}) AS rejects,
          (SELECT groupArray((s, c)) FROM (
             SELECT intDiv(toUnixTimestamp64Milli(event_time), 1000) AS s, count() AS c FROM events WHERE ${where}
             GROUP BY s ORDER BY s DESC LIMIT ${SECONDS_KEPT})) AS seconds,
          (SELECT groupArray((n, c)) FROM (
             SELECT event_name AS n, count() AS c FROM events WHERE ${where} GROUP BY n ORDER BY c DESC LIMIT ${NAMES_KEPT})) AS names,
          (SELECT groupArray((k, c)) FROM (
             SELECT k, count() AS c FROM events ARRAY JOIN arrayDistinct(mapKeys(properties)) AS k WHERE ${where}
             GROUP BY k ORDER BY c DESC LIMIT ${KEYS_KEPT})) AS keys,
          (SELECT if(count() = 0, NULL, ${isoSql('max(event_time)')}) FROM events WHERE ${where}) AS newest`,
      { run: this.runId, src: this.source, from, to },
    );
    this.merge(r, initial);
  }

  private merge(r: BatchRow, initial: boolean): void {
    this.events += Number(r.events);
    this.rejects += Number(r.rejects);
    for (const [s, c] of r.seconds) {
      const sec = Number(s);
      this.seconds.set(sec, (this.seconds.get(sec) ?? 0) + Number(c));
    }
    if (this.seconds.size > SECONDS_KEPT * 1.2) this.prune();
    for (const [n, c] of r.names) {
      const had = this.names.get(n);
      if (had !== undefined || this.names.size < NAMES_KEPT) this.names.set(n, (had ?? 0) + Number(c));
      else this.otherNames += Number(c);
    }
    const now = Date.now();
    for (const [k, c] of r.keys) {
      const had = this.keys.get(k);
      if (had) had.count += Number(c);
      else if (this.keys.size < KEYS_KEPT) {
        this.keys.set(k, { count: Number(c), firstSeen: now });
        if (!initial) this.newKeys.push(k);
      }
    }
    if (r.newest) {
      const t = Date.parse(r.newest);
      if (this.newest === null || t > this.newest) this.newest = t;
    }
  }

  /** Keeps the latest seconds; older ones are final enough to only matter for the peak. */
  private prune(): void {
    const secs = [...this.seconds.keys()].sort((a, b) => a - b);
    for (const s of secs.slice(0, secs.length - SECONDS_KEPT)) {
      const c = this.seconds.get(s)!;
      if (c > this.prunedPeak) {
        this.prunedPeak = c;
        this.prunedPeakSecond = s;
      }
      this.seconds.delete(s);
    }
  }

  eventTime(now = Date.now()): EventTimeSnapshot {
    let peak = this.prunedPeak;
    let peakSecond = this.prunedPeakSecond;
    for (const [s, c] of this.seconds) {
      if (c > peak || (c === peak && s < peakSecond)) {
        peak = c;
        peakSecond = s;
      }
    }
    return {
      peak,
      peakSecond: peak > 0 ? new Date(peakSecond * 1000).toISOString() : null,
      newest: this.newest === null ? null : new Date(this.newest).toISOString(),
      lagS: this.newest === null ? null : Math.round((now - this.newest) / 100) / 10,
    };
  }

  topEvents(n: number): { name: string; count: number }[] {
    return [...this.names]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
      .slice(0, n);
  }

  /** Keys first seen since the last call. */
  takeNewKeys(): string[] {
    const out = this.newKeys;
    this.newKeys = [];
    return out;
  }

  /** The keys seen last (most recent first). */
  recentKeys(n: number): KeySeen[] {
    return [...this.keys]
      .map(([key, v]) => ({ key, count: v.count, firstSeen: new Date(v.firstSeen).toISOString() }))
      .sort((a, b) => (a.firstSeen < b.firstSeen ? 1 : a.firstSeen > b.firstSeen ? -1 : a.key < b.key ? -1 : 1))
      .slice(0, n);
  }

  get keyCount(): number {
    return this.keys.size;
  }
}
