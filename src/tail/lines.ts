/** Whole lines in bytes read from a log: splitting off an unfinished last line, counting newlines. */
import type fs from 'node:fs';

/** Bytes read from a file at a time. */
export const READ_SIZE = 1 << 20;

/** The whole lines of `held` + `data` (if `data` has a newline), and the unfinished rest to hold. */
export function splitAtLastNewline(held: Buffer, data: Buffer): { whole?: Buffer; held: Buffer } {
  const nl = data.lastIndexOf(10);
  if (nl === -1) return { held: Buffer.concat([held, data]) };
  return { whole: Buffer.concat([held, data.subarray(0, nl + 1)]), held: Buffer.from(data.subarray(nl + 1)) };
}

export function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/** Lines in the first `size` bytes, and the offset just past the last newline. */
export async function countLines(fh: fs.promises.FileHandle, size: number): Promise<{ lines: number; boundary: number }> {
  const buf = Buffer.allocUnsafe(READ_SIZE);
  let lines = 0;
  let boundary = 0;
  for (let off = 0; off < size;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(READ_SIZE, size - off), off);
    if (bytesRead === 0) break;
    const b = buf.subarray(0, bytesRead);
    lines += countNewlines(b);
    const last = b.lastIndexOf(10);
    if (last !== -1) boundary = off + last + 1;
    off += bytesRead;
  }
  return { lines, boundary };
}
