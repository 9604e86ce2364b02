/**
 * Lines (and whole-file JSON events) longer than MAX_LINE_BYTES are rejected, not loaded: one
 * such line must not abort a load or grow memory with its size. Every path applies the same limit:
 * Node readers keep only the first KiB of a long line and its byte count; the engine's own file
 * reader gets the same cut in SQL.
 *
 * The parsers between the line relation and the reject reason know nothing of this, so a long line
 * travels through them as a marked text (TOO_LONG_MARK + reason + SEP + first KiB) that no format
 * accepts, and buildIngestQuery turns the mark back into the reject's reason and raw text.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Longest line (bytes before its newline) that is parsed; longer ones are rejected. */
export const MAX_LINE_BYTES = 16 << 20;
/** How much of a rejected long line is kept as its raw text. */
export const KEPT_BYTES = 1024;

/** U+FFFF is a noncharacter: it does not occur in exported text, so the mark cannot be forged by input. */
const SEP = '\uFFFF';
const MARK = `${SEP}meterscope${SEP}`;
const SEP_SQL = `'\\xEF\\xBF\\xBF'`;
const MARK_SQL = `concat(${SEP_SQL}, 'meterscope', ${SEP_SQL})`;
const MARK_BYTES = Buffer.byteLength(MARK);

/** The marked text standing for a too-long line or event (`what`), of `bytes` bytes starting with `head`. */
export function tooLongText(what: 'line' | 'event', bytes: number, head: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${MARK}${what} too long (${bytes} bytes)${SEP}`), head.subarray(0, KEPT_BYTES)]);
}

/** SQL: the marked text standing for a line (as read) that is too long. */
export function tooLongLineSql(line: string): string {
  return `concat(${MARK_SQL}, 'line too long (', toString(length(${line})), ' bytes)', ${SEP_SQL}, substring(${line}, 1, ${KEPT_BYTES}))`;
}

/** SQL: the reject reason carried by a marked text, '' for any other text. */
export function markedReasonSql(raw: string): string {
  return `if(startsWith(${raw}, ${MARK_SQL}), substring(${raw}, ${MARK_BYTES + 1}, position(${raw}, ${SEP_SQL}, ${MARK_BYTES + 1}) - ${MARK_BYTES + 1}), '')`;
}

/** SQL: the kept head of a marked text, any other text unchanged. */
export function markedRawSql(raw: string): string {
  return `if(startsWith(${raw}, ${MARK_SQL}), substring(${raw}, position(${raw}, ${SEP_SQL}, ${MARK_BYTES + 1}) + 3), ${raw})`;
}

/**
 * The unfinished last line of a byte stream: all its bytes while it is within the limit, then only
 * its first KiB; `bytes` counts them all. Kept as parts (copied) so a long line is not re-copied per chunk.
 */
export interface HeldLine {
  parts: Buffer[];
  bytes: number;
}

export const NO_LINE: HeldLine = { parts: [], bytes: 0 };

/** The held line extended by `data` (which holds no newline; it is copied, so the caller may reuse it). */
export function holdMore(h: HeldLine, data: Buffer): HeldLine {
  if (data.length === 0) return h;
  const bytes = h.bytes + data.length;
  if (bytes <= MAX_LINE_BYTES) return { parts: [...h.parts, Buffer.from(data)], bytes };
  if (h.bytes <= MAX_LINE_BYTES) return { parts: [firstBytes([...h.parts, data], KEPT_BYTES)], bytes };
  return { parts: h.parts, bytes };
}

/** The held line finished by `end` (its last bytes, without the newline), with a newline: as is, or marked when too long. */
export function finishLine(h: HeldLine, end: Buffer): Buffer {
  const bytes = h.bytes + end.length;
  if (bytes <= MAX_LINE_BYTES) return Buffer.concat([...h.parts, end, NEWLINE]);
  return Buffer.concat([tooLongText('line', bytes, firstBytes([...h.parts, end], KEPT_BYTES)), NEWLINE]);
}

/** The first `n` bytes of consecutive parts, copied. */
export function firstBytes(parts: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (const p of parts) {
    if (size >= n) break;
    out.push(p.subarray(0, n - size));
    size += Math.min(p.length, n - size);
  }
  return Buffer.concat(out);
}

const NEWLINE = Buffer.from('\n');

/**
 * New bytes after a held line: the whole lines they finish, with a newline each and every line over
 * the limit replaced by its marked text (a copy, never a view of `data`), and the line held after them.
 */
export function takeLines(h: HeldLine, data: Buffer): { lines?: Buffer; held: HeldLine } {
  const last = data.lastIndexOf(10);
  if (last === -1) return { held: holdMore(h, data) };
  const out: Buffer[] = [];
  let start = 0;
  let plain = 0; // start of the run of lines passed on as they are
  for (let nl = data.indexOf(10); nl !== -1 && nl <= last; nl = data.indexOf(10, start)) {
    if ((start === 0 && h.bytes > 0) || nl - start > MAX_LINE_BYTES) {
      out.push(data.subarray(plain, start), finishLine(start === 0 ? h : NO_LINE, data.subarray(start, nl)));
      plain = nl + 1;
    }
    start = nl + 1;
  }
  out.push(data.subarray(plain, last + 1));
  return { lines: Buffer.concat(out), held: holdMore(NO_LINE, data.subarray(last + 1)) };
}

/**
 * Bytes -> the same bytes in whole lines, each line over the limit replaced by its marked text.
 * Holds at most one line of MAX_LINE_BYTES, whatever the input.
 */
export class CapLongLines extends Transform {
  private held: HeldLine = NO_LINE;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const { lines, held } = takeLines(this.held, chunk);
    this.held = held;
    if (lines) this.push(lines);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.held.bytes > 0) {
      const line = finishLine(this.held, Buffer.alloc(0));
      // A last line without a newline stays without one.
      this.push(line.subarray(0, line.length - 1));
    }
    this.held = NO_LINE;
    cb();
  }
}
