/**
 * Groups paced events into requests the way a batching client would: a batch leaves when it
 * holds `batch` events or `flushMs` after its first event was due, whichever comes first; the
 * last partial batch leaves with its last event.
 */
import type { StoredEvent } from './events.js';

export interface PlannedRequest {
  events: StoredEvent[];
  /** Each event's due offset (ms from the start). */
  offsets: number[];
  /** When the request is due to leave (ms from the start). */
  at: number;
}

export async function* planRequests(
  pages: AsyncIterable<StoredEvent[]>,
  offsetOf: (i: number, e: StoredEvent) => number,
  batch: number,
  flushMs: number,
): AsyncGenerator<PlannedRequest> {
  let i = 0;
  let events: StoredEvent[] = [];
  let offsets: number[] = [];
  let deadline = 0;
  for await (const page of pages) {
    for (const e of page) {
      const o = offsetOf(i++, e);
      if (events.length && o > deadline) {
        yield { events, offsets, at: deadline };
        events = [];
        offsets = [];
      }
      if (!events.length) deadline = o + flushMs;
      events.push(e);
      offsets.push(o);
      if (events.length >= batch) {
        yield { events, offsets, at: o };
        events = [];
        offsets = [];
      }
    }
  }
  if (events.length) yield { events, offsets, at: offsets[offsets.length - 1] };
}
