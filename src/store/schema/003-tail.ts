import type { Migration } from '../migrations.js';

/**
 * Read positions of `meterscope tail`, written after each batch's rows (see src/tail/checkpoint.ts
 * for why rows + checkpoint together give exactly-once on resume). One row per batch, kept as a
 * small audit trail; the latest `batch` of a run is its position.
 */
export const TAIL_CHECKPOINTS: Migration = {
  version: 3,
  name: 'tail-checkpoints',
  statements: [
    `CREATE TABLE IF NOT EXISTS tail_checkpoints (
      run_id String,
      batch UInt64 COMMENT 'increasing per run, across resumes',
      kind LowCardinality(String) COMMENT 'start (a session began), batch (rows stored), final (run finished)',
      source String COMMENT 'what the user named: absolute path, or - for stdin',
      file_path String COMMENT 'the file the offset is in (the followed path, or where a rotated file was found)',
      file_dev UInt64,
      file_ino UInt64,
      file_offset UInt64 COMMENT 'bytes of that file consumed: just past the last stored line',
      fp_len UInt32 COMMENT 'length of the fingerprinted head of the file',
      fp_hash String COMMENT 'sha1 of the first fp_len bytes: tells a copy-truncated file from the one we read',
      read_at DateTime64(3, 'UTC') COMMENT 'when the position was taken: files rotated away after it hold what came next',
      line UInt64 COMMENT 'last line number whose rows are stored; rows beyond it are uncommitted',
      parser String COMMENT 'the resolved parser choice (JSON), so a resume parses like the first session',
      staging String COMMENT 'the staging table this session used (dropped on resume if a crash left it)',
      saved_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY (run_id, batch)`,
  ],
};
