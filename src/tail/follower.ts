/**
 * Follows a growing file like `tail -F`, by polling: survives rotation by rename (the old file is
 * read to its end through the open handle, then the new one from its start), copy-truncate (the
 * truncation is seen by size or by the file's head changing; the bytes we had not read yet are
 * recovered from the copy next to it when there is one), a file that appears later, and a file
 * that is deleted (we wait for it to come back). Hands on whole lines only: a partial last line is
 * held until its newline arrives (or its file is finished by a rotation); a line longer than
 * MAX_LINE_BYTES is handed on as one marked line (rejected as too long), holding only its first KiB.
 * The Follower contract is here too; stream-follower.ts reads stdin behind it.
 */
import fs from 'node:fs';
import { UserError } from '../errors.js';
import { compressionOf } from '../ingest/source.js';
import { NO_LINE, finishLine, takeLines, type HeldLine } from '../ingest/long-lines.js';
import { HEAD_BYTES, findRotated, headMatches, laterGenerations, readHead, sha1, statOrNull, type FilePosition } from './position.js';
import { READ_SIZE, countLines, countNewlines } from './lines.js';

export interface Chunk {
  /** Whole lines, each ending in \n. */
  data: Buffer;
  lines: number;
  /** When the bytes were read (ms since epoch). */
  at: number;
  /** True for bytes that were already there when following began (a catch-up, not arrivals). */
  backlog: boolean;
  /** The chunk starts with the first line of a file (CSV: that line is a header). */
  fileStart: boolean;
  /** Position just past this chunk (what a checkpoint stores once the chunk's rows are stored). */
  end: FilePosition;
}

export interface FollowerStatus {
  state: 'following' | 'waiting' | 'ended';
  path: string;
  /** Bytes held in an unfinished last line. */
  held: number;
}

export interface Follower {
  /** Reads what is new; never waits for more. */
  poll(): Promise<Chunk[]>;
  /** True once a stream source has ended (files never end). */
  readonly ended: boolean;
  status(): FollowerStatus;
  close(): Promise<void>;
}

interface Cursor {
  fh: fs.promises.FileHandle;
  path: string;
  dev: number;
  ino: number;
  readOffset: number;
  /** Bytes after the last newline read (readOffset - held.bytes = the line boundary). */
  held: HeldLine;
  /** The file's first bytes (up to HEAD_BYTES) as we read them. */
  head: Buffer;
  headHash: string;
  /** No longer at the followed path: read to its end, then move on to the path. */
  detached: boolean;
  /** Bytes before this offset were in the file when following began: a catch-up, not arrivals. */
  backlogUntil: number;
  atFileStart: boolean;
}

export type StartAt = { mode: 'start' } | { mode: 'end' } | { mode: 'resume'; pos: FilePosition };

export interface FileFollowerOptions {
  start: StartAt;
  /** Messages for the user (rotation seen, waiting for the file, …). */
  notice?: (msg: string) => void;
  /** Most bytes read in one poll, so a large backlog is handed on in steps. */
  maxBytesPerPoll?: number;
}

export class FileFollower implements Follower {
  readonly ended = false;
  private cur?: Cursor;
  /** Rotated generations to read (whole) before the file at the path (resume after several rotations). */
  private queue: string[] = [];
  private waitingSaid = false;
  private started = false;
  /**
   * The file at the path when the first poll began (reading starts then, so that is when following
   * begins): what it held is a catch-up, even if it is opened only later (after rotated generations).
   */
  private atFirstPoll?: { dev: number; ino: number; size: number } | null;
  private readonly notice: (msg: string) => void;
  private readonly maxBytes: number;

  constructor(
    readonly path: string,
    private readonly opts: FileFollowerOptions,
  ) {
    this.notice = opts.notice ?? (() => {});
    this.maxBytes = opts.maxBytesPerPoll ?? 8 << 20;
  }

  /**
   * Opens the starting file. For `end`, returns how many lines were skipped (so line numbers stay
   * those of the file); for `resume`, finds the checkpointed file even if it was rotated meanwhile.
   */
  async begin(): Promise<{ skippedLines: number }> {
    this.started = true;
    const start = this.opts.start;
    if (start.mode === 'resume') {
      await this.resumeAt(start.pos);
      return { skippedLines: 0 };
    }
    const st = await statOrNull(this.path);
    if (!st) return { skippedLines: 0 };
    if (!st.isFile()) throw new UserError(`${this.path}: is not a regular file`);
    const cur = await this.openCursor(this.path, 0, st.size);
    if (!cur) return { skippedLines: 0 };
    await this.checkPlainText(cur);
    this.cur = cur;
    if (start.mode === 'start') return { skippedLines: 0 };
    // From the end: skip whole lines present now; a trailing unfinished line will be read when it completes.
    const { lines, boundary } = await countLines(cur.fh, st.size);
    await this.seek(cur, boundary);
    cur.atFileStart = boundary === 0;
    return { skippedLines: lines };
  }

  async poll(): Promise<Chunk[]> {
    if (!this.started) await this.begin();
    if (this.atFirstPoll === undefined) await this.startClock();
    const out: Chunk[] = [];
    // Bounded: each pass either returns or moves to another file (at most a few per poll).
    for (let pass = 0; pass < 6 + this.queue.length * 2; pass++) {
      const queued = this.cur ? undefined : this.queue.shift();
      if (queued) {
        // A generation rotated away while we were stopped: read it whole before the file at the path.
        const c = await this.openCursor(queued, 0, Number.MAX_SAFE_INTEGER);
        if (c) {
          c.detached = true;
          this.cur = c;
        }
        continue;
      }
      if (!this.cur) {
        const st = await statOrNull(this.path);
        if (!st || !st.isFile()) {
          if (!this.waitingSaid) this.notice(`${this.path}: not there (yet); waiting for it to appear`);
          this.waitingSaid = true;
          return out;
        }
        this.cur = await this.openCursor(this.path, 0, 0);
        if (!this.cur) return out;
        const first = this.atFirstPoll;
        if (first && first.dev === this.cur.dev && first.ino === this.cur.ino) this.cur.backlogUntil = first.size;
        if (this.waitingSaid) this.notice(`${this.path}: appeared; following it`);
        this.waitingSaid = false;
        await this.checkPlainText(this.cur);
      }
      const cur = this.cur;
      if (cur.detached) {
        if (!(await this.readAvailable(cur, out, this.maxBytes))) return out;
        this.finish(cur, out);
        await cur.fh.close();
        this.cur = undefined;
        continue;
      }
      const st = await statOrNull(this.path);
      if (!st || st.dev !== cur.dev || st.ino !== cur.ino) {
        this.notice(
          st
            ? `${this.path}: rotated (a new file is at the path); finishing the old one, then reading the new one`
            : `${this.path}: deleted or moved; finishing what was written, then waiting for it to come back`,
        );
        cur.detached = true;
        continue;
      }
      if (st.size < cur.readOffset || !(await this.headIntact(cur))) {
        await this.truncated(cur, out);
        continue;
      }
      const before = { readOffset: cur.readOffset, held: cur.held, head: cur.head, headHash: cur.headHash, atFileStart: cur.atFileStart };
      const n = out.length;
      await this.readAvailable(cur, out, this.maxBytes);
      // The file may have been truncated and rewritten while we read: then what we read is not
      // the continuation of what we had, so drop it and treat the file as truncated.
      if (cur.readOffset > before.readOffset && !(await this.headIntact(cur))) {
        out.length = n;
        Object.assign(cur, before);
        await this.truncated(cur, out);
        continue;
      }
      return out;
    }
    return out;
  }

  status(): FollowerStatus {
    return { state: this.cur ? 'following' : 'waiting', path: this.path, held: this.cur?.held.bytes ?? 0 };
  }

  /** Just past the last whole line handed on (what a checkpoint would store now). */
  position(): FilePosition {
    const cur = this.cur;
    if (!cur) return { path: this.path, dev: 0, ino: 0, offset: 0, fpLen: 0, fpHash: '', at: Date.now() };
    return this.positionOf(cur, cur.readOffset - cur.held.bytes);
  }

  async close(): Promise<void> {
    await this.cur?.fh.close().catch(() => {});
    this.cur = undefined;
  }

  // --- internals -----------------------------------------------------------------------------

  /**
   * Following begins with the first read, not when the file was opened: lines written in between
   * (while the run's tables were set up) were not seen arriving, so they are a catch-up too.
   */
  private async startClock(): Promise<void> {
    const st = await statOrNull(this.path);
    this.atFirstPoll = st && st.isFile() ? { dev: st.dev, ino: st.ino, size: st.size } : null;
    if (this.cur) this.cur.backlogUntil = Math.max(this.cur.backlogUntil, (await this.cur.fh.stat()).size);
  }

  private async openCursor(p: string, offset: number, backlogUntil: number): Promise<Cursor | undefined> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(p, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EACCES' || code === 'EPERM') throw new UserError(`${p}: cannot be read (permission denied)`);
      throw e;
    }
    const st = await fh.stat();
    const cur: Cursor = {
      fh,
      path: p,
      dev: st.dev,
      ino: st.ino,
      readOffset: 0,
      held: NO_LINE,
      head: Buffer.alloc(0),
      headHash: sha1(Buffer.alloc(0)),
      detached: false,
      backlogUntil,
      atFileStart: offset === 0,
    };
    if (offset > 0) await this.seek(cur, offset);
    return cur;
  }

  private async seek(cur: Cursor, offset: number): Promise<void> {
    cur.readOffset = offset;
    cur.held = NO_LINE;
    cur.head = await readHead(cur.fh, Math.min(offset, HEAD_BYTES));
    cur.headHash = sha1(cur.head);
  }

  private async checkPlainText(cur: Cursor): Promise<void> {
    const head = await readHead(cur.fh, 4);
    const c = compressionOf(head);
    if (c !== 'none') throw new UserError(`${cur.path}: is ${c}-compressed; tail follows plain-text logs (use meterscope profile for compressed files)`);
  }

  private async headIntact(cur: Cursor): Promise<boolean> {
    if (cur.head.length === 0) return true;
    const now = await readHead(cur.fh, cur.head.length);
    return now.equals(cur.head);
  }

  /** Truncated in place: recover the unread end from a copy next to it, then read the file anew. */
  private async truncated(cur: Cursor, out: Chunk[]): Promise<void> {
    const copyPath = await findRotated(this.path, this.positionOf(cur, cur.readOffset), cur.readOffset + 1);
    if (copyPath) {
      const copy = await this.openCursor(copyPath, 0, 0);
      if (copy && copy.ino !== cur.ino) {
        // Continue in the copy exactly where we were (same bytes up to readOffset), then come back.
        copy.readOffset = cur.readOffset;
        copy.held = cur.held;
        copy.head = cur.head;
        copy.headHash = cur.headHash;
        copy.detached = true;
        copy.atFileStart = cur.atFileStart;
        await cur.fh.close();
        this.cur = copy;
        this.notice(`${this.path}: truncated (copy-truncate); reading the rest of the old content from ${copyPath}, then the file from its start`);
        return;
      }
      await copy?.fh.close();
    }
    this.notice(`${this.path}: truncated; reading it again from its start`);
    this.finish(cur, out);
    await cur.fh.close();
    this.cur = undefined;
  }

  /** A file we will not read further: its unfinished last line is a line after all. */
  private finish(cur: Cursor, out: Chunk[]): void {
    if (cur.held.bytes === 0) return;
    const data = finishLine(cur.held, Buffer.alloc(0));
    cur.held = NO_LINE;
    out.push(this.chunk(cur, data, Date.now()));
  }

  /** Reads up to `budget` bytes; true when the end of the file was reached. */
  private async readAvailable(cur: Cursor, out: Chunk[], budget: number): Promise<boolean> {
    let read = 0;
    const buf = Buffer.allocUnsafe(READ_SIZE);
    while (read < budget) {
      const { bytesRead } = await cur.fh.read(buf, 0, READ_SIZE, cur.readOffset);
      if (bytesRead === 0) return true;
      const data = buf.subarray(0, bytesRead);
      if (cur.readOffset < HEAD_BYTES) {
        cur.head = Buffer.concat([cur.head, data.subarray(0, HEAD_BYTES - cur.readOffset)]);
        cur.headHash = sha1(cur.head);
      }
      cur.readOffset += bytesRead;
      read += bytesRead;
      this.take(cur, data, out, Date.now());
    }
    return false;
  }

  /**
   * Splits new bytes at the last newline: whole lines go out, the rest is held. A read that runs
   * past the catch-up (the file grew meanwhile) goes out as two chunks: the lines that were there
   * when following began, then the ones that arrived since.
   */
  private take(cur: Cursor, data: Buffer, out: Chunk[], at: number): void {
    const dataStart = cur.readOffset - data.length;
    // Bytes that were in the file when following began are a catch-up: cut the read there (after the
    // last newline before that offset) so the rest can count as arrivals.
    const cutAt =
      dataStart < cur.backlogUntil && cur.readOffset > cur.backlogUntil && cur.held.bytes === 0 ? data.lastIndexOf(10, cur.backlogUntil - dataStart - 1) + 1 : 0;
    if (cutAt > 0) {
      const before = takeLines(cur.held, data.subarray(0, cutAt));
      cur.held = before.held;
      if (before.lines) out.push(this.chunk(cur, before.lines, at, dataStart + cutAt));
    }
    const { lines, held } = takeLines(cur.held, cutAt > 0 ? data.subarray(cutAt) : data);
    cur.held = held;
    if (lines) out.push(this.chunk(cur, lines, at));
  }

  /** A chunk of whole lines ending at file offset `end`. */
  private chunk(cur: Cursor, data: Buffer, at: number, end = cur.readOffset - cur.held.bytes): Chunk {
    const c: Chunk = { data, lines: countNewlines(data), at, backlog: end <= cur.backlogUntil, fileStart: cur.atFileStart, end: this.positionOf(cur, end) };
    cur.atFileStart = false;
    return c;
  }

  private positionOf(cur: Cursor, offset: number): FilePosition {
    return { path: cur.path, dev: cur.dev, ino: cur.ino, offset, fpLen: cur.head.length, fpHash: cur.headHash, at: Date.now() };
  }

  /** Resume: find the checkpointed file (at the path, or rotated next to it) and continue there. */
  private async resumeAt(pos: FilePosition): Promise<void> {
    const st = await statOrNull(this.path);
    const same = !!st && st.dev === pos.dev && st.ino === pos.ino;
    if (same && pos.fpLen > 0) {
      if (st.size >= pos.offset && (await headMatches(this.path, pos.fpLen, pos.fpHash))) {
        this.cur = await this.openCursor(this.path, pos.offset, st.size);
        return;
      }
      const copy = await findRotated(this.path, pos, pos.offset);
      if (copy && (await this.resumeDetached(copy, pos))) return;
      this.notice(`${this.path}: was truncated while meterscope was stopped and no copy of it was found next to it; reading it from its start`);
    } else if (!same && pos.ino !== 0) {
      const moved = await findRotated(this.path, pos, pos.offset);
      if (moved && (await this.resumeDetached(moved, pos))) return;
      this.notice(
        `${this.path}: was rotated while meterscope was stopped and the old file was not found next to it; lines written to it after the last checkpoint are not counted`,
      );
    } else {
      // Nothing of any file read yet (none there, or an empty one): what was rotated away since
      // then is read first, oldest first, then the file at the path.
      this.queue = await laterGenerations(this.path, pos.at);
      if (this.queue.length) this.notice(`${this.path}: rotated while meterscope was stopped; reading ${this.queue.join(', ')} first`);
    }
    // The file at the path (if any) is new to us: read it from its start as a catch-up.
    if (this.queue.length === 0) {
      const now = await statOrNull(this.path);
      if (now && now.isFile()) this.cur = await this.openCursor(this.path, 0, now.size);
    }
  }

  private async resumeDetached(p: string, pos: FilePosition): Promise<boolean> {
    const st = await statOrNull(p);
    if (!st) return false;
    const cur = await this.openCursor(p, pos.offset, st.size);
    if (!cur) return false;
    cur.detached = true;
    cur.atFileStart = pos.offset === 0;
    this.cur = cur;
    this.queue = await laterGenerations(this.path, st.mtimeMs, p);
    this.notice(`${this.path}: rotated while meterscope was stopped; finishing ${p} first${this.queue.length ? `, then ${this.queue.join(', ')}` : ''}`);
    return true;
  }
}
