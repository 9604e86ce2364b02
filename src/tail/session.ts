/**
 * One `tail` session: follows the input, stores it in batches (≤ batchBytes, or after flushMs),
 * checkpoints each batch, shows the live view, and on stop flushes everything and computes the
 * same final report as `profile`. Reading and storing run as two loops, so arrival times are
 * taken when the bytes are read, not when ClickHouse is done with the previous batch.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import path from 'node:path';
import type { Store } from '../store/store.js';
import { Runs, type RunRecord } from '../store/runs.js';
import { UserError } from '../errors.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { autoDecompress, readSample } from '../ingest/source.js';
import { computeProfile } from '../profile/compute.js';
import type { ProfileReport } from '../profile/model.js';
import { saveReport } from '../store/reports.js';
import { ArrivalMeter, type ArrivalSnapshot } from './arrival.js';
import { TailIngest } from './batch-ingest.js';
import { latestCheckpoint, rollbackUncommitted, type Checkpoint } from './checkpoint.js';
import { FileFollower, StreamFollower, type Chunk, type Follower } from './follower.js';
import { LiveStats, type EventTimeSnapshot } from './live-stats.js';
import { liveFit } from './live-fit.js';
import type { FilePosition } from './position.js';
import { LiveScreen, jsonLine, type TailSnapshot } from './view.js';

export interface TailOptions {
  /** A path, '-' for stdin; may be left out with `resume`. */
  input?: string;
  /** Run id of an earlier tail to continue. */
  resume?: string;
  /** Where to begin in a file that already has content (new runs only). */
  from: 'start' | 'end';
  format?: FormatName;
  mapping: FieldMapping;
  durationS?: number;
  idleExitS?: number;
  /** Store pending lines at the latest this long after the oldest arrived (≤ 1000). */
  flushMs: number;
  /** Store pending lines once they reach this many bytes. */
  batchBytes: number;
  pollMs: number;
  intervalMs: number;
  /** 'tty': redraw a frame; 'json': one JSON line per interval. */
  live: 'tty' | 'json';
  asOf?: string;
  require?: string[];
  stdin: Readable;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WritableStream;
  /** Flags as given, stored with the run (secrets are redacted by Runs). */
  runOptions: Record<string, unknown>;
}

/** What the report model carries about the tail itself (the `tail` section). */
export interface TailSummary {
  /** Why it stopped: signal name, 'duration', 'idle', or 'end of input'. */
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

const MAX_PENDING_BYTES = 64 << 20;

export async function runTail(store: Store, opts: TailOptions): Promise<TailOutcome> {
  const started = Date.now();
  const notices: string[] = [];
  const notice = (msg: string) => {
    notices.push(msg);
    if (notices.length > 10) notices.shift();
    if (opts.live === 'json') opts.stderr.write(`meterscope: note: ${msg}\n`);
  };

  // --- the run, and where to begin -----------------------------------------------------------
  const runs = new Runs(store);
  let run: RunRecord;
  let cp: Checkpoint | undefined;
  let source: string;
  let rolledBack = { events: 0, rejects: 0 };
  if (opts.resume) {
    run = await runs.get(opts.resume);
    if (run.command !== 'tail') throw new UserError(`run ${run.run_id} is a ${run.command} run; only tail runs can be resumed`);
    source = run.sources[0];
    const named = opts.input === undefined ? source : opts.input === '-' ? '-' : path.resolve(opts.input);
    if (named !== source) throw new UserError(`run ${run.run_id} follows ${source === '-' ? 'stdin' : source}; leave the input out or name that one`);
    cp = await latestCheckpoint(store, run.run_id);
    rolledBack = await rollbackUncommitted(store, run.run_id, source, cp?.line ?? 0);
    if (rolledBack.events + rolledBack.rejects > 0) {
      notice(`resume: removed ${rolledBack.events} events and ${rolledBack.rejects} rejects of a batch that was not checkpointed; re-reading them`);
    }
    if (source === '-') notice('resume: stdin cannot be re-read; new input continues the run (lines after the last checkpoint of the crashed session are not in it)');
  } else {
    if (opts.input === undefined) throw new UserError('name a file to follow, or - for stdin (or --resume <run-id>)');
    source = opts.input === '-' ? '-' : path.resolve(opts.input);
    if (source !== '-') {
      const st = fs.statSync(source, { throwIfNoEntry: false });
      if (st?.isDirectory()) throw new UserError(`${opts.input}: is a directory; name the log file inside it`);
    }
    run = await runs.create('tail', [source], opts.runOptions);
  }
  const runId = run.run_id;

  const setup = await prepare(store, opts, runId, source, cp, notice).catch(async (err) => {
    await runs.finish(run, 'failed', { error: (err as Error).message }).catch(() => {});
    throw err;
  });
  const { follower, skippedLines, startPos, ingest, stats } = setup;

  // --- the two loops ---------------------------------------------------------------------------
  const arrival = new ArrivalMeter();
  const pending: Chunk[] = [];
  let pendingBytes = 0;
  let pendingLines = 0;
  let linesRead = 0;
  let bytesRead = 0;
  let batches = 0;
  let lastActivity = Date.now();
  let lastPos = startPos;
  let stopReason: string | undefined;
  let readerDone = false;
  let wake: () => void = () => {};
  const sleep = (ms: number) => new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    wake = () => { clearTimeout(t); res(); };
  });
  const stop = (why: string) => {
    if (!stopReason) stopReason = why;
    wake();
  };

  const pollOnce = async () => {
    const chunks = await follower.poll();
    for (const c of chunks) {
      pending.push(c);
      pendingBytes += c.data.length;
      pendingLines += c.lines;
      linesRead += c.lines;
      bytesRead += c.data.length;
      if (!c.backlog) arrival.record(c.lines, c.at);
      lastActivity = Date.now();
    }
  };

  const reader = async () => {
    try {
      while (!stopReason) {
        if (pendingBytes < MAX_PENDING_BYTES) await pollOnce();
        if (follower.status().state === 'ended') stop('end of input');
        else if (opts.idleExitS !== undefined && pending.length === 0 && Date.now() - lastActivity >= opts.idleExitS * 1000) stop('idle');
        if (!stopReason) await sleep(opts.pollMs);
      }
      // What is in the file when we stop belongs to the run.
      if (stopReason !== 'end of input') await pollOnce();
    } finally {
      readerDone = true;
    }
  };

  const flush = async () => {
    let take = 0;
    let size = 0;
    while (take < pending.length && (take === 0 || size + pending[take].data.length <= opts.batchBytes)) size += pending[take++].data.length;
    const chunks = pending.splice(0, take);
    const lines = chunks.reduce((s, c) => s + c.lines, 0);
    const end = chunks[chunks.length - 1].end;
    const r = await ingest.write(chunks, end);
    pendingBytes -= size;
    pendingLines -= lines;
    lastPos = end;
    batches++;
    await stats.addLines(r.firstLine, r.lastLine);
  };

  const writer = async () => {
    try {
      for (;;) {
        const due = pending.length > 0 && (pendingBytes >= opts.batchBytes || Date.now() - pending[0].at >= opts.flushMs || readerDone || !!stopReason);
        if (due) await flush();
        else if (readerDone) return;
        else await new Promise((res) => setTimeout(res, Math.min(50, opts.pollMs)));
      }
    } catch (e) {
      stop('error');
      throw e;
    }
  };

  // --- live view -------------------------------------------------------------------------------
  const screen = opts.live === 'tty' ? new LiveScreen(opts.stdout) : undefined;
  const snapshot = (): TailSnapshot => {
    const st = follower.status();
    const a = arrival.snapshot();
    const e = stats.eventTime();
    return {
      type: 'interval',
      runId,
      source,
      at: new Date().toISOString(),
      elapsedS: Math.round((Date.now() - started) / 100) / 10,
      state: stopReason ? 'stopping' : st.state,
      format: ingest.parser?.format ?? opts.format ?? null,
      arrival: a,
      eventTime: e,
      totals: {
        line: ingest.line, linesRead, bytesRead, events: stats.events, rejects: stats.rejects, batches, pendingLines, heldBytes: st.held,
      },
      topEvents: stats.topEvents(10),
      keys: { total: stats.keyCount, new: stats.takeNewKeys(), recent: stats.recentKeys(10) },
      // Judged on the event-time peak, as the final report's fit section is.
      fit: liveFit(e.peak),
      notices: [...notices],
    };
  };
  // A reader of the JSON lines that goes away (`| head`) stops the tail, it does not crash it.
  let outputClosed = false;
  const onOutputError = () => {
    outputClosed = true;
    stop('output closed');
  };
  opts.stdout.on('error', onOutputError);
  const show = () => {
    if (outputClosed) return;
    const s = snapshot();
    if (screen) screen.draw(s);
    else opts.stdout.write(jsonLine(s));
  };
  const ticker = setInterval(show, opts.intervalMs);

  const onSignal = (sig: NodeJS.Signals) => {
    if (stopReason) {
      // A second Ctrl-C: leave now. Everything checkpointed is safe; --resume continues.
      opts.stderr.write(`\nmeterscope: stopped without a report; continue with: meterscope tail --resume ${runId}\n`);
      process.exit(130);
    }
    stop(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = opts.durationS !== undefined ? setTimeout(() => stop('duration'), opts.durationS * 1000) : undefined;

  try {
    const results = await Promise.allSettled([reader(), writer()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      stop('error');
      throw failed.reason;
    }
  } catch (err) {
    clearInterval(ticker);
    if (timer) clearTimeout(timer);
    screen?.done(); // back to the normal screen, so the error message is seen
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    opts.stdout.off('error', onOutputError);
    await follower.close();
    await ingest.close().catch(() => {});
    await runs.finish(run, 'failed', { error: (err as Error).message }).catch(() => {});
    throw err;
  }
  clearInterval(ticker);
  if (timer) clearTimeout(timer);
  const heldBytes = follower.status().held;
  if (heldBytes > 0) notice(`${heldBytes} bytes of an unfinished last line (no newline yet) were not stored; --resume reads them once the line is complete`);
  await ingest.checkpoint('final', lastPos);
  await follower.close();
  await ingest.close();
  show();
  screen?.done();
  if (screen) opts.stderr.write(`meterscope: stopped (${stopReason}); computing the report…\n`);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  opts.stdout.off('error', onOutputError);

  // --- the final report, as profile makes it ------------------------------------------------
  const counts = await countRun(store, runId, source);
  const sources = [{
    source, format: ingest.parser?.format ?? opts.format ?? 'unknown', lines: ingest.line, events: counts.events, rejects: counts.rejects,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  }];
  await store.exec(`DELETE FROM run_sources WHERE run_id = {run:String}`, { run: runId });
  await store.insertRows('run_sources', [{ run_id: runId, source, format: sources[0].format, lines: ingest.line, events: counts.events, rejects: counts.rejects }]);
  const profile = await computeProfile(store, runId, 'tail', sources, {
    asOf: opts.asOf, require: opts.require, customerKey: opts.mapping.customerKey, valueKey: opts.mapping.valueKey,
  });
  const report: TailReport = {
    ...profile,
    tail: {
      stop: stopReason ?? 'stopped', resumed: !!opts.resume, rolledBack, arrival: arrival.snapshot(), eventTime: stats.eventTime(),
      linesRead, bytesRead, batches, heldBytes, skippedLines,
    },
  };
  await saveReport(store, runId, 'profile', report);
  await runs.finish(run, 'done', { events: report.events.total, rejected: report.events.rejected, stop: report.tail.stop });
  return { runId, report };
}

async function countRun(store: Store, runId: string, source: string): Promise<{ events: number; rejects: number }> {
  const [r] = await store.select<{ events: string; rejects: string }>(`SELECT (SELECT count() FROM events WHERE run_id = {run:String} AND source = {src:String}) AS events,
                   (SELECT count() FROM rejects WHERE run_id = {run:String} AND source = {src:String}) AS rejects`, { run: runId, src: source });
  return { events: Number(r.events), rejects: Number(r.rejects) };
}

interface Setup {
  follower: Follower;
  skippedLines: number;
  startPos: FilePosition;
  ingest: TailIngest;
  stats: LiveStats;
}

/** Opens the input where the run is (new: --from; resume: the checkpoint) and the batch writer. */
async function prepare(store: Store, opts: TailOptions, runId: string, source: string, cp: Checkpoint | undefined, notice: (m: string) => void): Promise<Setup> {
  let follower: Follower;
  let skippedLines = 0;
  let sample: Buffer | undefined;
  let startPos: FilePosition;
  if (source === '-') {
    follower = new StreamFollower(autoDecompress(opts.stdin), cp?.pos.offset ?? 0);
    startPos = cp?.pos ?? { path: '-', dev: 0, ino: 0, offset: 0, fpLen: 0, fpHash: '', at: Date.now() };
  } else {
    const ff = new FileFollower(source, { start: cp ? { mode: 'resume', pos: cp.pos } : { mode: opts.from }, notice });
    skippedLines = (await ff.begin()).skippedLines;
    follower = ff;
    // A resume has consumed nothing yet: its start is the checkpoint itself (the follower may
    // still have rotated generations queued before the file it would name now).
    startPos = cp ? cp.pos : ff.position();
    if (!cp?.parser && fs.existsSync(source)) {
      sample = await readSample({ name: source, kind: 'file', path: source, compression: 'none' });
    }
  }
  const ingest = await TailIngest.create(store, {
    runId, source, format: opts.format, mapping: opts.mapping, parser: cp?.parser, sample,
    line: cp ? cp.line : skippedLines, batch: cp?.batch ?? 0,
  });
  await ingest.checkpoint('start', startPos);
  const stats = new LiveStats(store, runId, source);
  if (cp && cp.line > 0) await stats.addLines(1, cp.line, true);
  return { follower, skippedLines, startPos, ingest, stats };
}
