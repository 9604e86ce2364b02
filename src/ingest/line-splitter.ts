import { Transform, type TransformCallback } from 'node:stream';

/**
 * Bytes -> TabSeparated rows "line_number\tline_text\n" for a staging insert.
 * Counts lines from `firstLine`, strips one trailing \r, escapes what TSV needs escaped.
 * A last line without a newline is emitted at the end of the stream (flush).
 */
export class LineToTsv extends Transform {
  lineNo: number;
  bytes = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(firstLine = 1) {
    super();
    this.lineNo = firstLine - 1;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    const out: string[] = [];
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      out.push(this.row(buf.toString('utf8', start, nl)));
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    if (out.length) this.push(out.join(''));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.rest.length) this.push(this.row(this.rest.toString('utf8')));
    this.rest = Buffer.alloc(0);
    cb();
  }

  private row(text: string): string {
    this.lineNo++;
    return `${this.lineNo}\t${escapeTsv(text.endsWith('\r') ? text.slice(0, -1) : text)}\n`;
  }
}

const TSV_SPECIAL = /[\\\t\r\n]/;
function escapeTsv(s: string): string {
  if (!TSV_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\n'));
}
