/**
 * Where the load phase's time goes, for one file: reading the lines, parsing them (the real ingest
 * SQL into a Null sink: nothing stored), and the real load (loadSources: parse + events/rejects).
 * CPU time is reported next to wall time because the machine is shared: CPU seconds are what an
 * optimisation changes, wall time also shows how well the work spreads over the cores.
 *
 *   npx tsx bench/ingest-cost.ts bench/data/stripe-1M.jsonl [--threads 1]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Settings } from '../src/store/store.js';
import { openStore } from '../src/store/open.js';
import { resolveSources } from '../src/ingest/source.js';
import { FILE_READ_SETTINGS, INGEST_SETTINGS } from '../src/ingest/ingest-settings.js';
import { loadSources } from '../src/ingest/load.js';
import { chooseParser } from '../src/ingest/detect.js';
import { readSample } from '../src/ingest/source.js';
import { SqlParams } from '../src/store/sql.js';
import { buildIngestQuery } from '../src/ingest/sql/normalize.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { threads: { type: 'string' } } });
const file = path.resolve(positionals[0] ?? '');
if (!fs.existsSync(file)) throw new Error('usage: ingest-cost.ts <file> [--threads n]');
const threads: Settings = values.threads ? { max_threads: Number(values.threads) } : {};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-ingest-cost-'));
try {
  const store = await openStore({ dataDir: dir });
  const c = store;
  const timed = async (name: string, run: () => Promise<unknown>) => {
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    await run();
    const u = process.cpuUsage(cpu);
    console.log(`${name.padEnd(34)} ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)} s wall  ${((u.user + u.system) / 1e6).toFixed(2)} s CPU`);
  };
  const [src] = await resolveSources([file]);
  const choice = chooseParser(await readSample(src), undefined, DEFAULT_MAPPING, src.name);
  // The load's own settings, so the parse-only line differs from the load by the writing alone.
  const settings: Settings = { ...INGEST_SETTINGS, ...FILE_READ_SETTINGS, ...threads };

  await timed('read lines (file(), LineAsString)', () =>
    c.exec(`SELECT sum(length(l)) FROM file({f:String}, 'LineAsString', 'l String') FORMAT Null`, { f: file }, settings),
  );

  await c.exec(`CREATE TABLE parse_only AS ingest_rows ENGINE = Null`);
  const params = new SqlParams();
  const rel = `SELECT ${params.add(src.name)} AS source, toUInt64(_row_number + 1) AS line, l AS raw
    FROM file(${params.add(file)}, 'LineAsString', 'l String')`;
  const parse = buildIngestQuery('cost', choice, rel, params).replace('INSERT INTO ingest_rows', 'INSERT INTO parse_only');
  await timed(`parse ${choice.format} (Null sink)`, () => c.exec(parse, params.values, settings));

  // --threads applies to the load too (through the session's default), for a like-for-like line.
  if (values.threads) await c.exec(`SET max_threads = ${Number(values.threads)}`);
  await timed('load (parse + write events)', () => loadSources(store, 'cost', [src], { mapping: DEFAULT_MAPPING }));
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
}
process.exit(0);
