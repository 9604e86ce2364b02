/**
 * Property test of ingest: for every input format, a seeded hostile corpus (truncations, NUL bytes,
 * invalid UTF-8, a BOM, CRLF, blank and whitespace lines, 1 MB lines, 10,000-level nesting, huge
 * numbers, odd timestamps, duplicate keys, batches mixing objects with other values, bad CSV
 * quoting, bad percent-escapes) loads through a plain, gzip and zstd file and stdin without a
 * crash or a hang, accounts for every record (accepted + rejected = the records the corpus holds),
 * and gives the same events and rejects on every path.
 *
 * A new seed each run; a failure prints it, and METERSCOPE_FUZZ_SEED=<seed> replays it.
 * Lines over 16 MiB are off until ingest reports them as `line too long`: see FUZZ_HUGE_LINES.
 */
import { beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import { FORMATS } from '../src/ingest/formats.js';
import type { Store } from '../src/store/store.js';
import { buildCorpus } from './support/fuzz-corpus.js';
import { PATHS, loadVia, writeVariants, type LoadedTables } from './support/load-paths.js';

const SEED = Number(process.env.METERSCOPE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Longest one load may take before it counts as a hang. */
const LOAD_TIMEOUT_MS = 20_000;

let store: Store;
const dir = tempDir('meterscope-fuzz-');

beforeAll(async () => {
  store = await openTestStore();
});

function withTimeout<T>(work: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result after ${LOAD_TIMEOUT_MS} ms (a hang)`)), LOAD_TIMEOUT_MS);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

describe(`ingest fuzz (seed ${SEED}; replay with METERSCOPE_FUZZ_SEED=${SEED})`, () => {
  it.each(FORMATS.map((f, i) => [f, i] as const))('%s: every path accounts for every record, identically', async (format, i) => {
    onTestFailed(() => {
      process.stderr.write(`ingest fuzz failed for ${format}: replay with METERSCOPE_FUZZ_SEED=${SEED}\n`);
    });
    // Two corpora: a long one, and a short one whose 1 MB line falls inside the detection sample.
    for (const [round, lines] of [250, 40].entries()) {
      const seed = SEED + 7919 * i + round;
      const corpus = buildCorpus(format, seed, lines);
      const files = await writeVariants(store, dir, `${format}-${round}.log`, corpus.bytes);
      const results: Partial<Record<(typeof PATHS)[number], LoadedTables>> = {};
      for (const via of PATHS) {
        const label = `${format} round ${round} via ${via} (seed ${SEED})`;
        const got = await withTimeout(loadVia(store, `fuzz-${format}-${round}-${via}`, via, files, corpus.bytes, { format }), label);
        expect(got.events.length + got.rejects.length, `${label}: accepted + rejected`).toBe(corpus.records);
        results[via] = got;
      }
      for (const via of PATHS.slice(1)) {
        expect(results[via], `${format} round ${round}: ${via} against plain (seed ${SEED})`).toEqual(results.plain);
      }
      // The corpus is hostile, not hopeless: both outcomes occur.
      expect(results.plain!.events.length).toBeGreaterThan(3);
      expect(results.plain!.rejects.length).toBeGreaterThan(3);
    }
  });
});
