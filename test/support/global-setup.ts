/**
 * One temporary directory per test run: vitest forks each test file from this process, so every
 * tempDir(), store and child process of the run writes under it (os.tmpdir() reads TMPDIR), and it
 * is removed when the run ends — a full run used to leave ~330 MB of stores and logs in /tmp.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
