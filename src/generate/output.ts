/**
 * Where the generated text goes. An engine in this process writes the file itself
 * (INSERT INTO FUNCTION file(…, RawBLOB), compressing on the way); a ClickHouse server streams
 * the rows back over HTTP and Node writes (and gzips) them, since a server's file() would write
 * on the server's disk. stdout gets the same bytes, uncompressed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable, Transform, Writable } from 'node:stream';
import type { Store } from '../store/store.js';
import { UserError, firstLine } from '../errors.js';
import type { BuiltQuery } from './query.js';

export type OutputCompression = 'none' | 'gzip' | 'zstd';

/** Generate needs only a store: its engine plans and writes; `capabilities.readsLocalFiles` says whether it can write this machine's files. */
export type GenerateTarget = Store;

/** Compressed formats generate cannot write: a file named so would hold plain text under a lying name. */
const UNSUPPORTED = /\.(bz2|xz|lz4|lzma|lz|br|zip|7z|z)$/i;

/** How a --out file is compressed, by its extension; a compression generate cannot write is refused. */
export function compressionFor(file: string): OutputCompression {
  if (/\.gz$/i.test(file)) return 'gzip';
  if (/\.(zst|zstd)$/i.test(file)) return 'zstd';
  const other = UNSUPPORTED.exec(file);
  if (other) throw new UserError(`${file}: generate cannot write .${other[1]} files; name it .gz or .zst to compress, or drop the extension for plain text`);
  return 'none';
}

/** Big runs spill their sort to disk instead of growing without bound. */
const SETTINGS = { max_bytes_before_external_sort: String(2 * 2 ** 30), max_bytes_ratio_before_external_sort: '0.3' };

/** Writes the query's rows to `file` (null = stdout). Returns the bytes written (compressed size for files). */
export async function writeOutput(target: GenerateTarget, q: BuiltQuery, file: string | null, out: Writable = process.stdout, level = 3): Promise<number> {
  if (file !== null) {
    if (compressionFor(file) === 'gzip' && level > 9) throw new UserError('--compression-level: gzip goes from 1 to 9');
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${file}: the directory ${dir} does not exist`);
    // A partial file never takes the final name: write beside it, rename when done.
    const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(4).toString('hex')}.partial`);
    try {
      if (target.capabilities.readsLocalFiles) await engineWrite(target, q, tmp, compressionFor(file), level);
      else await streamWrite(target, q, fs.createWriteStream(tmp), compressionFor(file), level);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    return fs.statSync(file).size;
  }
  if (!target.capabilities.readsLocalFiles) return streamWrite(target, q, out, 'none', level);
  // chDB hands results back as one buffer; a temporary file keeps memory flat for big runs.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-gen-'));
  try {
    const tmp = path.join(dir, 'out');
    await engineWrite(target, q, tmp, 'none', level);
    await copyTo(fs.createReadStream(tmp), out);
    return fs.statSync(tmp).size;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function engineWrite(store: Store, q: BuiltQuery, file: string, compression: OutputCompression, level: number): Promise<void> {
  const p = q.params.add(file);
  try {
    await store.exec(
      `INSERT INTO FUNCTION file(${p}, 'RawBLOB', 'line String', '${compression}') ${q.sql}
        SETTINGS engine_file_truncate_on_insert = 1`,
      q.params.values,
      { ...SETTINGS, output_format_compression_level: String(level) },
    );
  } catch (e) {
    const msg = firstLine((e as Error).message ?? String(e));
    if (/Cannot open|Permission denied|Read-only|No such file/i.test(msg))
      throw new UserError(`${file.replace(/\/\.([^/]+)\.[0-9a-f]{8}\.partial$/, '/$1')}: cannot be written (${msg})`);
    throw e;
  }
}

function compressor(c: OutputCompression, level: number): Transform | undefined {
  if (c === 'gzip') return zlib.createGzip({ level });
  if (c === 'zstd') {
    const z = zlib as unknown as { createZstdCompress?: (o: object) => Transform; constants: Record<string, number> };
    if (!z.createZstdCompress) throw new UserError('writing .zst through a ClickHouse server needs Node ≥ 22.15 (zstd in zlib); write .gz, or use the embedded engine');
    return z.createZstdCompress({ params: { [z.constants.ZSTD_c_compressionLevel]: level } });
  }
  return undefined;
}

async function streamWrite(store: Store, q: BuiltQuery, out: Writable, compression: OutputCompression, level: number): Promise<number> {
  const z = compressor(compression, level);
  const rows = await store.stream({ sql: q.sql, params: q.params.values }, 'RawBLOB', SETTINGS);
  let bytes = 0;
  const counted = rows.on('data', (c: Buffer) => (bytes += c.length));
  await (z ? pipeline(counted, z, out) : copyTo(counted, out));
  return bytes;
}

/** Copies into `out` without closing it when it is stdout; a closed pipe (`| head`) ends quietly. */
async function copyTo(src: Readable, out: Writable): Promise<void> {
  if (out === process.stdout) {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        src.destroy();
        if (e.code === 'EPIPE') resolve();
        else reject(e);
      };
      out.on('error', onError);
      src.on('error', reject);
      src.on('end', () => {
        out.off('error', onError);
        resolve();
      });
      src.pipe(out, { end: false });
    });
    return;
  }
  await pipeline(src, out);
}
