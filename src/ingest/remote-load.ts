/**
 * Loads object-storage and URL inputs (remote-source.ts) into `events` / `rejects`. The engine lists
 * the objects, reads the head of the first to tell its compression and format, then reads them all
 * in one INSERT … SELECT through the same parse SQL as a local file's: each row's `source` is its
 * object (`s3://bucket/key`) and `line` its line within that object, numbered as file() numbers a
 * local file's. On a server, no byte of the input passes through this process.
 */
import type { Store } from '../store/store.js';
import { SqlParams } from '../store/sql.js';
import { UserError, firstLine } from '../errors.js';
import type { FieldMapping, FormatName } from './formats.js';
import { SAMPLE_BYTES, chooseParser, sampleShape } from './detect.js';
import { compressionOf, type Source } from './source.js';
import { MAX_LINE_BYTES, tooLongLineSql } from './long-lines.js';
import { buildIngestQuery, customerFieldOf, type ParserChoice } from './sql/normalize.js';
import { INGEST_SETTINGS } from './ingest-settings.js';
import { loadedCounts } from './loaded-counts.js';
import type { SourceLoad } from './load.js';
import { exactUrl, objectName, objectNameSql, tableFunction, type ObjectStorageAccess, type RemoteInput, type TableRead } from './remote-source.js';

export interface RemoteLoadOptions {
  format?: FormatName;
  mapping: FieldMapping;
  objectStorage?: ObjectStorageAccess;
}

/** The engine cuts objects into chunks for parallel parsing: 4 MiB as for local files (load.ts). */
const READ_SETTINGS = { min_chunk_bytes_for_parallel_parsing: String(4 << 20) };
/** Extensions the engine decompresses by itself ('auto'); other compressed objects are named to it. */
const COMPRESSED_NAME = /\.(gz|gzip|zst|zstd|br|xz|lzma|bz2|lz4|deflate|z|snappy|sz)$/i;

/**
 * Remote inputs as named -> one source per object the engine lists (sorted by key), others as they
 * are. A pattern that matches nothing, or an object that does not exist, is one sentence.
 */
export async function listRemoteSources(store: Store, sources: Source[], access: ObjectStorageAccess = {}): Promise<Source[]> {
  const out: Source[] = [];
  for (const src of sources) {
    if (src.kind !== 'remote' || !src.remote || src.remote.path !== undefined) {
      out.push(src);
      continue;
    }
    const { input } = src.remote;
    checkCapability(store, input);
    const params = new SqlParams();
    const listed = await remoteStep(input, () =>
      store.select<{ path: string; size: string | null }>(
        `SELECT _path AS path, _size AS size FROM ${tableFunction(input, access, params, { format: 'One' })} ORDER BY path`,
        params.values,
      ),
    );
    if (listed.length === 0) throw new UserError(`${input.display}: no object matches this ${input.pattern ? 'pattern' : 'name'}`);
    for (const { path, size } of listed) {
      const obj = { input, path, ...(size === null ? {} : { size: Number(size) }) };
      out.push({ name: objectName(obj), kind: 'remote', compression: 'none', remote: obj });
    }
  }
  return out;
}

/** The listed objects of the remote input at `sources[i]` (they follow each other). */
export function objectsOfInput(sources: Source[], i: number): Source[] {
  const input = sources[i].remote?.input;
  let end = i;
  while (end < sources.length && sources[end].remote?.input === input) end++;
  return sources.slice(i, end);
}

function checkCapability(store: Store, input: RemoteInput): void {
  const ok = input.engine === 's3' ? store.capabilities.readsObjectStorage : store.capabilities.readsUrls;
  if (!ok) throw new UserError(`${input.display}: ${store.label} cannot read ${input.engine === 's3' ? 'object storage' : 'URLs'} itself; download the file first`);
}

/**
 * Loads the listed objects of one remote input (consecutive sources sharing it) and returns one
 * load per object, in their order. Lines go in one statement over the whole input; CSV, whose
 * records may span lines, and the objects of a url() pattern go one statement per object.
 */
export async function loadRemote(store: Store, runId: string, objects: Source[], opts: RemoteLoadOptions): Promise<SourceLoad[]> {
  const input = objects[0].remote!.input;
  const access = opts.objectStorage ?? {};
  const started = Date.now();
  // Detection reads the first object that has bytes (an empty first part tells nothing).
  const head = objects.find((o) => o.remote!.size !== 0) ?? objects[0];
  const first = head.remote!.path!;
  const compression = await compressionFor(store, input, access, first);
  const sample = await headSample(store, input, access, first, compression);
  if (opts.format !== 'csv' && opts.format !== 'stripe-v1-form' && sampleShape(sample) === 'document') {
    throw new UserError(`${head.name}: whole-file JSON is read from local files only; export JSON lines, or download it first`);
  }
  const choice = chooseParser(sample, opts.format, opts.mapping, head.name);
  // CSV records may span lines (parsed per object); url() tells compression by the whole URL it reads.
  if (choice.format === 'csv' || input.engine === 'url') for (const o of objects) await ingest(store, runId, input, access, choice, compression, o.remote!.path);
  else
    await ingest(
      store,
      runId,
      input,
      access,
      choice,
      compression,
      undefined,
      objects.map((o) => o.remote!.path!),
    );
  const counts = await loadedCounts(
    store,
    runId,
    objects.map((o) => o.name),
  );
  const seconds = (Date.now() - started) / 1000;
  const customerField = customerFieldOf(choice);
  const rows = objects.map((o) => ({ source: o.name, format: choice.format, ...counts.get(o.name)! }));
  const totalLines = rows.reduce((n, r) => n + r.lines, 0);
  await store.insertRows(
    'run_sources',
    rows.map((r) => ({ run_id: runId, ...r })),
  );
  // One statement read them all: each object is given its share of its wall time, by lines.
  return rows.map((r) => ({ ...r, seconds: totalLines > 0 ? (seconds * r.lines) / totalLines : seconds / rows.length, ...(customerField ? { customerField } : {}) }));
}

/**
 * How the engine decompresses the input: by extension ('auto'), unless the first object's bytes
 * say gzip or zstd and its name does not (then every object is read so).
 */
async function compressionFor(store: Store, input: RemoteInput, access: ObjectStorageAccess, path: string): Promise<string> {
  if (COMPRESSED_NAME.test(path)) return 'auto';
  const head = await readHead(store, input, access, path, { format: 'LineAsString', structure: 'l String', compression: 'none' }, 'substring(l, 1, 4)', 1);
  const c = compressionOf(head);
  return c === 'none' ? 'auto' : c;
}

/** The first object's first lines as bytes (what detect.ts reads of a local file's start). */
async function headSample(store: Store, input: RemoteInput, access: ObjectStorageAccess, path: string, compression: string): Promise<Buffer> {
  const read = { format: 'LineAsString', structure: 'l String', compression };
  // A line longer than the sample is cut as a local file's sample cuts it.
  const head = await readHead(store, input, access, path, read, `concat(substring(l, 1, ${SAMPLE_BYTES}), '\\n')`, 200);
  return head.subarray(0, SAMPLE_BYTES);
}

/** `expr` over the first `limit` rows of one object, as raw bytes; reading stops at the limit. */
async function readHead(store: Store, input: RemoteInput, access: ObjectStorageAccess, path: string, read: TableRead, expr: string, limit: number): Promise<Buffer> {
  const params = new SqlParams();
  const sql = `SELECT ${expr} FROM ${oneOrAll(input, access, params, read, path)} LIMIT ${limit}`;
  return remoteStep(input, async () => {
    // One reader, no parallel parsing: the rows come in the object's order.
    const stream = await store.stream({ sql, params: params.values }, 'RawBLOB', { max_threads: 1, input_format_parallel_parsing: 0 });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  });
}

/** One INSERT … SELECT over the input (or over one object of it), through the shared parse SQL. */
async function ingest(
  store: Store,
  runId: string,
  input: RemoteInput,
  access: ObjectStorageAccess,
  choice: ParserChoice,
  compression: string,
  path?: string,
  paths?: string[],
): Promise<void> {
  const params = new SqlParams();
  const rel = `SELECT ${objectNameSql(input, params)} AS source, toUInt64(_row_number + 1) AS line,
        if(length(l) > ${MAX_LINE_BYTES}, ${tooLongLineSql('l')}, l) AS raw
      FROM ${oneOrAll(input, access, params, { format: 'LineAsString', structure: 'l String', compression, reader: (args) => store.layout.objectStorageRead(args) }, path, paths)}`;
  const query = buildIngestQuery(runId, choice, rel, params);
  await remoteStep(input, () => store.exec(query, params.values, { ...INGEST_SETTINGS, ...READ_SETTINGS }));
}

/**
 * The table function reading the listed objects of the input (`paths`: only those listed, so an
 * object written after the listing, or left out by object sampling, is not read), or only the
 * object at `path` (its own URL, or the pattern filtered by `_path`).
 */
function oneOrAll(input: RemoteInput, access: ObjectStorageAccess, params: SqlParams, read: TableRead, path?: string, paths?: string[]): string {
  if (path === undefined) return `${tableFunction(input, access, params, read)}${paths ? ` WHERE _path IN ${params.add(paths, 'Array(String)')}` : ''}`;
  const one = exactUrl(input, path);
  return one.pattern || one === input ? `${tableFunction(one, access, params, read)} WHERE _path = ${params.add(path)}` : tableFunction(one, access, params, read);
}

/** Engine errors about reaching or reading the input (its type, code or text), as opposed to our own SQL. */
const REMOTE_FAILURE =
  /S3_ERROR|RECEIVED_ERROR_FROM_REMOTE_IO_SERVER|NAMED_COLLECTION|NETWORK_ERROR|POCO_EXCEPTION|TIMEOUT|CANNOT_DECOMPRESS|S3 exception|HTTP|Connection refused|Cannot (read|open)|decompress|zstd|gzip|inflate|Code: (86|198|209|210|499|669|1000)\b/i;

/** Runs one step against the input; the engine's failure to reach or read it becomes one sentence. */
async function remoteStep<T>(input: RemoteInput, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as { message?: string; type?: string; code?: string };
    const msg = firstLine(err.message ?? String(e));
    if (!REMOTE_FAILURE.test(`${err.type ?? ''} ${err.code === undefined ? '' : `Code: ${err.code}`} ${msg}`)) throw e;
    throw new UserError(`${input.display}: ${reason(msg)}`);
  }
}

/** The engine's message in a few words (credentials are masked by the engine and the output's scrubber). */
function reason(msg: string): string {
  if (/NoSuchBucket/i.test(msg)) return 'no such bucket';
  if (/HTTP response code: 404|NoSuchKey|HTTP status code: 404/i.test(msg)) return 'no such object';
  if (/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|HTTP (response|status) code: 40[13]/i.test(msg)) {
    return `access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --s3-collection): ${msg.replace(/^.*?DB::Exception: /, '')}`;
  }
  return `cannot be read (${msg.replace(/^.*?DB::Exception: /, '')})`;
}
