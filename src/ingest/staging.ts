/**
 * A staging table of raw lines (line UInt64, raw String) filled from Node in bounded batches.
 * Used when the engine cannot read the input itself: stdin, a ClickHouse server, a live tail.
 * Events of whole-file JSON are staged with their index too (line UInt64, seq UInt32, raw String).
 */
import crypto from 'node:crypto';
import type { Store } from '../store/store.js';

const BATCH_BYTES = 8 << 20;

export class StagingTable {
  readonly name: string;

  private constructor(
    private readonly store: Store,
    name: string,
    private readonly columns: string,
  ) {
    this.name = name;
  }

  static async create(store: Store, withSeq = false): Promise<StagingTable> {
    const name = `staging_${crypto.randomBytes(6).toString('hex')}`;
    const columns = withSeq ? 'line UInt64, seq UInt32, raw String' : 'line UInt64, raw String';
    await store.exec(`CREATE TABLE ${name} (${columns}) ENGINE = MergeTree ORDER BY line`);
    return new StagingTable(store, name, columns);
  }

  /** Inserts TabSeparated rows "line\traw\n" (see LineToTsv), or "line\tseq\traw\n" (JsonRecordsToTsv). */
  async insertTsv(tsv: string): Promise<void> {
    if (tsv.length === 0) return;
    await this.store.insertTsv(this.name, this.columns, tsv);
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
    const rows = await this.store.select<{ raw: string }>(`SELECT raw FROM ${this.name} ORDER BY line LIMIT {n:UInt32}`, { n });
    return Buffer.from(rows.map((r) => `${r.raw}\n`).join(''));
  }

  async drop(): Promise<void> {
    await this.store.exec(`DROP TABLE IF EXISTS ${this.name}`);
  }
}
