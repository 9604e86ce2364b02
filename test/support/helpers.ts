/** Shared test plumbing: temp dirs, the built CLI as a child process, an in-process store. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { openStore, type Store } from '../../src/store/open.js';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'bin', 'meterscope.js');

export function tempDir(prefix = 'meterscope-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (npm test builds dist/ first). `stdin` is piped when given, else /dev/null.
 * Env CLICKHOUSE_URL is removed unless passed explicitly so tests never reach a server by accident.
 */
export function runCli(args: string[], opts: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CLICKHOUSE_URL: '', METERSCOPE_DATA_DIR: '', ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

let testStore: Promise<Store> | undefined;

/**
 * The embedded store of this test file: chDB is one engine per process and vitest forks a process
 * per file, so every call in a file returns the same store (use distinct run ids per test).
 */
export function openTestStore(): Promise<Store> {
  testStore ??= openStore({ dataDir: tempDir('meterscope-store-') });
  return testStore;
}

/** Runs a query and returns JSON rows (numbers from 64-bit ints come back as strings). */
export async function rows<T = Record<string, unknown>>(store: Store, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return store.select<T>(query, params);
}
