/**
 * What `profile --sample P%` asks for, shared by the ingest (which rows or objects are kept) and the
 * profile (how the figures are scaled back up). Hashes fall in 10,000 buckets, so P has a resolution
 * of 0.01 % and the inclusion probability is exactly buckets ÷ 10,000 (not P as typed).
 */
export const SAMPLE_BUCKETS = 10_000;

/** event: rows by a hash of their identifier (copies stay together); object: whole files by a hash of their name. */
export type SampleBy = 'event' | 'object';
export const SAMPLE_BY: readonly SampleBy[] = ['event', 'object'];

export interface SampleSpec {
  /** Buckets kept, 1..10,000: a row or object is kept when its hash % 10,000 < buckets. */
  buckets: number;
  by: SampleBy;
}

/** The inclusion probability of every row (event sampling) or object (object sampling). */
export const sampleRate = (s: SampleSpec): number => s.buckets / SAMPLE_BUCKETS;

/** "10%", "10" or "0.5 %" → buckets (10 % → 1,000); null when the text is no percentage in (0, 100]. */
export function parseSamplePercent(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text);
  if (!m) return null;
  const buckets = Math.round(Number(m[1]) * (SAMPLE_BUCKETS / 100));
  return buckets >= 1 && buckets <= SAMPLE_BUCKETS ? buckets : null;
}

/** The percentage as people write it: 10, 0.5, 12.34. */
export const samplePercentText = (s: SampleSpec): string => String(Number(((s.buckets * 100) / SAMPLE_BUCKETS).toFixed(2)));

/**
 * The unit event sampling keeps or drops as a whole: an identifier (all its copies), or one event
 * without an identifier (by its place). The ingest keeps a unit when this hash % 10,000 is below the
 * buckets; the estimators group by it, so the variance counts every copy of an identifier together.
 */
export const EVENT_SAMPLE_UNIT_SQL = `if(identifier != '', cityHash64(identifier), cityHash64(source, line, seq))`;
