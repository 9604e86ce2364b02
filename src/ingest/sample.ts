/**
 * profile --sample by object: which whole sources (files of a glob, objects of a prefix) are read.
 * An object is kept when cityHash64(its name as recorded in `source`) % 10,000 falls below the
 * sample's buckets: a pure function of the list of names, so reruns read the same objects and any
 * source kind (local files now, object-storage keys later) is chosen the same way. The engine computes
 * the hash, so the choice matches the same expression in SQL (objectSampleSql).
 */
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { SAMPLE_BUCKETS, samplePercentText, type SampleSpec } from '../util/sample.js';

/** The condition keeping an object whose name is `nameSql` (a column or expression), bucket bound as {sampleBuckets:UInt32}. */
export function objectSampleSql(nameSql: string): string {
  return `cityHash64(${nameSql}) % ${SAMPLE_BUCKETS} < {sampleBuckets:UInt32}`;
}

/** The names kept by an object sample, in their given order. */
export async function sampledObjects(store: Store, names: string[], buckets: number): Promise<string[]> {
  const rows = await store.select<{ name: string }>(`SELECT name FROM (SELECT arrayJoin({names:Array(String)}) AS name) WHERE ${objectSampleSql('name')}`, {
    names,
    sampleBuckets: buckets,
  });
  const kept = new Set(rows.map((r) => r.name));
  return names.filter((n) => kept.has(n));
}

/** Object sampling over `names`; one sentence when it cannot give a sample. */
export async function chooseObjects(store: Store, names: string[], spec: SampleSpec): Promise<string[]> {
  if (names.length < 2 || names.includes('-')) {
    throw new UserError('--sample-by object samples whole files: give several files (a glob), or sample by event');
  }
  const kept = await sampledObjects(store, names, spec.buckets);
  // Estimates from whole objects rest on the spread between them: one object read gives none.
  if (kept.length < 2 && kept.length < names.length) {
    throw new UserError(
      `--sample ${samplePercentText(spec)}% by object kept ${kept.length === 0 ? 'none' : 'one'} of the ${names.length} sources (at least two are needed to estimate from): raise the percentage or sample by event`,
    );
  }
  return kept;
}
