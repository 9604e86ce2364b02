/**
 * Reads a stream (stdin): chunks are stamped when they arrive; the stream's end finishes the last
 * line. Positions count bytes (a stream cannot be re-read, so a resume continues with new input).
 */
import { UserError } from '../errors.js';
import { NO_LINE, finishLine, takeLines, type HeldLine } from '../ingest/long-lines.js';
import type { Chunk, Follower, FollowerStatus } from './follower.js';
import { countNewlines } from './lines.js';

export class StreamFollower implements Follower {
  ended = false;
  private queue: { data: Buffer; at: number }[] = [];
  private queued = 0;
  private held: HeldLine = NO_LINE;
  private offset = 0;
  private error?: Error;

  constructor(
    private readonly input: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
    startOffset = 0,
  ) {
    this.offset = startOffset;
    input.on('data', (d: Buffer | string) => {
      const data = typeof d === 'string' ? Buffer.from(d) : d;
      this.queue.push({ data, at: Date.now() });
      this.queued += data.length;
      if (this.queued > 32 << 20) input.pause();
    });
    input.on('end', () => (this.ended = true));
    input.on('error', (e: Error) => {
      this.error = e;
      this.ended = true;
    });
  }

  async poll(): Promise<Chunk[]> {
    if (this.error) throw new UserError(`stdin: reading failed (${this.error.message})`);
    const items = this.queue;
    this.queue = [];
    this.queued = 0;
    this.input.resume();
    const out: Chunk[] = [];
    for (const { data, at } of items) {
      this.offset += data.length;
      const { lines, held } = takeLines(this.held, data);
      this.held = held;
      if (lines) out.push(this.chunk(lines, countNewlines(lines), at));
    }
    // At the end of input, the last line needs no newline.
    if (this.ended && this.queue.length === 0) this.flushPartial(out, Date.now());
    return out;
  }

  private flushPartial(out: Chunk[], at: number): void {
    if (this.held.bytes === 0) return;
    const data = finishLine(this.held, Buffer.alloc(0));
    this.held = NO_LINE;
    out.push(this.chunk(data, 1, at));
  }

  private chunk(data: Buffer, lines: number, at: number): Chunk {
    const end = this.offset - this.held.bytes;
    return { data, lines, at, backlog: false, fileStart: false, end: { path: '-', dev: 0, ino: 0, offset: end, fpLen: 0, fpHash: '', at } };
  }

  status(): FollowerStatus {
    const drained = this.ended && this.queue.length === 0 && this.held.bytes === 0;
    return { state: drained ? 'ended' : 'following', path: '-', held: this.held.bytes };
  }

  async close(): Promise<void> {
    this.input.pause();
  }
}
