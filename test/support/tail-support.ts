/**
 * Plumbing for the tail tests: the built CLI as a live child process (its JSON lines readable
 * while it runs, killable), the writer process, bounded waits for a child's progress.
 */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT, cliEnv } from './helpers.js';

export interface LiveTail {
  child: ChildProcess;
  /** Parsed JSON lines printed so far. */
  lines: Record<string, any>[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `meterscope <args>` with stdout piped (so tail prints JSON lines). Killed after `timeoutMs`. */
export function startCli(args: string[], opts: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): LiveTail {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, any>[] = [];
  let stdout = '';
  let stderr = '';
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    rest += d;
    let nl: number;
    while ((nl = rest.indexOf('\n')) !== -1) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        /* not a JSON line */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 100_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, lines, stderr: () => stderr, done };
}

export interface WriterResult {
  written: number;
  first: number;
  last: number;
  firstWriteAt: number;
  lastWriteAt: number;
  measuredRate: number;
  rotations: number;
}

/** Runs test/support/tail-writer.mjs to completion (see its header for the flags). */
export function runWriter(args: string[]): Promise<WriterResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'test', 'support', 'tail-writer.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`writer exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

/** Polls `cond` every 50 ms, at most `maxMs` (a bounded wait for a child's progress, not a timing assertion). */
export async function waitFor(cond: () => boolean, what = 'the awaited condition', maxMs = 60_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited > maxMs) throw new Error(`${what}: not reached within ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Identifiers the writer produced as valid events (it writes a malformed line every `badEvery`). */
export function goodIds(count: number, badEvery: number, start = 0): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) if (!(badEvery > 0 && i % badEvery === badEvery - 1)) ids.push(`w-${start + i}`);
  return ids.sort();
}

/** The final `{type: 'report', runId, report}` line of `tail --json` output taken whole (runCli). */
export function tailReportLine(stdout: string): { runId: string; report: Record<string, any> } {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((l) => l.type === 'report');
}
