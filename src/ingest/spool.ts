/**
 * Streamed bytes handed to an embedded engine as files in its scratch directory: the engine reads
 * them with file(…, 'LineAsString') natively and in parallel, exactly as it reads a user's file, so
 * the lines keep their raw bytes (invalid UTF-8 included) with no escaping in Node and no query
 * text to build. Passing lines as a query parameter cost ~5x the file path (bench/RESULTS.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Store } from '../store/store.js';
import type { SqlParams } from '../store/sql.js';

export class Spool {
  private constructor(private readonly dir: string) {}

  /** A spool for stores that read local files (embedded); undefined for a server. */
  static of(store: Store): Spool | undefined {
    return store.capabilities.readsLocalFiles && store.scratchDir ? new Spool(store.scratchDir) : undefined;
  }

  private newPath(): string {
    return path.join(this.dir, `lines-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  }

  /** Writes the buffers to a new file; returns its path. */
  async write(parts: Buffer[]): Promise<string> {
    const file = this.newPath();
    const fh = await fs.promises.open(file, 'w');
    try {
      for (let i = 0; i < parts.length;) {
        // writev takes at most IOV_MAX (1024) buffers at a time.
        const some = parts.slice(i, i + 1024);
        await fh.writev(some);
        i += some.length;
      }
    } finally {
      await fh.close();
    }
    return file;
  }

  /** Copies a whole stream into a new file (progress reported in bytes); returns its path. */
  async drain(bytes: Readable, onBytes?: (n: number) => void): Promise<string> {
    const file = this.newPath();
    let n = 0;
    let reported = 0;
    const count = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        n += chunk.length;
        if (n - reported >= 8 << 20) {
          reported = n;
          onBytes?.(n);
        }
        yield chunk;
      }
    };
    try {
      // pipeline() destroys every stage on a failure, so an interrupted copy leaves no stream behind.
      await pipeline(bytes, count, fs.createWriteStream(file, { highWaterMark: 4 << 20 }));
    } catch (e) {
      await remove(file);
      throw e;
    }
    onBytes?.(n);
    return file;
  }
}

export async function remove(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}

/** The line relation (line UInt64, raw String) of a spooled file, numbered from `firstLine`. */
export function spooledLines(file: string, firstLine: number, params: SqlParams): string {
  return `SELECT toUInt64(${params.add(firstLine - 1, 'UInt64')} + _row_number + 1) AS line, l AS raw
    FROM file(${params.add(file)}, 'LineAsString', 'l String')`;
}
