/**
 * Loads sources into `events` / `rejects` for one run. In embedded mode a local file is read by
 * the engine itself (file() table function, parallel, no bytes through Node); otherwise the lines
 * are streamed into a staging table and parsed there by the same SQL, so both give the same rows.
 */
import os from 'node:os';
import type { Readable } from 'node:stream';
import type { Settings, Store } from '../store/store.js';
import { UserError, firstLine } from '../errors.js';
import type { FieldMapping, FormatName } from './formats.js';
import { chooseParser } from './detect.js';
import { autoDecompress, openBytes, readSample, type Source } from './source.js';
import { StagingTable } from './staging.js';
import { Spool, remove as removeSpooled } from './spool.js';
import { LineToTsv } from './line-splitter.js';
import { SqlParams } from '../store/sql.js';
import { buildIngestQuery, type ParserChoice } from './sql/normalize.js';

export interface LoadOptions {
  format?: FormatName;
  mapping: FieldMapping;
  /** Called with bytes read so far for streamed sources (progress bars). */
  onProgress?: (source: Source, bytes: number) => void;
  /** Where stdin comes from (tests pass their own stream). */
  stdin?: Readable;
  /**
   * Leave background merges of `events` paused after the load (embedded store only), so the queries
   * that follow get both cores; the caller then calls resumeEventMerges(store) when done.
   */
  keepMergesPaused?: boolean;
  /** Stops reading a streamed source when aborted (Ctrl-C); the load then throws the signal's reason. */
  signal?: AbortSignal;
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
  await pauseEventMerges(store);
  try {
    for (const src of sources) {
      opts.signal?.throwIfAborted();
      out.push(await loadSource(store, runId, src, opts));
    }
  } finally {
    if (!opts.keepMergesPaused) await resumeEventMerges(store);
  }
  return out;
}

/**
 * Every insert block becomes a part of `events`, and background merges rewrite those parts while the
 * parser needs both cores: on 5M lines merges during the load cost ~20 % more CPU and ~200 MB of RSS.
 * The embedded engine is ours alone, so merges wait until the load is done (they resume right after
 * unless the caller asked otherwise, so parts never pile up). A shared server is left alone.
 */
async function pauseEventMerges(store: Store): Promise<void> {
  if (store.capabilities.pausesMerges) await store.pauseMerges('events');
}

/** Lets background merges of `events` run again (a no-op on a server, where they were never paused). */
export async function resumeEventMerges(store: Store): Promise<void> {
  if (store.capabilities.pausesMerges) await store.resumeMerges('events');
}

async function loadSource(store: Store, runId: string, src: Source, opts: LoadOptions): Promise<SourceLoad> {
  const started = Date.now();
  let choice: ParserChoice;
  if (src.kind === 'file' && store.capabilities.readsLocalFiles) {
    choice = chooseParser(await readSample(src), opts.format, opts.mapping, src.name);
    await loadFileDirect(store, runId, src, choice);
  } else {
    const bytes = src.kind === 'file' ? openBytes(src) : autoDecompress(opts.stdin ?? process.stdin);
    const spool = Spool.of(store);
    choice = spool ? await loadSpooled(store, runId, src, spool, bytes, opts) : await loadStreamed(store, runId, src, bytes, opts);
  }
  const counts = await countLoaded(store, runId, src.name);
  const row = { source: src.name, format: choice.format, ...counts, seconds: (Date.now() - started) / 1000 };
  await store.insertRows('run_sources', [{ run_id: runId, source: src.name, format: choice.format, lines: counts.lines, events: counts.events, rejects: counts.rejects }]);
  return row;
}

async function loadFileDirect(store: Store, runId: string, src: Source, choice: ParserChoice): Promise<void> {
  const params = new SqlParams();
  const compression = src.compression === 'none' ? 'none' : src.compression === 'gzip' ? 'gzip' : 'zstd';
  const rel = `SELECT ${params.add(src.name)} AS source, toUInt64(_row_number + 1) AS line, l AS raw
    FROM file(${params.add(src.path)}, 'LineAsString', 'l String', '${compression}')`;
  await runIngest(store, buildIngestQuery(runId, choice, rel, params), params, src.name, FILE_READ_SETTINGS);
}

/**
 * chDB maps files into memory by default (storage_file_read_method = mmap): every page read stays in
 * the process's RSS, so RSS grew with the file (a 1.2 GB file: 1.5 GB RSS). pread reads through a
 * small buffer at the same speed. The line reader cuts the file into chunks for its parallel
 * parsing (10 MiB each by default); 4 MiB chunks kept 5M-line loads at 936 instead of 960-995 MiB
 * peak RSS at the same speed (2 MiB: ~880 MiB but 2-3 % slower).
 */
export const FILE_READ_SETTINGS: Settings = {
  storage_file_read_method: 'pread',
  min_chunk_bytes_for_parallel_parsing: String(4 << 20),
};

/**
 * Stdin into an engine that reads files: the bytes are copied to a scratch file and loaded by the
 * file path itself (same SQL, same parallel reader), so stdin costs one copy more than a file.
 */
async function loadSpooled(store: Store, runId: string, src: Source, spool: Spool, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  const file = await readInto(src, bytes, opts, () => spool.drain(bytes, (n) => opts.onProgress?.(src, n)));
  try {
    const spooled: Source = { ...src, kind: 'file', path: file, compression: 'none' };
    const choice = chooseParser(await readSample(spooled), opts.format, opts.mapping, src.name === '-' ? 'stdin' : src.name);
    await loadFileDirect(store, runId, spooled, choice);
    return choice;
  } finally {
    await removeSpooled(file);
  }
}

/** Runs `read` over a streamed source: Ctrl-C stops the stream, a read failure becomes one sentence. */
async function readInto<T>(src: Source, bytes: Readable, opts: LoadOptions, read: () => Promise<T>): Promise<T> {
  const stop = () => {
    bytes.destroy(opts.signal?.reason as Error);
    // A decompressing wrapper waits for stdin's next chunk before it ends: let go of stdin itself.
    if (src.kind === 'stdin') (opts.stdin ?? process.stdin).destroy();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop(); // aborted before we listened
  try {
    return await read();
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new UserError(`${src.name === '-' ? 'stdin' : src.name}: reading failed (${firstLine((e as Error).message)})`);
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** Streams lines into a staging table, detects the format from its head, parses with the same SQL as the direct path. */
async function loadStreamed(store: Store, runId: string, src: Source, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  const staging = await StagingTable.create(store);
  try {
    const tsv = new LineToTsv();
    bytes.on('error', (e) => tsv.destroy(e));
    await readInto(src, bytes, opts, () => staging.fill(bytes.pipe(tsv), () => opts.onProgress?.(src, tsv.bytes)));
    const choice = chooseParser(await staging.head(), opts.format, opts.mapping, src.name === '-' ? 'stdin' : src.name);
    const params = new SqlParams();
    const rel = `SELECT ${params.add(src.name)} AS source, line, raw FROM ${staging.name}`;
    await runIngest(store, buildIngestQuery(runId, choice, rel, params), params, src.name);
    return choice;
  } finally {
    await staging.drop();
  }
}

/**
 * Measured on this 2-core box (bench/RESULTS.md):
 * - Smaller insert blocks than the defaults (1M rows / 256 MiB): the pipeline fans out through two
 *   materialized views, and huge squashed blocks cost memory (2M lines: 7.7 s -> 3.0 s).
 * - The Null table does not take parallel inserts, so the views (sort, compress, write events) ran
 *   in one thread while the parser used all cores; max_insert_threads with parallel_view_processing
 *   gives each core its own chain (1M lines: 3.4 s -> 1.9 s of wall time, same CPU).
 * - Parser blocks of 16k rows instead of 64k: the expression chain holds a dozen columns per block;
 *   peak RSS on 5M lines 1.24 -> 0.99 GB, on 20M 0.94 GB, at the same CPU time.
 */
export const INGEST_SETTINGS: Settings = {
  min_insert_block_size_rows: '100000',
  min_insert_block_size_bytes: String(64 << 20),
  min_insert_block_size_rows_for_materialized_views: '100000',
  min_insert_block_size_bytes_for_materialized_views: String(64 << 20),
  max_insert_threads: String(Math.max(2, os.availableParallelism())),
  parallel_view_processing: 1,
  max_block_size: '16384',
};

async function runIngest(store: Store, query: string, params: SqlParams, name: string, extra: Settings = {}): Promise<void> {
  try {
    await store.exec(query, params.values, { ...INGEST_SETTINGS, ...extra });
  } catch (e) {
    const msg = firstLine((e as Error).message ?? String(e));
    if (/Cannot (read|open)|decompress|zstd|gzip|inflate/i.test(msg)) throw new UserError(`${name}: cannot be read (${msg})`);
    throw e;
  }
}

async function countLoaded(store: Store, runId: string, source: string): Promise<{ events: number; rejects: number; lines: number }> {
  const [r] = await store.select<{ events: string; rejects: string; lines: string }>(`SELECT
        (SELECT count() FROM events WHERE run_id = {run:String} AND source = {src:String}) AS events,
        (SELECT count() FROM rejects WHERE run_id = {run:String} AND source = {src:String}) AS rejects,
        greatest((SELECT max(line) FROM events WHERE run_id = {run:String} AND source = {src:String}),
                 (SELECT max(line) FROM rejects WHERE run_id = {run:String} AND source = {src:String})) AS lines`, { run: runId, src: source });
  return { events: Number(r.events), rejects: Number(r.rejects), lines: Number(r.lines) };
}

