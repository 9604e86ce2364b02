/**
 * Loads sources into `events` / `rejects` for one run. In embedded mode a local file of lines is read
 * by the engine itself (file() table function, parallel, no bytes through Node); otherwise the lines
 * are streamed into a staging table and parsed there by the same SQL, so both give the same rows.
 * Whole-file JSON is split into events in Node (json-records.ts) and staged the same way.
 */
import fs from 'node:fs';
import type { Readable, Transform } from 'node:stream';
import type { Settings, Store } from '../store/store.js';
import { UserError, firstLine } from '../errors.js';
import type { FieldMapping, FormatName } from './formats.js';
import { SAMPLE_BYTES, chooseParser, sampleShape } from './detect.js';
import { autoDecompress, openBytes, openForEngine, peekHead, readSample, stdinAsFile, type Source } from './source.js';
import { StagingTable } from './staging.js';
import { Spool, remove as removeSpooled } from './spool.js';
import { LineToTsv } from './line-splitter.js';
import { CapLongLines, MAX_LINE_BYTES, tooLongLineSql } from './long-lines.js';
import { JsonRecordsToTsv } from './json-records.js';
import { SqlParams } from '../store/sql.js';
import { buildIngestQuery, customerFieldOf, type ParserChoice } from './sql/normalize.js';
import { bytesPerLine, watchFileRead, type FileProgress } from './read-progress.js';
import { FILE_READ_SETTINGS, INGEST_SETTINGS } from './ingest-settings.js';
import { loadedCounts } from './loaded-counts.js';
import type { ObjectStorageAccess } from './remote-source.js';
import { listRemoteSources, loadRemote, objectsOfInput } from './remote-load.js';

export interface LoadOptions {
  format?: FormatName;
  mapping: FieldMapping;
  /**
   * Called with bytes read so far (progress lines); for local files also with the file's size and,
   * when uncompressed, its average bytes per line.
   */
  onProgress?: (source: Source, bytes: number, file?: FileProgress) => void;
  /** Where stdin comes from (tests pass their own stream). */
  stdin?: Readable;
  /**
   * Leave background merges of `events` paused after the load (embedded store only), so the queries
   * that follow get both cores; the caller then calls resumeEventMerges(store) when done.
   */
  keepMergesPaused?: boolean;
  /** Stops reading a streamed source when aborted (Ctrl-C); the load then throws the signal's reason. */
  signal?: AbortSignal;
  /** How the engine reaches s3:// and gs:// sources (remote-source.ts). */
  objectStorage?: ObjectStorageAccess;
  /** profile --sample by event: keep events whose hash % 10,000 is below this (see buildIngestQuery). */
  sampleBuckets?: number;
}

export interface SourceLoad {
  source: string;
  format: FormatName;
  events: number;
  rejects: number;
  lines: number;
  seconds: number;
  /** Generic JSON / CSV: the field the customer was read from (absent otherwise). */
  customerField?: string;
}

export async function loadSources(store: Store, runId: string, sources: Source[], opts: LoadOptions): Promise<SourceLoad[]> {
  const out: SourceLoad[] = [];
  await pauseEventMerges(store);
  try {
    const listed = await listRemoteSources(store, sources, opts.objectStorage);
    for (let i = 0; i < listed.length; i++) {
      opts.signal?.throwIfAborted();
      if (listed[i].kind !== 'remote') {
        out.push(await loadSource(store, runId, listed[i], opts));
        continue;
      }
      const objects = objectsOfInput(listed, i);
      out.push(...(await loadRemote(store, runId, objects, opts)));
      i += objects.length - 1;
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

async function loadSource(store: Store, runId: string, given: Source, opts: LoadOptions): Promise<SourceLoad> {
  const started = Date.now();
  // Stdin that is a redirected file is read by the engine like any file (still named '-').
  const redirected = given.kind === 'stdin' && !opts.stdin && store.capabilities.readsLocalFiles ? stdinAsFile() : undefined;
  const src: Source = redirected ? { ...given, kind: 'file', ...redirected } : given;
  const choice =
    src.kind === 'file' && store.capabilities.readsLocalFiles
      ? await loadLocalFile(store, runId, src, opts)
      : await loadStream(store, runId, src, src.kind === 'stdin' ? autoDecompress(opts.stdin ?? process.stdin) : openBytes(src), opts);
  const counts = (await loadedCounts(store, runId, [src.name])).get(src.name)!;
  const customerField = customerFieldOf(choice);
  const row = { source: src.name, format: choice.format, ...counts, seconds: (Date.now() - started) / 1000, ...(customerField ? { customerField } : {}) };
  await store.insertRows('run_sources', [
    { run_id: runId, source: src.name, format: choice.format, lines: counts.lines, events: counts.events, rejects: counts.rejects },
  ]);
  return row;
}

/** A file the engine can read itself: lines go through file(); whole-file JSON is split in Node. */
async function loadLocalFile(store: Store, runId: string, src: Source, opts: LoadOptions): Promise<ParserChoice> {
  const sample = await readSample(src, SAMPLE_BYTES);
  if (isDocument(sample, opts.format)) return loadDocument(store, runId, src, sample, openBytes(src), opts);
  const choice = chooseParser(sample, opts.format, opts.mapping, src.name);
  const file = { total: fs.statSync(src.path!).size, perLine: src.compression === 'none' ? bytesPerLine(sample) : undefined };
  const stop = opts.onProgress ? watchFileRead(file, (b, p) => opts.onProgress!(src, b, p)) : () => {};
  try {
    await loadFileDirect(store, runId, src, choice, opts.sampleBuckets);
  } finally {
    stop();
  }
  return choice;
}

/** Input read once (stdin, a pipe, or any file for a server): its head tells lines from whole-file JSON. */
async function loadStream(store: Store, runId: string, src: Source, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  // A decompressing wrapper waits for stdin's next chunk before it ends: Ctrl-C lets go of stdin itself.
  const releaseStdin = src.kind === 'stdin' ? stopOnAbort(opts.stdin ?? process.stdin, opts.signal) : () => {};
  try {
    return await loadStreamInput(store, runId, src, bytes, opts);
  } finally {
    releaseStdin();
  }
}

async function loadStreamInput(store: Store, runId: string, src: Source, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  let peeked: { head: Buffer; stream: Readable };
  const stop = stopOnAbort(bytes, opts.signal);
  try {
    peeked = await peekHead(bytes, SAMPLE_BYTES);
  } catch (e) {
    throw readingFailed(src, e, opts.signal);
  } finally {
    stop();
  }
  if (isDocument(peeked.head, opts.format)) return loadDocument(store, runId, src, peeked.head, peeked.stream, opts);
  return loadStreamed(store, runId, src, peeked.stream, opts);
}

/** Whole-file JSON, unless the format given is one that is read line by line. */
function isDocument(sample: Buffer, forced: FormatName | undefined): boolean {
  return forced !== 'csv' && forced !== 'stripe-v1-form' && sampleShape(sample) === 'document';
}

const displayName = (src: Source) => (src.name === '-' ? 'stdin' : src.name);

/** What a failed read throws: the abort's reason after Ctrl-C, else one sentence. */
function readingFailed(src: Source, e: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new UserError(`${displayName(src)}: reading failed (${firstLine((e as Error).message)})`);
}

/** Destroys `input` when the signal aborts (a read then fails); returns the undo. */
function stopOnAbort(input: Readable, signal: AbortSignal | undefined): () => void {
  const stop = () => input.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop(); // aborted before we listened
  return () => signal?.removeEventListener('abort', stop);
}

async function loadFileDirect(store: Store, runId: string, src: Source, choice: ParserChoice, sampleBuckets?: number): Promise<void> {
  if (!src.path) throw new Error('a file source needs its path');
  const params = new SqlParams();
  const compression = src.compression === 'none' ? 'none' : src.compression === 'gzip' ? 'gzip' : 'zstd';
  const file = openForEngine(src.path);
  try {
    const rel = `SELECT ${params.add(src.name)} AS source, toUInt64(_row_number + 1) AS line,
        if(length(l) > ${MAX_LINE_BYTES}, ${tooLongLineSql('l')}, l) AS raw
      FROM file(${params.add(file.path)}, 'LineAsString', 'l String', '${compression}')`;
    await runIngest(store, buildIngestQuery(runId, choice, rel, params, sampleBuckets), params, src.name, FILE_READ_SETTINGS);
  } finally {
    file.close();
  }
}

/**
 * Stdin into an engine that reads files: the bytes are copied to a scratch file and loaded by the
 * file path itself (same SQL, same parallel reader), so stdin costs one copy more than a file.
 */
async function loadSpooled(store: Store, runId: string, src: Source, spool: Spool, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  // The engine reads the spooled file as it reads a user's file; long lines are marked on the way in.
  const capped = bytes.pipe(new CapLongLines());
  bytes.on('error', (e) => capped.destroy(e));
  const stop = stopOnAbort(bytes, opts.signal);
  let file: string;
  try {
    file = await spool.drain(capped, (n) => opts.onProgress?.(src, n));
  } catch (e) {
    throw readingFailed(src, e, opts.signal);
  } finally {
    stop();
  }
  try {
    const spooled: Source = { ...src, kind: 'file', path: file, compression: 'none' };
    const choice = chooseParser(await readSample(spooled, SAMPLE_BYTES), opts.format, opts.mapping, displayName(src));
    await loadFileDirect(store, runId, spooled, choice, opts.sampleBuckets);
    return choice;
  } finally {
    await removeSpooled(file);
  }
}

/** Runs `read` over a streamed source: Ctrl-C stops the stream, a read failure becomes one sentence. */

/** Streams lines into a staging table, detects the format from its head, parses with the same SQL as the direct path. */
async function loadStreamed(store: Store, runId: string, src: Source, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  const spool = Spool.of(store);
  if (spool) return loadSpooled(store, runId, src, spool, bytes, opts);
  const staging = await StagingTable.create(store);
  try {
    const tsv = new LineToTsv();
    await fillStaging(staging, src, bytes, [new CapLongLines(), tsv], () => tsv.bytes, opts);
    const choice = chooseParser(await staging.head(), opts.format, opts.mapping, displayName(src));
    const params = new SqlParams();
    const rel = `SELECT ${params.add(src.name)} AS source, line, raw FROM ${staging.name}`;
    await runIngest(store, buildIngestQuery(runId, choice, rel, params, opts.sampleBuckets), params, src.name);
    return choice;
  } finally {
    await staging.drop();
  }
}

/** Whole-file JSON: events split in Node (with their line and index), staged, parsed by the same SQL. */
async function loadDocument(store: Store, runId: string, src: Source, sample: Buffer, bytes: Readable, opts: LoadOptions): Promise<ParserChoice> {
  const choice: ParserChoice = { ...chooseParser(sample, opts.format, opts.mapping, displayName(src)), document: true };
  const staging = await StagingTable.create(store, true);
  try {
    const tsv = new JsonRecordsToTsv();
    await fillStaging(staging, src, bytes, [tsv], () => tsv.bytes, opts);
    const params = new SqlParams();
    const rel = `SELECT ${params.add(src.name)} AS source, line, seq, raw FROM ${staging.name}`;
    await runIngest(store, buildIngestQuery(runId, choice, rel, params, opts.sampleBuckets), params, src.name);
    return choice;
  } finally {
    await staging.drop();
  }
}

/** Pipes bytes through `steps` (the last one yielding TSV rows) into the staging table. */
async function fillStaging(staging: StagingTable, src: Source, bytes: Readable, steps: Transform[], read: () => number, opts: LoadOptions): Promise<void> {
  let out: Readable = bytes;
  for (const step of steps) {
    out.on('error', (e) => step.destroy(e));
    out = out.pipe(step);
  }
  const stop = stopOnAbort(bytes, opts.signal);
  try {
    await staging.fill(out, () => opts.onProgress?.(src, read()));
  } catch (e) {
    // A server's own failure (timeout, refused) is already one sentence naming the server.
    throw e instanceof UserError && !opts.signal?.aborted ? e : readingFailed(src, e, opts.signal);
  } finally {
    stop();
  }
}

async function runIngest(store: Store, query: string, params: SqlParams, name: string, extra: Settings = {}): Promise<void> {
  try {
    await store.exec(query, params.values, { ...INGEST_SETTINGS, ...extra });
  } catch (e) {
    const msg = firstLine((e as Error).message ?? String(e));
    if (/Cannot (read|open)|decompress|zstd|gzip|inflate/i.test(msg)) throw new UserError(`${name}: cannot be read (${msg})`);
    throw e;
  }
}
