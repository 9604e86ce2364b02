/**
 * A staging table of raw lines (line UInt64, raw String) filled from Node in bounded batches.
 * Used when the engine cannot read the input itself: stdin, a ClickHouse server, a live tail.
 *
 * Embedded chDB materializes an insert body into one string and treats piped stdin as external
 * data, so batches go in as a query parameter read by format(); a server gets a normal insert.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Store } from '../store/client.js';

export const BATCH_BYTES = 8 << 20;

export class StagingTable {
  readonly name: string;

  private constructor(private readonly store: Store, name: string) {
    this.name = name;
  }

  static async create(store: Store): Promise<StagingTable> {
    const name = `staging_${crypto.randomBytes(6).toString('hex')}`;
    await store.client.command({ query: `CREATE TABLE ${name} (line UInt64, raw String) ENGINE = MergeTree ORDER BY line` });
    return new StagingTable(store, name);
  }

  /** Inserts TabSeparated rows "line\traw\n" (see LineToTsv). */
  async insertTsv(tsv: string): Promise<void> {
    if (tsv.length === 0) return;
    if (this.store.mode === 'embedded') {
      await this.store.client.command({
        query: `INSERT INTO ${this.name} SELECT * FROM format(TabSeparated, 'line UInt64, raw String', {data:String})`,
        query_params: { data: tsv },
      });
    } else {
      await this.store.client.insert({ table: this.name, values: Readable.from([Buffer.from(tsv)], { objectMode: false }), format: 'TabSeparated' });
    }
  }

  /** Drains a stream of TSV text into the table in batches of about BATCH_BYTES. */
  async fill(tsvStream: AsyncIterable<Buffer | string>, onBatch?: () => void): Promise<void> {
    let parts: string[] = [];
    let size = 0;
    for await (const chunk of tsvStream) {
      const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      parts.push(s);
      size += s.length;
      if (size >= BATCH_BYTES) {
        await this.insertTsv(parts.join(''));
        parts = [];
        size = 0;
        onBatch?.();
      }
    }
    await this.insertTsv(parts.join(''));
  }

  /** The first lines, for format detection. */
  async head(n = 50): Promise<Buffer> {
    const rs = await this.store.client.query({
      query: `SELECT raw FROM ${this.name} ORDER BY line LIMIT {n:UInt32}`,
      query_params: { n },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ raw: string }>();
    return Buffer.from(rows.map((r) => `${r.raw}\n`).join(''));
  }

  async drop(): Promise<void> {
    await this.store.client.command({ query: `DROP TABLE IF EXISTS ${this.name}` });
  }
}
