/**
 * Runs one command in a fresh process and measures it: wall time (hrtime around the child),
 * peak RSS and CPU time (GNU time's %M/%U/%S: the child's getrusage, children included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  wallSeconds: number;
  peakRssBytes: number;
  cpuSeconds: number;
  stdout: string;
}

export async function measure(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Measurement> {
  if (!fs.existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed to measure peak RSS: apt-get install time`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-'));
  const timeFile = path.join(dir, 'time');
  const outFile = path.join(dir, 'stdout');
  try {
    const out = fs.openSync(outFile, 'w');
    let stderr = '';
    const started = process.hrtime.bigint();
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', out, 'pipe'],
      });
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 3_600_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    fs.closeSync(out);
    if (code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${code}:\n${stderr}`);
    const [rssKb, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wallSeconds, peakRssBytes: rssKb * 1024, cpuSeconds: user + sys, stdout: fs.readFileSync(outFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** 1-minute load average (the machine is shared: timings are only taken when it is quiet). */
export const loadAverage = () => os.loadavg()[0];

/**
 * Share of the machine's CPU time spent busy over the next `ms` milliseconds (/proc/stat), i.e. what
 * others use right now; unlike the load average it does not remember our own previous run.
 */
export async function busyShare(ms = 3000): Promise<number> {
  const sample = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  if (!fs.existsSync('/proc/stat')) return 0;
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
