/** Settings of the INSERT that parses lines into events, and of the engine's reads of local files. */
import os from 'node:os';
import type { Settings } from '../store/store.js';

/**
 * Measured on this 2-core box (bench/RESULTS.md):
 * - Smaller insert blocks than the defaults (1M rows / 256 MiB): the pipeline fans out through two
 *   materialized views, and huge squashed blocks cost memory (2M lines: 7.7 s -> 3.0 s).
 * - The Null table does not take parallel inserts, so the views (sort, compress, write events) ran
 *   in one thread while the parser used all cores; max_insert_threads with parallel_view_processing
 *   gives each core its own chain (1M lines: 3.4 s -> 1.9 s of wall time, same CPU).
 * - Parser blocks of 16k rows instead of 64k: the expression chain holds a dozen columns per block;
 *   peak RSS on 5M lines 1.24 -> 0.99 GB, on 20M 0.94 GB, at the same CPU time.
 */
export const INGEST_SETTINGS: Settings = {
  min_insert_block_size_rows: '100000',
  min_insert_block_size_bytes: String(64 << 20),
  min_insert_block_size_rows_for_materialized_views: '100000',
  min_insert_block_size_bytes_for_materialized_views: String(64 << 20),
  max_insert_threads: String(Math.max(2, os.availableParallelism())),
  parallel_view_processing: 1,
  max_block_size: '16384',
};

/**
 * chDB maps files into memory by default (storage_file_read_method = mmap): every page read stays in
 * the process's RSS, so RSS grew with the file (a 1.2 GB file: 1.5 GB RSS). pread reads through a
 * small buffer at the same speed. The line reader cuts the file into chunks for its parallel
 * parsing (10 MiB each by default); 4 MiB chunks kept 5M-line loads at 936 instead of 960-995 MiB
 * peak RSS at the same speed (2 MiB: ~880 MiB but 2-3 % slower).
 */
export const FILE_READ_SETTINGS: Settings = {
  storage_file_read_method: 'pread',
  min_chunk_bytes_for_parallel_parsing: String(4 << 20),
};
