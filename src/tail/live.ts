/**
 * Drives the live view of a tail session: a snapshot of the figures every interval, drawn on the
 * terminal screen when there is one, else printed as one JSON line on stdout. A reader of the
 * JSON lines that goes away (`| head`) stops the tail, it does not crash it.
 */
import type { FormatName } from '../ingest/formats.js';
import { liveFit } from './live-fit.js';
import type { OpenInput } from './open.js';
import type { Pipeline } from './pipeline.js';
import { jsonLine, type LiveScreen, type TailSnapshot } from './view.js';

/** Things the user should know: the last ten are in the live view; without a screen each also goes to stderr at once. */
export class Notices {
  private readonly kept: string[] = [];

  constructor(private readonly stderr?: NodeJS.WritableStream) {}

  readonly add = (msg: string): void => {
    this.kept.push(msg);
    if (this.kept.length > 10) this.kept.shift();
    this.stderr?.write(`meterscope: note: ${msg}\n`);
  };

  recent(): string[] {
    return [...this.kept];
  }
}

export interface LiveContext {
  runId: string;
  source: string;
  startedAt: number;
  /** The format asked for, shown until the parser has decided. */
  format?: FormatName;
  input: OpenInput;
  pipeline: Pipeline;
  notices: Notices;
}

export interface LiveOutput {
  /** Draw frames here; without one, JSON lines go to stdout. */
  screen?: LiveScreen;
  stdout: NodeJS.WriteStream;
  intervalMs: number;
}

export function snapshot(c: LiveContext): TailSnapshot {
  const { follower, ingest, stats } = c.input;
  const p = c.pipeline;
  const st = follower.status();
  const e = stats.eventTime();
  return {
    type: 'interval',
    runId: c.runId,
    source: c.source,
    at: new Date().toISOString(),
    elapsedS: Math.round((Date.now() - c.startedAt) / 100) / 10,
    state: p.stopReason ? 'stopping' : st.state,
    format: ingest.parser?.format ?? c.format ?? null,
    arrival: p.arrival.snapshot(),
    eventTime: e,
    totals: {
      line: ingest.line,
      linesRead: p.linesRead,
      bytesRead: p.bytesRead,
      events: stats.events,
      rejects: stats.rejects,
      batches: p.batches,
      pendingLines: p.pendingLines,
      heldBytes: st.held,
    },
    topEvents: stats.topEvents(10),
    keys: { total: stats.keyCount, new: stats.takeNewKeys(), recent: stats.recentKeys(10) },
    // Judged on the event-time peak, as the final report's fit section is.
    fit: liveFit(e.peak),
    notices: c.notices.recent(),
  };
}

export class LiveView {
  private ticker?: NodeJS.Timeout;
  private outputClosed = false;
  private readonly onOutputError = () => {
    this.outputClosed = true;
    this.ctx.pipeline.stop('output closed');
  };

  constructor(
    private readonly ctx: LiveContext,
    private readonly out: LiveOutput,
  ) {}

  start(): void {
    this.out.stdout.on('error', this.onOutputError);
    this.ticker = setInterval(() => this.show(), this.out.intervalMs);
  }

  show(): void {
    if (this.outputClosed) return;
    const s = snapshot(this.ctx);
    if (this.out.screen) this.out.screen.draw(s);
    else this.out.stdout.write(jsonLine(s));
  }

  stopTicking(): void {
    clearInterval(this.ticker);
  }

  /** Ends the view: with `final`, the figures once more; the terminal gets its normal screen back. */
  finish(final: boolean): void {
    if (final) this.show();
    this.out.screen?.done();
    this.out.stdout.off('error', this.onOutputError);
  }
}
