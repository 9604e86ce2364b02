/**
 * Reads a stored run's events back from ClickHouse in event-time order, page by page (keyset
 * pagination on the table's sort order), with the next page fetched while the current one is
 * sent, so a 10M-event run never sits in memory.
 */
import type { Store } from '../store/store.js';

export interface StoredEvent {
  /** Event time, ms since the epoch. */
  t: number;
  name: string;
  customer: string;
  identifier: string;
  value: number | null;
  /** Payload key -> raw JSON text of the value (strings keep their quotes). */
  props: Record<string, string>;
  source: string;
  line: number;
  seq: number;
}

export interface RunEventsSummary {
  events: number;
  /** ms since the epoch; 0 when there are no events */
  first: number;
  last: number;
  /** Events with an empty identifier (replay gives them a stable synthetic one). */
  withoutIdentifier: number;
}

export async function summarizeRunEvents(store: Store, runId: string): Promise<RunEventsSummary> {
  const [r] = await store.select<{ n: string; first: string; last: string; no_id: string }>(
    `SELECT count() AS n, toUnixTimestamp64Milli(min(event_time)) AS first, toUnixTimestamp64Milli(max(event_time)) AS last,
              countIf(identifier = '') AS no_id
            FROM events WHERE run_id = {run:String}`,
    { run: runId },
  );
  const events = Number(r?.n ?? 0);
  return { events, first: events ? Number(r.first) : 0, last: events ? Number(r.last) : 0, withoutIdentifier: Number(r?.no_id ?? 0) };
}

type Row = [string, string, string, string, number | null, Record<string, string>, string, string, number];

/** Yields pages of events ordered by (event_time, source, line, seq); `limit` caps the total. */
export async function* readRunEvents(store: Store, runId: string, opts: { pageSize?: number; limit?: number } = {}): AsyncGenerator<StoredEvent[]> {
  // Small pages: parsing one runs on the event loop, and a long parse would show up as schedule lag.
  const pageSize = opts.pageSize ?? 5_000;
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
  let cursor: { t: number; source: string; line: number; seq: number } | undefined;
  const fetch = (c: typeof cursor, n: number) => fetchPage(store, runId, c, n);
  let next = remaining > 0 ? fetch(cursor, Math.min(pageSize, remaining)) : undefined;
  while (next) {
    const page = await next;
    remaining -= page.length;
    const last = page[page.length - 1];
    cursor = last ? { t: last.t, source: last.source, line: last.line, seq: last.seq } : undefined;
    // Prefetch while the caller works through this page.
    next = page.length === pageSize && remaining > 0 && cursor ? fetch(cursor, Math.min(pageSize, remaining)) : undefined;
    if (page.length) yield page;
  }
}

async function fetchPage(store: Store, runId: string, after: { t: number; source: string; line: number; seq: number } | undefined, n: number): Promise<StoredEvent[]> {
  // The plain event_time bound lets the primary key (run_id, event_time) skip granules;
  // the tuple comparison breaks ties inside one millisecond.
  const where = after
    ? `AND event_time >= fromUnixTimestamp64Milli({t:Int64}, 'UTC')
       AND (toUnixTimestamp64Milli(event_time), source, line, seq) > ({t:Int64}, {src:String}, {line:UInt64}, {seq:UInt32})`
    : '';
  const rows = await store.select<Row>(
    `SELECT toUnixTimestamp64Milli(event_time), event_name, customer, identifier, value, properties, toString(source), line, seq
            FROM events WHERE run_id = {run:String} ${where}
            ORDER BY event_time, source, line, seq LIMIT {n:UInt32}`,
    { run: runId, n, ...(after ? { t: after.t, src: after.source, line: after.line, seq: after.seq } : {}) },
    { compact: true },
  );
  return rows.map((r) => ({
    t: Number(r[0]),
    name: r[1],
    customer: r[2],
    identifier: r[3],
    value: r[4],
    props: r[5],
    source: r[6],
    line: Number(r[7]),
    seq: Number(r[8]),
  }));
}
