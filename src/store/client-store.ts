/**
 * What both backends share: one @clickhouse/client instance (chDB plugs into the same client),
 * JSON rows, and the METERSCOPE_DEBUG=sql timing. Backends override what differs (inserts, merges).
 */
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { Capabilities, SelectOptions, Settings, Store } from './store.js';
import type { Layout } from './layout.js';
import { toQuery, type Params, type Query } from './sql.js';
import { invocationSecrets } from '../secrets/scrubber.js';

/** Bytes of rows per insert when a stream is taken in batches. */
const BATCH_BYTES = 8 << 20;

export abstract class ClientStore implements Store {
  abstract readonly label: string;
  abstract readonly capabilities: Capabilities;
  abstract readonly layout: Layout;

  /** Ids of the statements in flight, so a Ctrl-C can name them to the server. */
  protected readonly running = new Set<string>();

  protected constructor(protected readonly client: ClickHouseClient) {}

  async cancelRunning(): Promise<void> {}

  async select<T>(query: string | Query, params?: Params, opts: SelectOptions = {}): Promise<T[]> {
    const q = toQuery(query, params);
    return this.guard(q.sql, async (query_id) => {
      const rs = await this.client.query({
        query_id,
        query: q.sql,
        query_params: q.params,
        format: opts.compact ? 'JSONCompactEachRow' : 'JSONEachRow',
        clickhouse_settings: opts.settings as ClickHouseSettings | undefined,
      });
      return rs.json<T>();
    });
  }

  async exec(query: string | Query, params?: Params, settings?: Settings): Promise<void> {
    const q = toQuery(query, params);
    await this.guard(q.sql, (query_id) =>
      this.client.command({ query_id, query: q.sql, query_params: q.params, clickhouse_settings: settings as ClickHouseSettings | undefined }),
    );
  }

  async stream(query: string | Query, format: string, settings?: Settings): Promise<Readable> {
    const q = toQuery(query);
    const rs = await this.guard(q.sql, (query_id) =>
      this.client.exec({ query_id, query: `${q.sql} FORMAT ${format}`, query_params: q.params, clickhouse_settings: settings as ClickHouseSettings | undefined }),
    );
    return rs.stream;
  }

  async runStatement(sql: string, format: string, settings?: Settings): Promise<Readable> {
    const rs = await this.guard(sql, (query_id) =>
      this.client.exec({ query_id, query: sql, clickhouse_settings: { ...settings, default_format: format } as ClickHouseSettings }),
    );
    return rs.stream;
  }

  async diskBytes(): Promise<number> {
    const [row] = await this.select<{ bytes: string }>('SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = currentDatabase()');
    return Number(row?.bytes ?? 0);
  }

  async reclaimSpace(): Promise<boolean> {
    return false;
  }

  /** A backend's chance to turn a transport failure into a sentence (see ServerStore). */
  protected translate(err: unknown): unknown {
    return err;
  }

  protected async guard<T>(sql: string, run: (queryId: string) => Promise<T>): Promise<T> {
    const queryId = crypto.randomUUID();
    this.running.add(queryId);
    try {
      return await timed(sql, () => run(queryId));
    } catch (err) {
      throw this.translate(err);
    } finally {
      this.running.delete(queryId);
    }
  }

  /** Every stored row passes the invocation's scrubber: no secret reaches a table, whatever echoed it. */
  async insertRows(table: string, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.writeRows(table, rows.map(scrubRow));
  }

  protected abstract writeRows(table: string, rows: Record<string, unknown>[]): Promise<void>;
  abstract insertTsv(table: string, columns: string, tsv: string): Promise<void>;

  /** In batches of about BATCH_BYTES (the embedded engine takes rows as a query parameter); a server streams (ServerStore). */
  async insertTsvStream(table: string, columns: string, rows: Readable): Promise<void> {
    let parts: string[] = [];
    let size = 0;
    for await (const chunk of rows as AsyncIterable<Buffer | string>) {
      const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      parts.push(s);
      size += s.length;
      if (size >= BATCH_BYTES) {
        await this.insertTsv(table, columns, parts.join(''));
        parts = [];
        size = 0;
      }
    }
    await this.insertTsv(table, columns, parts.join(''));
  }

  async pauseMerges(_table: string): Promise<void> {}
  async resumeMerges(_table: string): Promise<void> {}

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** METERSCOPE_DEBUG=sql: each query's wall time and opening text on stderr (where the time goes). */
async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (process.env.METERSCOPE_DEBUG !== 'sql') return run();
  const started = process.hrtime.bigint();
  try {
    return await run();
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(`${ms.toFixed(0).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').trim().slice(0, 110)}\n`);
  }
}

function scrubRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'string' ? invocationSecrets.scrub(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? invocationSecrets.scrub(x) : x)) : v;
  }
  return out;
}
