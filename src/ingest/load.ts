/**
 * Loads sources into `events` / `rejects` for one run. In embedded mode a local file is read by
 * the engine itself (file() table function, parallel, no bytes through Node); otherwise the lines
 * are streamed into a staging table and parsed there by the same SQL, so both give the same rows.
 */
import type { Readable } from 'node:stream';
import type { Store } from '../store/client.js';
import { UserError, firstLine } from '../errors.js';
import type { FieldMapping, FormatName } from './formats.js';
import { chooseParser } from './detect.js';
import { autoDecompress, openBytes, readSample, type Source } from './source.js';
import { StagingTable } from './staging.js';
import { insertRows } from '../store/insert.js';
import { LineToTsv } from './line-splitter.js';
import { SqlParams } from './sql/params.js';
import { buildIngestQuery, type ParserChoice } from './sql/normalize.js';

export interface LoadOptions {
  format?: FormatName;
  mapping: FieldMapping;
  /** Called with bytes read so far for streamed sources (progress bars). */
  onProgress?: (source: Source, bytes: number) => void;
  /** Where stdin comes from (tests pass their own stream). */
  stdin?: Readable;
}

export interface SourceLoad {
  source: string;
  format: FormatName;
  events: number;
  rejects: number;
  lines: number;
  seconds: number;
}

export async function loadSources(store: Store, runId: string, sources: Source[], opts: LoadOptions): Promise<SourceLoad[]> {
  const out: SourceLoad[] = [];
  for (const src of sources) out.push(await loadSource(store, runId, src, opts));
  return out;
}

export async function loadSource(store: Store, runId: string, src: Source, opts: LoadOptions): Promise<SourceLoad> {
  const started = Date.now();
  let choice: ParserChoice;
  if (src.kind === 'file' && store.readsLocalFiles) {
    choice = chooseParser(await readSample(src), opts.format, opts.mapping, src.name);
    await loadFileDirect(store, runId, src, choice);
  } else {
    const bytes = src.kind === 'file' ? openBytes(src) : autoDecompress(opts.stdin ?? process.stdin);
    choice = await loadStreamed(store, runId, src, bytes, opts);
  }
  const counts = await countLoaded(store, runId, src.name);
  const row = { source: src.name, format: choice.format, ...counts, seconds: (Date.now() - started) / 1000 };
  await insertRows(store.client, 'run_sources', [{ run_id: runId, source: src.name, format: choice.format, lines: counts.lines, events: counts.events, rejects: counts.rejects }]);
  return row;
}

async function loadFileDirect(store: Store, runId: string, src: Source, choice: ParserChoice): Promise<void> {
  const params = new SqlParams();
  const compression = src.compression === 'none' ? 'none' : src.compression === 'gzip' ? 'gzip' : 'zstd';
  const rel = `SELECT ${params.add(src.name)} AS source, toUInt64(_row_number + 1) AS line,
      if(endsWith(l, '\\r'), substring(l, 1, length(l) - 1), l) AS raw
    FROM file(${params.add(src.path)}, 'LineAsString', 'l String', '${compression}')
    WHERE notEmpty(trimBoth(raw))`;
  await runIngest(store, buildIngestQuery(runId, choice, rel, params), params, src.name);
}

/** Streams lines into a staging table, detects the format from its head, parses with the same SQL as the direct path. */
async function loadStreamed(store: Store, runId: string, src: Source, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  const staging = await StagingTable.create(store);
  try {
    const tsv = new LineToTsv();
    bytes.on('error', (e) => tsv.destroy(e));
    try {
      await staging.fill(bytes.pipe(tsv), () => opts.onProgress?.(src, tsv.bytes));
    } catch (e) {
      throw new UserError(`${src.name === '-' ? 'stdin' : src.name}: reading failed (${firstLine((e as Error).message)})`);
    }
    const choice = chooseParser(await staging.head(), opts.format, opts.mapping, src.name === '-' ? 'stdin' : src.name);
    const params = new SqlParams();
    const rel = `SELECT ${params.add(src.name)} AS source, line, raw FROM ${staging.name} WHERE notEmpty(trimBoth(raw))`;
    await runIngest(store, buildIngestQuery(runId, choice, rel, params), params, src.name);
    return choice;
  } finally {
    await staging.drop();
  }
}

/**
 * Smaller insert blocks than the defaults (1M rows / 256 MiB): the ingest pipeline fans out
 * through two materialized views, and huge squashed blocks cost memory and serialize the work.
 * Measured on 2M Stripe JSON lines: 7.7 s -> 3.0 s (see bench/RESULTS.md).
 */
const INGEST_SETTINGS = {
  min_insert_block_size_rows: '100000',
  min_insert_block_size_bytes: String(64 << 20),
  min_insert_block_size_rows_for_materialized_views: '100000',
  min_insert_block_size_bytes_for_materialized_views: String(64 << 20),
};

export async function runIngest(store: Store, query: string, params: SqlParams, name: string): Promise<void> {
  try {
    await store.client.command({ query, query_params: params.values, clickhouse_settings: INGEST_SETTINGS });
  } catch (e) {
    const msg = firstLine((e as Error).message ?? String(e));
    if (/Cannot (read|open)|decompress|zstd|gzip|inflate/i.test(msg)) throw new UserError(`${name}: cannot be read (${msg})`);
    throw e;
  }
}

async function countLoaded(store: Store, runId: string, source: string): Promise<{ events: number; rejects: number; lines: number }> {
  const rs = await store.client.query({
    query: `SELECT
        (SELECT count() FROM events WHERE run_id = {run:String} AND source = {src:String}) AS events,
        (SELECT count() FROM rejects WHERE run_id = {run:String} AND source = {src:String}) AS rejects,
        greatest((SELECT max(line) FROM events WHERE run_id = {run:String} AND source = {src:String}),
                 (SELECT max(line) FROM rejects WHERE run_id = {run:String} AND source = {src:String})) AS lines`,
    query_params: { run: runId, src: source },
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ events: string; rejects: string; lines: string }>();
  return { events: Number(r.events), rejects: Number(r.rejects), lines: Number(r.lines) };
}

