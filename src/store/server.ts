/**
 * The server backend: a ClickHouse server over HTTP. It cannot read this machine's files (they are
 * streamed through inserts), and it may be shared, so merges are left alone.
 */
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { UserError, firstLine } from '../errors.js';
import { ClientStore } from './client-store.js';
import type { Capabilities } from './store.js';

export interface ServerOptions {
  url: string;
  username?: string;
  password?: string;
  database: string;
}

export class ServerStore extends ClientStore {
  readonly capabilities: Capabilities = { readsLocalFiles: false, pausesMerges: false };

  private constructor(client: ClickHouseClient, readonly label: string) {
    super(client);
  }

  static async open(opts: ServerOptions): Promise<ServerStore> {
    const safe = redactUrl(opts.url);
    if (safe === '(invalid URL)') throw new UserError(`--clickhouse / CLICKHOUSE_URL is not a valid URL`);
    const { database } = opts;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new UserError(`database name "${database}" must be letters, digits and underscores`);
    const base = {
      url: opts.url,
      username: opts.username ?? 'default',
      password: opts.password ?? '',
      request_timeout: 3_600_000,
      // Progress headers keep long INSERT…SELECTs from being cut by idle proxies.
      clickhouse_settings: { send_progress_in_http_headers: 1 as const, http_headers_progress_interval_ms: '10000' },
      // The client logs request errors itself; ours are reported once, as a sentence.
      log: { level: ClickHouseLogLevel.OFF },
    };
    const admin = createClient(base);
    try {
      const ping = await admin.ping();
      if (!ping.success) throw ping.error;
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    } catch (err) {
      await admin.close().catch(() => {});
      const e = err as { code?: string; message?: string };
      const msg = firstLine(e.message ?? String(err));
      const why = (e.code && !/^\d+$/.test(e.code) ? e.code : msg).replaceAll(opts.password || '\u0000', '***');
      throw new UserError(`cannot reach ClickHouse at ${safe}: ${why}`);
    }
    await admin.close();
    return new ServerStore(createClient({ ...base, database }), `ClickHouse server ${safe} database ${database}`);
  }

  async insertRows(table: string, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table, values: rows, format: 'JSONEachRow' });
  }

  async insertTsv(table: string, columns: string, tsv: string): Promise<void> {
    if (tsv.length === 0) return;
    const names = columns.split(',').map((c) => c.trim().split(/\s+/)[0]);
    await this.client.insert({ table, columns: names as [string, ...string[]], values: Readable.from([Buffer.from(tsv)], { objectMode: false }), format: 'TabSeparated' });
  }
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
