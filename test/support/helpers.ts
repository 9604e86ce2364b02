/** Shared test plumbing: temp dirs, the built CLI as a child process, SQL over a data directory from another process, an in-process store. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { openStore, type Store } from '../../src/store/open.js';
import type { Params, Query } from '../../src/store/sql.js';

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
 * The environment for a child process: CLICKHOUSE_URL and METERSCOPE_DATA_DIR are removed unless
 * passed in `extra`, so tests never reach a server or a shared store by accident.
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CLICKHOUSE_URL: '', METERSCOPE_DATA_DIR: '', ...extra };
  for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
  return env;
}

/** Runs the built CLI (npm test builds dist/ first). `stdin` is piped when given, else /dev/null. */
export function runCli(args: string[], opts: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
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

/**
 * Runs queries against a data directory in one separate process (chDB allows one process per data
 * directory and one directory per process; so after the CLI using it has exited), in order; one
 * result set per query. Several queries per process: each start costs a Node start and an engine.
 */
export function sqlBatch(dataDir: string, queries: Query[]): Promise<Record<string, any>[][]> {
  const code = `
    const { openStore } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'store', 'open.js'))});
    const s = await openStore({ dataDir: process.argv[1] });
    const out = [];
    for (const q of JSON.parse(process.argv[2])) out.push(await s.select(q.sql, q.params));
    process.stdout.write(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, dataDir, JSON.stringify(queries)], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sql failed: ${err}`))));
  });
}

/** One query through `sqlBatch`. */
export async function sqlRows<T = Record<string, any>>(dataDir: string, sql: string, params: Params = {}): Promise<T[]> {
  const [rows] = await sqlBatch(dataDir, [{ sql, params }]);
  return rows as T[];
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
