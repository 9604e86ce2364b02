import type { Migration } from '../migrations.js';

/**
 * `events` parts stay compact (every column in one file) up to a size no load reaches: a wide part
 * writes two files per column (a dozen columns, Map subcolumns) for every insert block, and the
 * load paid for it: ~0.6 CPU s per million events less and 130-170 MiB lower peak RSS with compact
 * parts (bench/RESULTS.md, "Performance pass 2"). Existing parts keep their format until merged.
 */
export const COMPACT_EVENTS: Migration = {
  version: 9,
  name: 'compact-events',
  statements: [`ALTER TABLE events MODIFY SETTING min_bytes_for_wide_part = 4294967296, min_rows_for_wide_part = 1000000000`],
};
