/**
 * The benchmarked systems: how to run each on a file in a fresh process and read its figures.
 * `floor-disk` is the floor's SQL with its tables on disk under meterscope's memory bounds
 * (bench/systems/floor.mjs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figuresFromReport, type Figures } from './figures.js';
import { measure, type Measurement } from './measure.js';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');

export const SYSTEM_NAMES = ['meterscope', 'floor', 'floor-disk', 'duckdb', 'naive'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export interface Run extends Measurement {
  figures: Figures;
}

const node = process.execPath;
const script = (name: string) => path.join(BENCH_DIR, 'systems', `${name}.mjs`);

/**
 * Runs one system once on `file`. meterscope gets a fresh embedded store, removed afterwards.
 * `memoryLimitBytes` caps the in-memory peers (floor: max_server_memory_usage, DuckDB: memory_limit), so one
 * that needs more fails cleanly instead of taking the machine down.
 */
export async function runSystem(name: SystemName, file: string, opts: { memoryLimitBytes?: number } = {}): Promise<Run> {
  const peerEnv: NodeJS.ProcessEnv = { ...process.env };
  if (opts.memoryLimitBytes) peerEnv.BENCH_MEMORY_LIMIT = String(opts.memoryLimitBytes);
  switch (name) {
    case 'meterscope': {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-store-'));
      try {
        // CLICKHOUSE_URL cleared: the embedded engine, never a configured server.
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.CLICKHOUSE_URL;
        delete env.METERSCOPE_DATA_DIR;
        const m = await measure(node, [path.join(ROOT, 'bin', 'meterscope.js'), 'profile', '--json', '--data-dir', dataDir, file], { cwd: ROOT, env });
        return { ...m, figures: figuresFromReport(JSON.parse(m.stdout)) };
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
    case 'naive': {
      // Enough heap for ~20M identifiers in Maps; the naive way simply needs it.
      const m = await measure(node, ['--max-old-space-size=16384', script('naive'), file], { cwd: ROOT });
      return { ...m, figures: JSON.parse(m.stdout) as Figures };
    }
    case 'floor-disk': {
      const m = await measure(node, [script('floor'), file], { cwd: ROOT, env: { ...peerEnv, BENCH_FLOOR_DISK: '1' } });
      return { ...m, figures: JSON.parse(m.stdout) as Figures };
    }
    default: {
      const m = await measure(node, [script(name), file], { cwd: ROOT, env: peerEnv });
      return { ...m, figures: JSON.parse(m.stdout) as Figures };
    }
  }
}
