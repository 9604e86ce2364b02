/**
 * One `tail` session of a run decided by resume.ts: follows the input, stores it in batches,
 * checkpoints each batch, shows the live view, and on stop stores everything read and computes
 * the same final report as `profile`. It stops on duration, idle, end of input, a closed output,
 * or when the caller aborts its signal; a stop by signal still ends with the report (status done).
 */
import type { Store } from '../store/store.js';
import { customerFieldOf } from '../ingest/sql/normalize.js';
import { Runs } from '../store/runs.js';
import { Interrupted } from '../errors.js';
import { finalReport } from './final-report.js';
import { LiveView, Notices } from './live.js';
import type { TailOutcome, TailReport } from './model.js';
import { openInput, type InputOptions, type OpenInput } from './open.js';
import { Pipeline, type PipelineTiming } from './pipeline.js';
import type { TailStart } from './resume.js';
import type { LiveScreen } from './view.js';

export interface TailOptions extends InputOptions, PipelineTiming {
  durationS?: number;
  intervalMs: number;
  /** Draw the live view on this terminal screen; without one, one JSON line per interval on stdout. */
  screen?: LiveScreen;
  /** Final report: reference time for stale/future checks, and payload keys every event should carry. */
  asOf?: string;
  require?: string[];
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WritableStream;
  /** Aborting it stops the session; an Interrupted reason's signal name is recorded as the stop. */
  signal: AbortSignal;
}

export async function runTail(store: Store, start: TailStart, opts: TailOptions): Promise<TailOutcome> {
  // A resumed run continues its own record: it ends done (or failed) like a new one.
  const report = await new Runs(store).track(start.run, async () => {
    const report = await follow(store, start, opts);
    return { value: report, summary: { events: report.events.total, rejected: report.events.rejected, stop: report.tail.stop } };
  });
  return { runId: start.run.run_id, report };
}

async function follow(store: Store, start: TailStart, opts: TailOptions): Promise<TailReport> {
  const runId = start.run.run_id;
  const notices = new Notices(opts.screen ? undefined : opts.stderr);
  start.notes.forEach(notices.add);
  const input = await openInput(store, start, opts, notices.add);
  const pipeline = new Pipeline(input, opts);
  const live = new LiveView({ runId, source: start.source, startedAt: start.startedAt, format: opts.format, input, pipeline, notices }, opts);
  const onAbort = () => pipeline.stop(stopReasonOf(opts.signal.reason));
  opts.signal.addEventListener('abort', onAbort);
  if (opts.signal.aborted) onAbort();
  const timer = opts.durationS !== undefined ? setTimeout(() => pipeline.stop('duration'), opts.durationS * 1000) : undefined;
  live.start();
  let stored = false;
  let heldBytes = 0;
  let closeError: unknown;
  try {
    await pipeline.run();
    heldBytes = input.follower.status().held;
    if (heldBytes > 0) notices.add(`${heldBytes} bytes of an unfinished last line (no newline yet) were not stored; --resume reads them once the line is complete`);
    await input.ingest.checkpoint('final', pipeline.lastPos);
    stored = true;
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
    live.stopTicking();
    closeError = await closeInput(input);
    live.finish(stored); // back to the normal screen, so an error message is seen
  }
  if (closeError) throw closeError;
  if (opts.screen) opts.stderr.write(`meterscope: stopped (${pipeline.stopReason}); computing the report…\n`);

  const format = input.ingest.parser?.format ?? opts.format ?? 'unknown';
  const customerField = input.ingest.parser && customerFieldOf(input.ingest.parser);
  return finalReport(
    store,
    {
      runId,
      source: start.source,
      format,
      customerField,
      lines: input.ingest.line,
      startedAt: start.startedAt,
      mapping: opts.mapping,
      asOf: opts.asOf,
      require: opts.require,
    },
    () => ({
      stop: pipeline.stopReason ?? 'stopped',
      resumed: start.resumed,
      rolledBack: start.rolledBack,
      arrival: pipeline.arrival.snapshot(),
      eventTime: input.stats.eventTime(),
      linesRead: pipeline.linesRead,
      bytesRead: pipeline.bytesRead,
      batches: pipeline.batches,
      heldBytes,
      skippedLines: input.skippedLines,
    }),
  );
}

/** The caller's reason for stopping: the signal name of an Interrupted (as before: 'SIGINT', 'SIGTERM'). */
function stopReasonOf(reason: unknown): string {
  return reason instanceof Interrupted ? reason.reason : 'aborted';
}

/** Closes the follower and drops the staging table; returns the first error instead of throwing it. */
async function closeInput(input: OpenInput): Promise<unknown> {
  let error: unknown;
  await input.follower.close().catch((e: unknown) => (error = e));
  await input.ingest.close().catch((e: unknown) => (error ??= e));
  return error;
}
