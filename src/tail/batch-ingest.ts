/**
 * Stores one batch of followed lines exactly like `profile` loads a stream, parsed by the same SQL
 * (buildIngestQuery over chooseParser's choice), so a tailed file yields the same rows as profiling
 * it. An embedded engine reads the batch from a scratch file (spool.ts: raw bytes, read natively);
 * a server gets it through a staging table (LineToTsv). Then the checkpoint (see checkpoint.ts).
 */
import { Readable } from 'node:stream';
import type { Store } from '../store/store.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { chooseParser } from '../ingest/detect.js';
import { LineToTsv } from '../ingest/line-splitter.js';
import { StagingTable } from '../ingest/staging.js';
import { Spool, remove, spooledLines } from '../ingest/spool.js';
import { FILE_READ_SETTINGS, INGEST_SETTINGS } from '../ingest/ingest-settings.js';
import { SqlParams } from '../store/sql.js';
import { buildIngestQuery, type ParserChoice } from '../ingest/sql/normalize.js';
import { saveCheckpoint, type CheckpointKind } from './checkpoint.js';
import type { Chunk } from './follower.js';
import type { FilePosition } from './position.js';

export interface TailIngestOptions {
  runId: string;
  /** Stored with every row: the absolute path, or '-' for stdin (as profile does). */
  source: string;
  format?: FormatName;
  mapping: FieldMapping;
  /** Parser of an earlier session of this run (resume). */
  parser?: ParserChoice;
  /** The file's head, for format detection when the first batch does not start at line 1. */
  sample?: Buffer;
  /** Last line number already stored (0 for a new run). */
  line: number;
  /** Last checkpoint batch number (0 for a new run). */
  batch: number;
  /**
   * Test-only fault injection: the process kills itself (SIGKILL) right after the rows of this
   * session's nth batch are stored, before its checkpoint (the one window a resume must roll back).
   */
  crashBeforeCheckpointAtBatch?: number;
}

export interface BatchResult {
  firstLine: number;
  lastLine: number;
  lines: number;
  bytes: number;
}

const SAMPLE_BYTES = 256 * 1024;

export class TailIngest {
  parser?: ParserChoice;
  /** Last line number whose rows and checkpoint are stored. */
  line: number;
  batch: number;
  /** Batches whose rows this session stored. */
  private written = 0;

  private constructor(
    private readonly store: Store,
    private readonly via: { spool: Spool } | { staging: StagingTable },
    private readonly opts: TailIngestOptions,
  ) {
    this.parser = opts.parser;
    this.line = opts.line;
    this.batch = opts.batch;
  }

  static async create(store: Store, opts: TailIngestOptions): Promise<TailIngest> {
    const spool = Spool.of(store);
    return new TailIngest(store, spool ? { spool } : { staging: await StagingTable.create(store) }, opts);
  }

  /** Stores the chunks' lines (numbered on from `line`), then checkpoints `end`. */
  async write(chunks: Chunk[], end: FilePosition): Promise<BatchResult> {
    const from = this.line + 1;
    const bytes = chunks.reduce((s, c) => s + c.data.length, 0);
    const lastLine = from + chunks.reduce((s, c) => s + c.lines, 0) - 1;
    if (!this.parser) {
      const sample = this.opts.sample && this.opts.sample.length > 0 ? this.opts.sample : headOf(chunks);
      this.parser = chooseParser(sample, this.opts.format, this.opts.mapping, this.opts.source === '-' ? 'stdin' : this.opts.source);
    }
    await this.storeRows(chunks, from);
    this.written++;
    if (this.written === this.opts.crashBeforeCheckpointAtBatch) process.kill(process.pid, 'SIGKILL');
    await this.checkpoint('batch', end, lastLine);
    this.line = lastLine;
    return { firstLine: from, lastLine, lines: lastLine - from + 1, bytes };
  }

  /** Parses the chunks' lines (numbered from `from`) into events / rejects. */
  private async storeRows(chunks: Chunk[], from: number): Promise<void> {
    const parser = this.parser!;
    const params = new SqlParams();
    // A new file's first line is its CSV header; line 1 of the run is skipped by the CSV parser itself.
    const skip = parser.format === 'csv' ? csvHeaderLines(chunks, from) : [];
    const where = skip.length ? ` WHERE NOT has(${params.add(skip, 'Array(UInt64)')}, line)` : '';
    const source = params.add(this.opts.source);
    if ('staging' in this.via) {
      const { staging } = this.via;
      await staging.fill(
        Readable.from(
          chunks.map((c) => c.data),
          { objectMode: false },
        ).pipe(new LineToTsv(from)),
      );
      await this.store.exec(buildIngestQuery(this.opts.runId, parser, `SELECT ${source} AS source, line, raw FROM ${staging.name}${where}`, params), params.values);
      await this.store.exec(`TRUNCATE TABLE ${staging.name}`);
      return;
    }
    const file = await this.via.spool.write(chunks.map((c) => c.data));
    try {
      const rel = `SELECT ${source} AS source, line, raw FROM (${spooledLines(file, from, params)})${where}`;
      await this.store.exec(buildIngestQuery(this.opts.runId, parser, rel, params), params.values, { ...INGEST_SETTINGS, ...FILE_READ_SETTINGS });
    } finally {
      await remove(file);
    }
  }

  async checkpoint(kind: CheckpointKind, pos: FilePosition, line = this.line): Promise<void> {
    this.batch++;
    await saveCheckpoint(this.store, {
      runId: this.opts.runId,
      batch: this.batch,
      kind,
      source: this.opts.source,
      pos,
      line,
      parser: this.parser,
      staging: 'staging' in this.via ? this.via.staging.name : '',
    });
  }

  async close(): Promise<void> {
    if ('staging' in this.via) await this.via.staging.drop();
  }
}

/** Line numbers of the chunks' first lines of a file (past line 1 of the run): CSV headers to skip. */
function csvHeaderLines(chunks: Chunk[], from: number): number[] {
  const headers: number[] = [];
  let n = from;
  for (const c of chunks) {
    if (c.fileStart && n > 1) headers.push(n);
    n += c.lines;
  }
  return headers;
}

function headOf(chunks: Chunk[]): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const c of chunks) {
    parts.push(c.data);
    size += c.data.length;
    if (size >= SAMPLE_BYTES) break;
  }
  return Buffer.concat(parts);
}
