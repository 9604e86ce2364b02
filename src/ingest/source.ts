/**
 * Input sources: files (globs expanded), '-' for stdin, pipes / FIFOs / sockets named by path
 * (read once, as streams), and objects the engine reads itself (s3://, gs://, http(s)://, see
 * remote-source.ts); compression told by magic bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { glob } from 'tinyglobby';
import * as fzstd from 'fzstd';
import { UserError } from '../errors.js';
import { isRemoteName, parseRemote, type ObjectStorageAccess, type RemoteInput } from './remote-source.js';

export type Compression = 'none' | 'gzip' | 'zstd';

export interface Source {
  /** What the user named (absolute path for files and streams, '-' for stdin). Stored with every event. */
  name: string;
  /**
   * A regular file can be read twice (sample, then load); a stream (stdin, a FIFO, `<(…)`) only once;
   * a remote object is read by the engine (named `s3://bucket/key` or by its URL).
   */
  kind: 'file' | 'stdin' | 'stream' | 'remote';
  path?: string;
  compression: Compression;
  /** A remote input and, once the engine has listed it, the one object this source is (its `_path`). */
  remote?: { input: RemoteInput; path?: string; size?: number };
}

export interface ResolveOptions {
  /** Accept s3://, gs:// and http(s):// names (read by the engine with this access); refused when absent. */
  objectStorage?: ObjectStorageAccess;
  /** The command, for the refusal of a remote name ("tail reads local files and stdin only"). */
  command?: string;
}

/** Expands the user's arguments into sources, failing with one sentence on anything missing. */
export async function resolveSources(args: string[], opts: ResolveOptions = {}): Promise<Source[]> {
  if (args.length === 0) throw new UserError('no input given: name one or more files or globs, or - for stdin');
  const out: Source[] = [];
  for (const arg of args) {
    if (isRemoteName(arg)) {
      out.push(remoteSource(arg, opts));
      continue;
    }
    if (arg === '-') {
      out.push({ name: '-', kind: 'stdin', compression: 'none' });
      continue;
    }
    let files: string[];
    // A name is a pattern only when no file has that very name; then meterscope expands it, once.
    if (/[*?[\]{}]/.test(arg) && !fs.existsSync(arg)) {
      files = (await glob(arg, { absolute: true, onlyFiles: true })).sort();
      if (files.length === 0) throw new UserError(`${arg}: no file matches this pattern`);
    } else {
      files = [path.resolve(arg)];
    }
    for (const file of files) {
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        throw new UserError(`${arg}: no such file`);
      }
      if (st.isDirectory()) throw new UserError(`${arg}: is a directory; name the files inside it (a glob like '${arg}/*.jsonl' works)`);
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch {
        throw new UserError(`${arg}: cannot be read (permission denied)`);
      }
      if (!st.isFile()) {
        // A pipe cannot be read twice or seeked: it is read once, as a stream, like stdin.
        out.push({ name: file, kind: 'stream', path: file, compression: 'none' });
        continue;
      }
      out.push({ name: file, kind: 'file', path: file, compression: compressionOf(readHead(file, 4)) });
    }
  }
  return out;
}

/** A remote input as named (listed into its objects when loaded, see remote-load.ts). */
function remoteSource(arg: string, opts: ResolveOptions): Source {
  if (!opts.objectStorage) refuseRemote(arg, opts.command ?? 'this command');
  const input = parseRemote(arg, opts.objectStorage);
  return { name: input.display, kind: 'remote', compression: 'none', remote: { input } };
}

/** One sentence for a command that reads only this machine's inputs, given an s3://, gs:// or URL name. */
export function refuseRemote(arg: string, command: string): void {
  if (!isRemoteName(arg)) return;
  throw new UserError(`${parseRemote(arg).display}: ${command} reads local files and stdin only; object-storage and URL inputs are read by meterscope profile`);
}

/**
 * Stdin redirected from a regular file (`profile - < export.jsonl`) and not read from yet: the engine
 * can read that file itself, in parallel, with no copy. Undefined for a pipe, a terminal, or a file
 * whose offset has moved (only what follows the offset was given; /proc/self/fdinfo tells it).
 */
export function stdinAsFile(): { path: string; compression: Compression } | undefined {
  try {
    if (!fs.fstatSync(0).isFile()) return undefined;
    const pos = /^pos:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/fdinfo/0', 'utf8'));
    if (pos?.[1] !== '0') return undefined;
    const file = '/proc/self/fd/0';
    return { path: file, compression: compressionOf(readHead(file, 4)) };
  } catch {
    return undefined;
  }
}

function readHead(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Decompressing transform for a byte stream. */
function decompressor(c: Compression): Transform | undefined {
  if (c === 'gzip') return zlib.createGunzip();
  if (c === 'zstd') {
    // Node 20 has no zstd in zlib; fzstd is a streaming decoder in pure JS.
    let push: (chunk: Uint8Array) => void = () => {};
    const dec = new fzstd.Decompress((chunk) => push(chunk));
    return new Transform({
      transform(chunk: Buffer, _enc, cb) {
        push = (c2) => this.push(Buffer.from(c2));
        try {
          dec.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
      flush(cb) {
        push = (c2) => this.push(Buffer.from(c2));
        try {
          dec.push(new Uint8Array(0), true);
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
    });
  }
  return undefined;
}

/** The decompressed bytes of a file or stream source (a stream's compression is told by its first bytes). */
export function openBytes(src: Source): Readable {
  if (src.kind === 'stdin' || !src.path) throw new Error('openBytes needs a file or stream source');
  const raw = fs.createReadStream(src.path);
  if (src.kind === 'stream') return autoDecompress(raw);
  const d = decompressor(src.compression);
  if (!d) return raw;
  raw.on('error', (e) => d.destroy(e));
  return raw.pipe(d);
}

/** Reads up to `max` decompressed bytes from the start of a file (for format detection). */
export async function readSample(src: Source, max = 256 * 1024): Promise<Buffer> {
  const stream = openBytes(src);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= max) break;
    }
  } catch (e) {
    throw new UserError(`${src.name}: cannot be decompressed (${(e as Error).message})`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

/** A byte stream whose compression is told by its first bytes (for stdin). */
export function autoDecompress(input: Readable): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let head = Buffer.alloc(0);
    let done = false;
    while (head.length < 4) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      head = Buffer.concat([head, Buffer.from(r.value)]);
    }
    async function* rest(): AsyncGenerator<Buffer> {
      yield head;
      if (done) return;
      for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
    }
    const d = decompressor(compressionOf(head));
    yield* d ? Readable.from(rest()).pipe(d) : rest();
  }
  return Readable.from(bytes(), { objectMode: false });
}

/**
 * The first bytes of a stream (up to `max`, or all of it if shorter) and a stream of all its bytes,
 * head included: detection looks at the head of an input that can be read only once.
 */
export async function peekHead(input: Readable, max: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < max) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.from(r.value);
    parts.push(b);
    size += b.length;
  }
  const head = Buffer.concat(parts);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  return { head: head.subarray(0, max), stream: Readable.from(all(), { objectMode: false }) };
}

/**
 * A name under which the engine's file() reads exactly this file. file() expands *, ? and {a,b} in
 * its path (and has no escape for them), so it is given the file's descriptor, opened here, instead
 * of the file's name: "a*.jsonl" is then that file, not every file starting with "a".
 */
export function openForEngine(file: string): { path: string; close: () => void } {
  const fd = fs.openSync(file, 'r');
  const dir = process.platform === 'linux' ? '/proc/self/fd' : '/dev/fd';
  return { path: `${dir}/${fd}`, close: () => fs.closeSync(fd) };
}
