/**
 * The same bytes loaded through each way in: a plain, gzip or zstd file read by the engine
 * (file()), and stdin streamed through the staging table; and the resulting tables, for comparison.
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import type { Store } from '../../src/store/store.js';
import { loadSources } from '../../src/ingest/load.js';
import { resolveSources, type Source } from '../../src/ingest/source.js';
import { DEFAULT_MAPPING, type FieldMapping, type FormatName } from '../../src/ingest/formats.js';

export const PATHS = ['plain', 'gz', 'zst', 'stdin'] as const;
export type PathName = (typeof PATHS)[number];

/** Writes `bytes` as name, name.gz and name.zst under dir (zstd by the engine: Node 20 cannot write it). */
export async function writeVariants(store: Store, dir: string, name: string, bytes: Buffer): Promise<Record<Exclude<PathName, 'stdin'>, string>> {
  const plain = path.join(dir, name);
  fs.writeFileSync(plain, bytes);
  fs.writeFileSync(`${plain}.gz`, zlib.gzipSync(bytes));
  fs.rmSync(`${plain}.zst`, { force: true });
  await store.exec(`INSERT INTO FUNCTION file({p:String}, 'RawBLOB', 'raw String', 'zstd') SELECT base64Decode({b:String})`, {
    p: `${plain}.zst`,
    b: bytes.toString('base64'),
  });
  return { plain, gz: `${plain}.gz`, zst: `${plain}.zst` };
}

export interface LoadedTables {
  events: Record<string, unknown>[];
  rejects: Record<string, unknown>[];
}

/** Loads one way in under `runId` and returns its events and rejects (without run and source, which differ by design). */
export async function loadVia(
  store: Store,
  runId: string,
  via: PathName,
  files: Record<Exclude<PathName, 'stdin'>, string>,
  bytes: Buffer,
  opts: { format?: FormatName; mapping?: FieldMapping } = {},
): Promise<LoadedTables> {
  const sources: Source[] = via === 'stdin' ? [{ name: '-', kind: 'stdin', compression: 'none' }] : await resolveSources([files[via]]);
  await loadSources(store, runId, sources, { format: opts.format, mapping: opts.mapping ?? DEFAULT_MAPPING, stdin: Readable.from([bytes]) });
  return tablesOf(store, runId);
}

export async function tablesOf(store: Store, runId: string): Promise<LoadedTables> {
  const events = await store.select<Record<string, unknown>>(
    `SELECT line, seq, toString(event_time) AS t, event_name, customer, identifier, value, toJSONString(properties) AS props
     FROM events WHERE run_id = {run:String} ORDER BY line, seq`,
    { run: runId },
  );
  const rejects = await store.select<Record<string, unknown>>(
    `SELECT line, seq, reason, length(raw) AS bytes, hex(cityHash64(raw)) AS raw_hash FROM rejects WHERE run_id = {run:String} ORDER BY line, seq`,
    { run: runId },
  );
  return { events, rejects };
}

/** Loads `bytes` every way (run ids `<name>-<path>`), checks the ways agree, and returns the plain file's tables. */
export async function loadEveryWay(
  store: Store,
  dir: string,
  name: string,
  bytes: Buffer,
  opts: { format?: FormatName; mapping?: FieldMapping } = {},
): Promise<LoadedTables> {
  const files = await writeVariants(store, dir, name, bytes);
  const got: LoadedTables[] = [];
  for (const via of PATHS) got.push(await loadVia(store, `${name}-${via}`, via, files, bytes, opts));
  for (const [i, via] of PATHS.entries()) expect(got[i], `${name} via ${via}`).toEqual(got[0]);
  return got[0];
}
