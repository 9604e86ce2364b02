/**
 * Checkpoints: exactly-once for `tail` across crashes (kill -9 included).
 *
 * Why not insert deduplication tokens: a batch goes through the Null table `ingest_rows` and two
 * materialized views into `events` and `rejects`, and the checkpoint is a third insert. ClickHouse
 * has no transaction across them, and a deduplication token only helps when a retry re-sends the
 * very same block, which a restarted tail would not (its batches are cut by time and size anew).
 *
 * What we do instead: line numbers are the batch ids. Every row carries (run_id, source, line),
 * and a tail run numbers its lines in one increasing sequence, across batches, rotations and
 * resumes. A batch is written in this order:
 *   1. its rows (lines L+1 .. M) into ingest_rows -> events / rejects,
 *   2. then the checkpoint row (line = M, file identity, byte offset just past line M).
 * Each insert is atomic per part and survives a kill of the process once it has returned. So at
 * any crash point, rows with line <= the last checkpoint's line are complete, and rows with a
 * larger line belong to a batch whose checkpoint never landed (possibly half-written: events in,
 * rejects not). A resume deletes exactly those (`line > checkpoint.line`) and re-reads the file
 * from the checkpoint's byte offset, numbering from line M + 1 again. Nothing is lost (the bytes
 * are re-read) and nothing is counted twice (the uncommitted copy is gone before the re-read).
 * Checked with real kill -9 in test/tail-resume.test.ts.
 */
import type { Store } from '../store/store.js';
import { deleteRows } from '../store/run-rows.js';
import type { ParserChoice } from '../ingest/sql/normalize.js';
import type { FilePosition } from './position.js';

export type CheckpointKind = 'start' | 'batch' | 'final';

export interface Checkpoint {
  runId: string;
  batch: number;
  kind: CheckpointKind;
  source: string;
  pos: FilePosition;
  /** Last line number whose rows are stored. */
  line: number;
  parser?: ParserChoice;
  staging: string;
}

export async function saveCheckpoint(store: Store, cp: Checkpoint): Promise<void> {
  await store.insertRows('tail_checkpoints', [
    {
      run_id: cp.runId,
      batch: cp.batch,
      kind: cp.kind,
      source: cp.source,
      file_path: cp.pos.path,
      file_dev: cp.pos.dev,
      file_ino: cp.pos.ino,
      file_offset: cp.pos.offset,
      fp_len: cp.pos.fpLen,
      fp_hash: cp.pos.fpHash,
      read_at: new Date(cp.pos.at).toISOString().replace('T', ' ').replace('Z', ''),
      line: cp.line,
      parser: cp.parser ? JSON.stringify(cp.parser) : '',
      staging: cp.staging,
    },
  ]);
}

interface CheckpointRow {
  batch: string;
  kind: string;
  source: string;
  file_path: string;
  file_dev: string;
  file_ino: string;
  file_offset: string;
  fp_len: number;
  fp_hash: string;
  read_at: string;
  line: string;
  parser: string;
  staging: string;
}

export async function latestCheckpoint(store: Store, runId: string): Promise<Checkpoint | undefined> {
  const [r] = await store.select<CheckpointRow>(`SELECT * FROM tail_checkpoints WHERE run_id = {run:String} ORDER BY batch DESC LIMIT 1`, { run: runId });
  if (!r) return undefined;
  // The parser is decided once per run; a 'start' row written before the first batch has none.
  let parser = r.parser ? (JSON.parse(r.parser) as ParserChoice) : undefined;
  if (!parser) {
    const [p] = await store.select<{ parser: string }>(`SELECT parser FROM tail_checkpoints WHERE run_id = {run:String} AND parser != '' ORDER BY batch DESC LIMIT 1`, {
      run: runId,
    });
    if (p) parser = JSON.parse(p.parser) as ParserChoice;
  }
  return {
    runId,
    batch: Number(r.batch),
    kind: r.kind as CheckpointKind,
    source: r.source,
    pos: {
      path: r.file_path,
      dev: Number(r.file_dev),
      ino: Number(r.file_ino),
      offset: Number(r.file_offset),
      fpLen: Number(r.fp_len),
      fpHash: r.fp_hash,
      at: Date.parse(`${r.read_at.replace(' ', 'T')}Z`),
    },
    line: Number(r.line),
    parser,
    staging: r.staging,
  };
}

/**
 * Removes the rows of batches whose checkpoint never landed (see the comment at the top), and
 * staging tables that crashed sessions of this run left behind.
 */
export async function rollbackUncommitted(store: Store, runId: string, source: string, line: number): Promise<{ events: number; rejects: number }> {
  const params = { run: runId, src: source, line };
  const count = async (table: string) => {
    return Number(
      (await store.select<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE run_id = {run:String} AND source = {src:String} AND line > {line:UInt64}`, params))[0]
        .n,
    );
  };
  const out = { events: await count('events'), rejects: await count('rejects') };
  for (const table of ['events', 'rejects'] as const) {
    if (out[table] === 0) continue;
    await deleteRows(store, table, 'run_id = {run:String} AND source = {src:String} AND line > {line:UInt64}', params);
  }
  for (const { staging } of await store.select<{ staging: string }>(`SELECT DISTINCT staging FROM tail_checkpoints WHERE run_id = {run:String} AND staging != ''`, {
    run: runId,
  })) {
    // Names we generated ourselves; checked anyway since they go into SQL text.
    if (/^staging_[0-9a-f]+$/.test(staging)) await store.exec(`DROP TABLE IF EXISTS ${staging}`);
  }
  return out;
}
