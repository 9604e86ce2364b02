/**
 * A staging table of raw lines (line UInt64, raw String) filled from Node in bounded batches.
 * Used when the engine cannot read the input itself: stdin, a ClickHouse server, a live tail.
 * Events of whole-file JSON are staged with their index too (line UInt64, seq UInt32, raw String).
 */
import crypto from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
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

  /**
   * Drains a stream of TSV text into the table (one streamed insert on a server); `onBatch` is called
   * after every BATCH_BYTES of rows passed on. A failing stream fails the fill with its own error.
   */
  async fill(tsvStream: Readable, onBatch?: () => void): Promise<void> {
    const rows = onBatch ? tsvStream.pipe(new EveryBytes(BATCH_BYTES, onBatch)) : tsvStream;
    if (rows !== tsvStream) tsvStream.on('error', (e) => rows.destroy(e));
    try {
      await this.store.insertTsvStream(this.name, this.columns, rows);
    } catch (e) {
      tsvStream.destroy();
      throw e;
    }
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

/** Passes bytes on unchanged, calling `tick` each time another `size` bytes have gone through. */
class EveryBytes extends Transform {
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly tick: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const before = Math.floor(this.seen / this.size);
    this.seen += chunk.length;
    cb(null, chunk);
    if (Math.floor(this.seen / this.size) > before) this.tick();
  }
}
