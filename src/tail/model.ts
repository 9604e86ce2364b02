/**
 * What a tail adds to the report model: plain types only (no runtime imports), so renderers under
 * src/report/ can read a tail report without loading the tail engine.
 */
import type { ProfileReport } from '../profile/model.js';
import type { ArrivalSnapshot } from './arrival.js';
import type { EventTimeSnapshot } from './live-stats.js';

/** What the report model carries about the tail itself (the `tail` section). */
export interface TailSummary {
  /** Why it stopped: signal name, 'duration', 'idle', 'end of input', or 'output closed'. */
  stop: string;
  resumed: boolean;
  /** Rows of a batch whose checkpoint never landed, removed before re-reading (resume only). */
  rolledBack: { events: number; rejects: number };
  arrival: ArrivalSnapshot;
  /** Live running figures (the exact ones are in `rate`). */
  eventTime: EventTimeSnapshot;
  linesRead: number;
  bytesRead: number;
  batches: number;
  /** Bytes of an unfinished last line left unread (no newline yet); a resume reads them. */
  heldBytes: number;
  /** Lines skipped with --from end. */
  skippedLines: number;
}

export type TailReport = ProfileReport & { tail: TailSummary };

export interface TailOutcome {
  runId: string;
  report: TailReport;
}
