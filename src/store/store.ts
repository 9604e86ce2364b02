/**
 * The store seam: the one interface every module above `src/store/` talks to. Implementations
 * (embedded chDB, a ClickHouse server) live beside it; `openStore` picks one. Nothing outside this
 * folder knows which engine it has: it asks `capabilities` what the engine can do.
 */
import type { Readable } from 'node:stream';
import type { Params, Query } from './sql.js';
import type { Layout } from './layout.js';

/** ClickHouse settings for one statement (values as the engine takes them). */
export type Settings = Record<string, string | number | boolean>;

export interface Capabilities {
  /** The engine runs in this process and reads local paths with file(). */
  readsLocalFiles: boolean;
  /** Background merges can be paused while loading (the engine is ours alone). */
  pausesMerges: boolean;
  /**
   * The engine reads object storage itself with s3() (S3, GCS, MinIO): such inputs are loaded by one
   * INSERT … SELECT it runs, no byte passing through this process.
   */
  readsObjectStorage: boolean;
  /** The engine fetches http(s) URLs itself with url(). */
  readsUrls: boolean;
  /**
   * The tables are sharded across a ClickHouse cluster (`--cluster`): `events` and `rejects` are
   * Distributed tables. Queries need no change for it (see docs/architecture.md, "Cluster mode").
   */
  isCluster: boolean;
}

export interface SelectOptions {
  settings?: Settings;
  /** Rows as arrays in column order (cheaper to parse for wide pages) instead of objects. */
  compact?: boolean;
}

export interface Store {
  /** A description safe to print: never contains a password. */
  readonly label: string;
  readonly capabilities: Capabilities;
  /**
   * Where the tables live (one node or a cluster): for the store's own modules that write DDL or
   * delete rows (migrations, run-rows, run-removal). Code above the store does not use it.
   */
  readonly layout: Layout;
  /**
   * A directory on this machine the engine reads files from with file() (embedded only): streamed
   * bytes are handed over as files there, read natively instead of through query text. Emptied
   * when the store opens (what a killed process left).
   */
  readonly scratchDir?: string;
  /** Runs a SELECT; 64-bit integers arrive as strings (convert with num()). */
  select<T>(query: string | Query, params?: Params, opts?: SelectOptions): Promise<T[]>;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, DELETE). */
  exec(query: string | Query, params?: Params, settings?: Settings): Promise<void>;
  /** Inserts plain-object rows into `table` (a trusted identifier); absent columns take their defaults. */
  insertRows(table: string, rows: Record<string, unknown>[]): Promise<void>;
  /** Inserts rows already encoded as TabSeparated text with the given column list (e.g. 'line UInt64, raw String'). */
  insertTsv(table: string, columns: string, tsv: string): Promise<void>;
  /**
   * Inserts TabSeparated rows read from a stream (as insertTsv) and resolves once all are stored: a
   * server gets one request whose body is sent while the stream is still read, the embedded engine
   * takes them in batches. A failed stream fails the insert with the stream's error.
   */
  insertTsvStream(table: string, columns: string, rows: Readable): Promise<void>;
  /** Runs a query and streams its raw output bytes in `format` (e.g. RawBLOB). */
  stream(query: string | Query, format: string, settings?: Settings): Promise<Readable>;
  /**
   * Runs one statement exactly as a user wrote it (`meterscope sql`) and streams its output, in the
   * statement's own FORMAT clause or else in `format`. Nothing is appended to the text, so whatever
   * the engine accepts runs (INSERT … VALUES, DDL, SYSTEM, SHOW).
   */
  runStatement(sql: string, format: string, settings?: Settings): Promise<Readable>;
  /** Bytes the store takes on disk now: the data directory (embedded), the database's parts, outdated ones included (server). */
  diskBytes(): Promise<number>;
  /**
   * Frees now the disk space of the parts that deletes and merges replaced (outdated parts), where
   * the engine is ours alone; a server frees them itself in the background (old_parts_lifetime).
   * True when the space was freed now.
   */
  reclaimSpace(): Promise<boolean>;
  /** Stops background merges of `table` while a load runs (a no-op where `pausesMerges` is false). */
  pauseMerges(table: string): Promise<void>;
  resumeMerges(table: string): Promise<void>;
  /**
   * Cancels the statements still running (Ctrl-C): a server is told to KILL them, since closing the
   * connection does not stop a query; in-process engines stop with the process.
   */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
}
