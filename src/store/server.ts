/**
 * The server backend: a ClickHouse server over HTTP. It cannot read this machine's files (they are
 * streamed through inserts), and it may be shared, so merges are left alone.
 */
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { UserError, firstLine } from '../errors.js';
import { ClientStore } from './client-store.js';
import type { Capabilities } from './store.js';
import { SINGLE_NODE, clusterLayout, type Layout } from './layout.js';
import { CLUSTER_SETTINGS, clientSql, clusterDiskBytesQuery, clusterProblem, prepareCluster } from './cluster.js';

export interface ServerOptions {
  url: string;
  username?: string;
  password?: string;
  database: string;
  /** Seconds to wait for the server's first answer (the ping). */
  connectTimeoutS: number;
  /** Seconds a request may go without any byte from the server; long queries send progress every 10 s. */
  timeoutS: number;
  /** A cluster in the server's remote_servers: tables sharded across it (cluster.ts). */
  cluster?: string;
}

export class ServerStore extends ClientStore {
  readonly capabilities: Capabilities;

  private constructor(
    client: ClickHouseClient,
    readonly label: string,
    private readonly opts: ServerOptions,
    readonly layout: Layout,
  ) {
    super(client);
    this.capabilities = { readsLocalFiles: false, pausesMerges: false, readsObjectStorage: true, readsUrls: true, isCluster: layout.cluster !== undefined };
  }

  /** Failures of the connection (or of a shard) become one sentence naming the server; query errors pass through. */
  protected translate(err: unknown): unknown {
    const safe = redactUrl(this.opts.url);
    const sentence =
      connectionProblem(err, safe, this.opts, `${this.opts.timeoutS} s (--ch-timeout / CLICKHOUSE_TIMEOUT)`) ??
      (this.layout.cluster === undefined ? undefined : clusterProblem(err, this.layout.cluster, safe));
    return sentence ? new UserError(sentence) : err;
  }

  static async open(opts: ServerOptions): Promise<ServerStore> {
    const safe = checkUrl(opts.url);
    const { database } = opts;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new UserError(`database name "${database}" must be letters, digits and underscores`);
    const layout = opts.cluster === undefined ? SINGLE_NODE : clusterLayoutOf(opts.cluster, database);
    const base = {
      url: opts.url,
      username: opts.username ?? 'default',
      password: opts.password ?? '',
      // An idle timeout, not a total one: progress headers every 10 s keep long INSERT…SELECTs
      // alive (and stop idle proxies from cutting them); a server that stops answering is noticed.
      request_timeout: opts.timeoutS * 1000,
      clickhouse_settings: { send_progress_in_http_headers: 1 as const, http_headers_progress_interval_ms: '10000' },
      // The client logs request errors itself; ours are reported once, as a sentence.
      log: { level: ClickHouseLogLevel.OFF },
      compression: { request: compressRequests(opts.url) },
    };
    const admin = createClient({ ...base, request_timeout: opts.connectTimeoutS * 1000 });
    try {
      const ping = await admin.ping();
      if (!ping.success) throw ping.error;
      if (layout.cluster === undefined) await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    } catch (err) {
      throw new UserError(serverError(err, safe, opts, `${opts.connectTimeoutS} s (--ch-connect-timeout / CLICKHOUSE_CONNECT_TIMEOUT)`));
    } finally {
      await admin.close().catch(() => {});
    }
    if (layout.cluster !== undefined) await openCluster(base, layout.cluster, database, safe, opts);
    const settings = layout.cluster === undefined ? base.clickhouse_settings : { ...base.clickhouse_settings, ...CLUSTER_SETTINGS };
    const label =
      layout.cluster === undefined ? `ClickHouse server ${safe} database ${database}` : `ClickHouse cluster ${layout.cluster} via ${safe} database ${database}`;
    return new ServerStore(createClient({ ...base, database, clickhouse_settings: settings }), label, opts, layout);
  }

  /** On a cluster, the parts of every node. */
  async diskBytes(): Promise<number> {
    if (this.layout.cluster === undefined) return super.diskBytes();
    const [row] = await this.select<{ bytes: string }>(clusterDiskBytesQuery(this.layout.cluster, this.opts.database));
    return Number(row?.bytes ?? 0);
  }

  async cancelRunning(): Promise<void> {
    const ids = [...this.running];
    if (ids.length === 0) return;
    // A fresh request on another socket; ASYNC: do not wait for the queries to wind down.
    await this.client.command({ query: 'KILL QUERY WHERE query_id IN {ids:Array(String)} ASYNC', query_params: { ids } }).catch(() => {});
  }

  protected async writeRows(table: string, rows: Record<string, unknown>[]): Promise<void> {
    await this.guard(`INSERT INTO ${table}`, (query_id) => this.client.insert({ query_id, table, values: rows, format: 'JSONEachRow' }));
  }

  async insertTsv(table: string, columns: string, tsv: string): Promise<void> {
    if (tsv.length === 0) return;
    await this.insertTsvStream(table, columns, Readable.from([Buffer.from(tsv)], { objectMode: false }));
  }

  /**
   * One INSERT whose body is the stream itself: the next rows are read and split while the previous
   * ones travel and the server parses them (socket backpressure bounds what is in flight). Before,
   * 8 MiB batches each waited for the server, which left the client idle for half of a load.
   */
  async insertTsvStream(table: string, columns: string, rows: Readable): Promise<void> {
    const names = columns.split(',').map((c) => c.trim().split(/\s+/)[0]);
    let inputFailed: unknown;
    rows.on('error', (e) => (inputFailed ??= e));
    try {
      await this.guard(`INSERT INTO ${table}`, (query_id) =>
        this.client.insert({ query_id, table, columns: names as [string, ...string[]], values: rows, format: 'TabSeparated' }),
      );
    } catch (e) {
      // The server's refusal stops the reading; a failed input is reported as itself, not as the server's.
      rows.destroy();
      throw inputFailed ?? e;
    }
  }
}

/**
 * Request bodies (streamed lines: about as many bytes as the input) are gzipped at level 1 (JSON
 * lines shrink ~5x for ~2 client CPU s per 320 MB, on zlib's threads) except to this machine:
 * on loopback the bytes cost nothing to move and gzip only adds CPU on both sides
 * (bench/RESULTS.md, "Server mode").
 */
export function compressRequests(url: string): false | { codec: 'gzip'; level: number } {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  return loopback ? false : { codec: 'gzip', level: 1 };
}

/** The cluster's checks and its database, on a client with the statement timeout (ON CLUSTER DDL waits for every node). */
async function openCluster(base: Parameters<typeof createClient>[0], cluster: string, database: string, safe: string, opts: ServerOptions): Promise<void> {
  const client = createClient(base);
  try {
    await prepareCluster(clientSql(client), cluster, database, safe);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(clusterProblem(err, cluster, safe) ?? serverError(err, safe, opts, `${opts.timeoutS} s (--ch-timeout / CLICKHOUSE_TIMEOUT)`));
  } finally {
    await client.close().catch(() => {});
  }
}

function clusterLayoutOf(cluster: string, database: string): Layout {
  try {
    return clusterLayout(cluster, database);
  } catch (e) {
    throw new UserError(`--cluster / METERSCOPE_CLUSTER: ${(e as Error).message}`);
  }
}

/** The URL as it may be printed; a URL that is not http(s) is refused with the fix. */
function checkUrl(url: string): string {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    /* reported below */
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    const hint = /^[\w.-]+(:\d+)?(\/.*)?$/.test(url) ? `; use http://${url}` : ' (http://host:8123 or https://host:8443)';
    throw new UserError(`--clickhouse / CLICKHOUSE_URL must be an http:// or https:// URL${hint}`);
  }
  return redactUrl(url);
}

/** One sentence for a failure to talk to the server at all (or undefined for an ordinary query error). */
function connectionProblem(err: unknown, safe: string, opts: ServerOptions, timeout: string): string | undefined {
  const e = err as { code?: string; message?: string; type?: string };
  const msg = e?.message ?? String(err);
  if (/^Timeout error/i.test(msg)) return `ClickHouse at ${safe} did not answer within ${timeout}`;
  if (e?.code === '516' || /AUTHENTICATION_FAILED|Authentication failed/i.test(`${e?.type ?? ''} ${msg}`)) {
    return `ClickHouse at ${safe} refused the credentials of user "${opts.username ?? 'default'}": authentication failed (check --ch-user / --ch-password or CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)`;
  }
  if (e?.code && /^E[A-Z]+$/.test(e.code)) return `cannot reach ClickHouse at ${safe}: ${e.code}; check --clickhouse / CLICKHOUSE_URL and that the server is running`;
  return undefined;
}

function serverError(err: unknown, safe: string, opts: ServerOptions, timeout: string): string {
  const known = connectionProblem(err, safe, opts, timeout);
  if (known) return known;
  const e = err as { message?: string };
  return `cannot reach ClickHouse at ${safe}: ${firstLine(e?.message ?? String(err))}`;
}

/** Strips credentials from a URL so it can be shown in messages and stored in rows. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
