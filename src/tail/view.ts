/**
 * What `tail` shows while it runs: a frame redrawn in place on a terminal, or one JSON object per
 * interval when stdout is not a terminal (fields documented in docs/tail.md).
 */
import type { ArrivalSnapshot } from './arrival.js';
import type { EventTimeSnapshot, KeySeen } from './live-stats.js';
import type { LiveFit } from './live-fit.js';
import { plural } from '../report/format.js';

export interface TailSnapshot {
  type: 'interval';
  runId: string;
  source: string;
  at: string;
  elapsedS: number;
  state: 'following' | 'waiting' | 'ended' | 'stopping';
  format: string | null;
  arrival: ArrivalSnapshot;
  eventTime: EventTimeSnapshot;
  totals: {
    /** Last line number stored (line numbers of the file; lines skipped with --from end count). */
    line: number;
    /** Lines read in this session (catch-up included). */
    linesRead: number;
    bytesRead: number;
    events: number;
    rejects: number;
    batches: number;
    /** Lines read but not stored yet. */
    pendingLines: number;
    /** Bytes of an unfinished last line (no newline yet). */
    heldBytes: number;
  };
  topEvents: { name: string; count: number }[];
  keys: { total: number; new: string[]; recent: KeySeen[] };
  fit: LiveFit[];
  notices: string[];
}

export function jsonLine(s: TailSnapshot): string {
  return `${JSON.stringify(s)}\n`;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Payload text is untrusted: no control characters (escape sequences) reach the terminal. */
function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function clip(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s;
}

const hhmmss = (iso: string | null) => (iso ? iso.slice(11, 19) : '-');

function duration(s: number): string {
  const t = Math.floor(s);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(Math.floor(t / 3600))}:${p(Math.floor((t % 3600) / 60))}:${p(t % 60)}`;
}

/** The lines of one frame, each at most `width` characters. */
function renderFrame(s: TailSnapshot, width: number, final = false): string[] {
  const a = s.arrival;
  const e = s.eventTime;
  const t = s.totals;
  const label = (l: string) => l.padEnd(13);
  const lines = [
    `meterscope tail - run ${s.runId}`,
    `${safe(s.source === '-' ? 'stdin' : s.source)}  [${s.state}]  format ${s.format ?? '(not known yet)'}  elapsed ${duration(s.elapsedS)}`,
    '',
    `${label('arrival')}now ${n(a.now)}/s   avg ${n(a.avg)}/s   peak ${n(a.peak)}/s   p99 ${n(a.p99)}/s   (lines as read)`,
    `${label('event time')}peak ${n(e.peak)}/s${e.peakSecond ? ` at ${e.peakSecond.replace('T', ' ').slice(0, 19)}` : ''}   newest ${hhmmss(e.newest)}   lag ${e.lagS === null ? '-' : `${e.lagS.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`}`,
    `${label('totals')}${plural(t.events, 'event')}   ${plural(t.rejects, 'reject')}   line ${n(t.line)}   ${plural(t.batches, 'batch', 'batches')}   ${n(t.pendingLines)} pending${t.heldBytes ? `   ${n(t.heldBytes)} B held (no newline yet)` : ''}`,
    `${label('top events')}${
      s.topEvents.length
        ? s.topEvents
            .slice(0, 5)
            .map((x) => `${safe(x.name)} ${n(x.count)}`)
            .join('  |  ')
        : '-'
    }`,
    `${label(`keys (${s.keys.total})`)}${
      s.keys.recent.length
        ? `newest: ${s.keys.recent
            .slice(0, 6)
            .map((k) => `${safe(k.key)} (${hhmmss(k.firstSeen)})`)
            .join(', ')}`
        : '-'
    }`,
    `${label('fit')}${s.fit.map((f) => `${f.label} ${n(f.capacityEps)}/s: ${f.verdict.toUpperCase()}`).join('  |  ')}`,
  ];
  for (const note of s.notices.slice(-3)) lines.push(`note: ${safe(note)}`);
  if (!final) lines.push('', 'Ctrl-C stops, stores and prints the report (the run can be resumed with --resume).');
  return lines.map((l) => clip(l, width));
}

/**
 * Redraws the frame in place on the terminal's alternate screen (like top): absolute cursor
 * positioning, so a wrapped line or a resize cannot make frames pile up. On stop the normal
 * screen comes back and the last frame is printed there, above the final report.
 */
export class LiveScreen {
  private active = false;
  private last?: TailSnapshot;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(s: TailSnapshot): void {
    const width = Math.max(40, (this.out.columns || 100) - 1);
    const rows = Math.max(5, this.out.rows || 40);
    this.last = s;
    const lines = renderFrame(s, width);
    if (!this.active) {
      this.out.write('\x1b[?1049h\x1b[?25l');
      this.active = true;
    }
    this.out.write(
      `\x1b[H${lines
        .slice(0, rows - 1)
        .map((l) => `${l}\x1b[K`)
        .join('\r\n')}\r\n\x1b[J`,
    );
  }

  /**
   * Back to the normal screen with the cursor shown, if a frame took it. The owner of the process
   * also calls it before an abrupt exit, so the terminal is never left on the alternate screen.
   */
  leave(): void {
    if (this.active) this.out.write('\x1b[?1049l\x1b[?25h');
    this.active = false;
  }

  /** Back to the normal screen, with the last frame left there. */
  done(): void {
    this.leave();
    if (this.last) this.out.write(`${renderFrame(this.last, Math.max(40, (this.out.columns || 100) - 1), true).join('\n')}\n`);
  }
}
