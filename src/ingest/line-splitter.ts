import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Bytes -> TabSeparated rows "line_number\tline_text\n" for a staging insert.
 * Counts lines from `firstLine`; a last line without a newline is emitted at the end (flush).
 * The line's bytes reach the engine unchanged (a trailing CR and a BOM included: the SQL tidies
 * lines for every path alike, see sql/lines.ts): valid UTF-8 travels as text, a line with invalid
 * UTF-8 has its non-ASCII bytes written as \xHH escapes, which the TSV reader turns back into the
 * same bytes. So the staging table holds what file() would read.
 */
export class LineToTsv extends Transform {
  lineNo: number;
  bytes = 0;
  /** Bytes of the current line received so far (kept as chunks: a long line is joined once). */
  private pending: Buffer[] = [];

  constructor(firstLine = 1) {
    super();
    this.lineNo = firstLine - 1;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      this.pending.push(chunk);
      cb();
      return;
    }
    const buf = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1);
    this.pending = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    // One check for the whole run of lines; only a run with bad bytes is looked at line by line.
    const valid = isUtf8(buf);
    const out: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      out.push(this.row(buf.subarray(start, nl), valid));
      start = nl + 1;
    }
    this.push(out.join(''));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.pending.length) this.push(this.row(Buffer.concat(this.pending), false));
    this.pending = [];
    cb();
  }

  private row(line: Buffer, knownValid: boolean): string {
    this.lineNo++;
    const text = knownValid || isUtf8(line) ? escapeTsv(line.toString('utf8')) : escapeBytes(line);
    return `${this.lineNo}\t${text}\n`;
  }
}

const TSV_SPECIAL = /[\\\t\r\n\0]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\r': '\\r', '\n': '\\n', '\0': '\\0' };

/** Text -> a TabSeparated field (backslash, tab, CR, LF and NUL escaped). */
export function escapeTsv(s: string): string {
  if (!TSV_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\r\n\0]/g, (c) => TSV_ESCAPES[c]);
}

/** Bytes that are not valid UTF-8 -> a TabSeparated field in ASCII: every byte >= 0x80 as \xHH. */
export function escapeBytes(b: Buffer): string {
  let out = '';
  for (const byte of b) {
    if (byte >= 0x80) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else {
      const c = String.fromCharCode(byte);
      out += TSV_ESCAPES[c] ?? c;
    }
  }
  return out;
}
