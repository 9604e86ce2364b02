/**
 * The words every replay renderer uses for what a 2xx meant, and the target's own count when it
 * was a meterscope sink (the model's `validatedLater` and `sink`, src/replay/model.ts).
 */
import type { ReplayReport } from '../replay/model.js';

/** What the replay calls an event answered 2xx: on APIs that validate later, only "received". */
export function answeredLabel(r: ReplayReport): string {
  return r.validatedLater ? 'received (validated later)' : 'acknowledged';
}

export const SINK_TITLE = 'Counted by the target (meterscope sink, /_sink/stats over this replay)';

/** [label, events] rows of the sink's count, next to the replay's own; none when the target was no sink. */
export function sinkRows(r: ReplayReport): [string, number][] {
  const s = r.sink;
  if (!s) return [];
  const how = r.validatedLater ? 'dropped' : 'refused';
  return [
    [`${r.validatedLater ? 'received' : 'acknowledged'} per the replay`, r.totals.acknowledged],
    ['accepted by the sink', s.accepted],
    [`${how} as duplicate`, s.duplicate],
    [`${how} as invalid`, s.invalid],
  ];
}
