/**
 * The read/write pipeline of a tail session: a reader loop that polls the follower (arrival times
 * are taken when the bytes are read, not when ClickHouse is done with the previous batch) and a
 * writer loop that stores what is pending in batches (≤ batchBytes, or after flushMs), each
 * checkpointed by TailIngest. Both end once a stop reason is set and what was read is stored.
 */
import { ArrivalMeter } from './arrival.js';
import type { Chunk } from './follower.js';
import type { OpenInput } from './open.js';
import type { FilePosition } from './position.js';

export interface PipelineTiming {
  pollMs: number;
  /** Store pending lines at the latest this long after the oldest arrived. */
  flushMs: number;
  /** Store pending lines once they reach this many bytes. */
  batchBytes: number;
  /** Stop once nothing has arrived for this long. */
  idleExitS?: number;
}

/** Reading pauses while this much is waiting to be stored. */
const MAX_PENDING_BYTES = 64 << 20;
/**
 * Most bytes stored in one batch. A batch takes everything pending up to this: live, that is what
 * arrived since the last one (small batches, low lag); behind (a catch-up, a burst), what piled up
 * while the last one was stored, so per-batch costs (parser setup, checkpoint) fade as load grows.
 */
const MAX_BATCH_BYTES = 32 << 20;
/** The live figures (one query over the rows stored since the last update) at most this often. */
const STATS_EVERY_MS = 1000;

export class Pipeline {
  readonly arrival = new ArrivalMeter();
  linesRead = 0;
  bytesRead = 0;
  batches = 0;
  /** Lines read but not stored yet. */
  pendingLines = 0;
  /** Just past the last line stored (what the final checkpoint stores). */
  lastPos: FilePosition;
  /** Why the session stops; set once, by the first to ask. */
  stopReason?: string;
  private readonly pending: Chunk[] = [];
  private pendingBytes = 0;
  private lastActivity = Date.now();
  /** First stored line not yet in the live figures, and when they were last updated. */
  private statsFrom: number;
  private statsAt = 0;
  private readerDone = false;
  private wake: () => void = () => {};

  constructor(
    private readonly input: OpenInput,
    private readonly timing: PipelineTiming,
  ) {
    this.lastPos = input.startPos;
    this.statsFrom = input.ingest.line + 1;
  }

  stop(why: string): void {
    if (!this.stopReason) this.stopReason = why;
    this.wake();
  }

  /** Runs both loops to their end; the first failure stops the other and is thrown. */
  async run(): Promise<void> {
    const results = await Promise.allSettled([this.reader(), this.writer()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.stop('error');
      throw failed.reason;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((res) => {
      const t = setTimeout(res, ms);
      this.wake = () => {
        clearTimeout(t);
        res();
      };
    });
  }

  /** Reads what is new; returns how many lines. */
  private async pollOnce(): Promise<number> {
    const chunks = await this.input.follower.poll();
    for (const c of chunks) {
      this.pending.push(c);
      this.pendingBytes += c.data.length;
      this.pendingLines += c.lines;
      this.linesRead += c.lines;
      this.bytesRead += c.data.length;
      if (!c.backlog) this.arrival.record(c.lines, c.at);
      this.lastActivity = Date.now();
    }
    return chunks.length;
  }

  private async reader(): Promise<void> {
    const { idleExitS, pollMs } = this.timing;
    try {
      while (!this.stopReason) {
        // After a poll that found lines, look again at once: more may be waiting (a catch-up).
        const found = this.pendingBytes < MAX_PENDING_BYTES && (await this.pollOnce()) > 0;
        if (this.input.follower.status().state === 'ended') this.stop('end of input');
        else if (idleExitS !== undefined && this.pending.length === 0 && Date.now() - this.lastActivity >= idleExitS * 1000) this.stop('idle');
        if (!this.stopReason && !found) await this.sleep(pollMs);
      }
      // What is in the file when we stop belongs to the run.
      if (this.stopReason !== 'end of input') await this.pollOnce();
    } finally {
      this.readerDone = true;
    }
  }

  private async writer(): Promise<void> {
    const { batchBytes, flushMs, pollMs } = this.timing;
    try {
      for (;;) {
        const due = this.pending.length > 0 && (this.pendingBytes >= batchBytes || Date.now() - this.pending[0].at >= flushMs || this.readerDone || !!this.stopReason);
        if (due) await this.flush();
        else if (this.readerDone) return await this.updateStats();
        else await new Promise((res) => setTimeout(res, Math.min(50, pollMs)));
      }
    } catch (e) {
      this.stop('error');
      throw e;
    }
  }

  /** Stores the oldest pending chunks, up to MAX_BATCH_BYTES (at least one chunk). */
  private async flush(): Promise<void> {
    let take = 0;
    let size = 0;
    const max = Math.max(this.timing.batchBytes, MAX_BATCH_BYTES);
    while (take < this.pending.length && (take === 0 || size + this.pending[take].data.length <= max)) size += this.pending[take++].data.length;
    const chunks = this.pending.splice(0, take);
    const lines = chunks.reduce((s, c) => s + c.lines, 0);
    const end = chunks[chunks.length - 1].end;
    await this.input.ingest.write(chunks, end);
    this.pendingBytes -= size;
    this.pendingLines -= lines;
    this.lastPos = end;
    this.batches++;
    if (Date.now() - this.statsAt >= STATS_EVERY_MS) await this.updateStats();
  }

  /** Brings the live figures up to the last stored line. */
  private async updateStats(): Promise<void> {
    const to = this.input.ingest.line;
    this.statsAt = Date.now();
    if (to < this.statsFrom) return;
    await this.input.stats.addLines(this.statsFrom, to);
    this.statsFrom = to + 1;
  }
}
