/**
 * Where a follower is in a file, and how to find that file again: identity (dev + inode) for
 * rotation by rename, and a fingerprint of the file's first bytes for copy-truncate (same inode,
 * different content). Stored in checkpoints, so a resume knows whether the file it finds at the
 * path is the one it was reading.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** How much of a file's head is fingerprinted. */
export const HEAD_BYTES = 1024;

export interface FilePosition {
  /** The file the offset is in: the followed path, or a sibling a rotation moved it to. */
  path: string;
  dev: number;
  ino: number;
  /** Bytes consumed: just past the last complete line handed on. */
  offset: number;
  /** Length and sha1 of the file's first bytes as read (at most HEAD_BYTES). */
  fpLen: number;
  fpHash: string;
  /** When this position was taken (ms since epoch): files rotated away later hold what came after. */
  at: number;
}

export const sha1 = (b: Buffer): string => crypto.createHash('sha1').update(b).digest('hex');

/** Reads up to `len` bytes from the start of an open file. */
export async function readHead(fh: fs.promises.FileHandle, len: number): Promise<Buffer> {
  if (len === 0) return Buffer.alloc(0);
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export async function statOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** True when the file at `p` still starts with the fingerprinted bytes. */
export async function headMatches(p: string, fpLen: number, fpHash: string): Promise<boolean> {
  if (fpLen === 0) return true;
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(p, 'r');
    const head = await readHead(fh, fpLen);
    return head.length === fpLen && sha1(head) === fpHash;
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

/**
 * Looks next to the followed file for where the content at `pos` went: a file with the same
 * inode (rotated by rename: events.log -> events.log.1) or, failing that, a copy with the same
 * head that is at least `minSize` long (copy-truncate). Compressed rotations are not read.
 */
export async function findRotated(followed: string, pos: FilePosition, minSize: number): Promise<string | undefined> {
  const dir = path.dirname(followed);
  const base = path.basename(followed);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return undefined;
  }
  const candidates = names.filter((n) => n !== base && n.startsWith(base) && !/\.(gz|zst|bz2|xz|zip)$/.test(n)).sort();
  let copy: string | undefined;
  for (const name of candidates) {
    const p = path.join(dir, name);
    const st = await statOrNull(p);
    if (!st || !st.isFile()) continue;
    if (st.dev === pos.dev && st.ino === pos.ino) return p;
    if (!copy && pos.fpLen > 0 && st.size >= minSize && (await headMatches(p, pos.fpLen, pos.fpHash))) copy = p;
  }
  return copy;
}

/**
 * Rotated generations last written after `afterMs` (oldest first): when a file was rotated while
 * meterscope was stopped, possibly several times, these hold what came in between. The file now
 * at the followed path, and `exclude`, are not among them.
 */
export async function laterGenerations(followed: string, afterMs: number, exclude?: string): Promise<string[]> {
  const dir = path.dirname(followed);
  const base = path.basename(followed);
  const skip = [await statOrNull(followed), exclude ? await statOrNull(exclude) : null].filter((x): x is fs.Stats => !!x);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const out: { p: string; mtime: number }[] = [];
  for (const name of names) {
    if (name === base || !name.startsWith(base) || /\.(gz|zst|bz2|xz|zip)$/.test(name)) continue;
    const p = path.join(dir, name);
    const st = await statOrNull(p);
    if (!st || !st.isFile() || skip.some((k) => k.dev === st.dev && k.ino === st.ino)) continue;
    if (st.mtimeMs > afterMs) out.push({ p, mtime: st.mtimeMs });
  }
  return out.sort((a, b) => a.mtime - b.mtime).map((x) => x.p);
}
