/**
 * Benchmark datasets: Stripe meter-event exports (JSONL, the API object per line) written once by
 * `meterscope generate` (seeded: the same file every time) and cached by name under bench/data/.
 *
 * Shape: 7 days, 3 event names (60/30/10 %), ~5,000 customers (Zipf-skewed), payload dimensions
 * region (5), endpoint (24, 60 % of events), model (6, 30 %), tier (3, 10 %), user_id (~200k distinct,
 * 90 %), a string value; a daily cycle, 12 bursts of 5 s at N/20,000 events/s, 0.2 % re-sent events
 * (duplicate identifiers) and 3 % late (out of order by up to 30 s).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function generateArgs(n: number, out: string): string[] {
  return [
    'generate',
    '--quiet',
    '--out',
    out,
    '--seed',
    '1',
    '--events',
    String(n),
    '--duration',
    '7d',
    '--customers',
    '5000',
    '--event-names',
    'api_requests:6,llm_tokens:3,storage_gb_hours:1',
    '--property',
    'region:5:1',
    '--property',
    'endpoint:24:0.6',
    '--property',
    'model:6:0.3',
    '--property',
    'tier:3:0.1',
    '--property',
    'user_id:200000:0.9',
    '--value-range',
    '1:8000',
    '--peak-rate',
    String(Math.max(10, Math.round(n / 20_000))),
    '--bursts',
    '12',
    '--burst-seconds',
    '5',
    '--duplicate-rate',
    '0.002',
    '--late-rate',
    '0.03',
    '--late-max',
    '30s',
  ];
}

export const datasetPath = (dir: string, n: number) => path.join(dir, `stripe-${label(n)}.jsonl`);

export function label(n: number): string {
  return n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/** Writes the dataset once (cached by file name; needs the built CLI); returns its path. */
export async function ensureDataset(dir: string, n: number): Promise<string> {
  const file = datasetPath(dir, n);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-gen-'));
  try {
    const args = [path.join(ROOT, 'bin', 'meterscope.js'), ...generateArgs(n, tmp), '--data-dir', store];
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CLICKHOUSE_URL;
    let stderr = '';
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    if (code !== 0) throw new Error(`meterscope generate failed (${code}): ${stderr.trim()}`);
    fs.renameSync(tmp, file);
    return file;
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(store, { recursive: true, force: true });
  }
}
