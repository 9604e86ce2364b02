/**
 * Progress of a local file read by the engine itself (file() in embedded mode): the engine reports
 * nothing while the INSERT runs, but it reads the file with pread (load.ts), so the bytes this process
 * has read (Linux /proc/self/io `rchar`) since the load began track the file's bytes. Elsewhere (no
 * /proc) there is no byte count and the caller shows elapsed time only.
 */
import fs from 'node:fs';

/** Bytes read by this process so far, or undefined where the kernel does not say. */
export function processReadBytes(): number | undefined {
  try {
    const m = /^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A local file's read so far: its size, seconds since the read began, average bytes per line if known. */
export interface FileProgress {
  total: number;
  seconds: number;
  perLine?: number;
}

/** Calls report(bytes of the file read so far, capped at its size) every `everyMs` until the returned stop(). */
export function watchFileRead(file: Omit<FileProgress, 'seconds'>, report: (bytes: number, p: FileProgress) => void, everyMs = 500): () => void {
  const start = processReadBytes();
  if (start === undefined) return () => {};
  const began = Date.now();
  const tick = () => report(Math.min(file.total, (processReadBytes() ?? start) - start), { ...file, seconds: (Date.now() - began) / 1000 });
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Average bytes per line of a sample (for events/s from bytes/s); undefined for a sample without newlines. */
export function bytesPerLine(sample: Buffer): number | undefined {
  let lines = 0;
  for (let i = sample.indexOf(10); i !== -1; i = sample.indexOf(10, i + 1)) lines++;
  return lines ? sample.length / lines : undefined;
}
