/**
 * Synthetic meter-event logs written by ClickHouse: plan the timeline (schedule.ts), build the
 * one text-producing query (query.ts), write it out (output.ts). Same options and seed give
 * the same bytes.
 */
import type { Writable } from 'node:stream';
import { resolveOptions, type GenerateOptions, type ResolvedOptions } from './options.js';
import { planSchedule, type Schedule, type ScheduleStats } from './schedule.js';
import { countsSql, generationSql } from './query.js';
import { writeOutput, type GenerateTarget } from './output.js';

export type { GenerateOptions } from './options.js';
export type { GenerateTarget } from './output.js';

export interface GenerateResult {
  options: ResolvedOptions;
  schedule: Schedule;
  /** Valid events written (exactly options.events). */
  events: number;
  /** Lines written (events or batches, malformed lines, a CSV header). */
  lines: number;
  malformed: number;
  /** Events that re-send an earlier event's identifier and payload. */
  duplicates: number;
  /** Events whose arrival was delayed (1 s up to lateMax), i.e. written after newer ones. */
  late: number;
  /** Most events in one second, and when (unix seconds). */
  peak: number;
  peakSecond: number;
  /** Bytes written (compressed size for .gz/.zst files). */
  bytes: number;
  seconds: number;
  out: string | null;
}

/** Plans the timeline and counts what will be written, without writing. */
async function planGeneration(
  target: GenerateTarget,
  opts: GenerateOptions,
): Promise<{ options: ResolvedOptions; schedule: Schedule; stats: ScheduleStats; counts: { duplicates: number; late: number; malformed: number } }> {
  const options = resolveOptions(opts);
  const { schedule, stats } = await planSchedule(target, options);
  const [c] = await target.select<{ duplicates: string; late: string; malformed: string }>(countsSql(schedule, options));
  return { options, schedule, stats, counts: { duplicates: Number(c.duplicates), late: Number(c.late), malformed: Number(c.malformed) } };
}

/** Generates the log into `out` (a file path; .gz/.zst compress) or, when null, onto `stdout`. */
export async function generate(target: GenerateTarget, opts: GenerateOptions, out: string | null, stdout?: Writable): Promise<GenerateResult> {
  const started = Date.now();
  const { options, schedule, stats, counts } = await planGeneration(target, opts);
  const bytes = await writeOutput(target, generationSql(schedule, options), out, stdout, options.compressionLevel);
  const batches = Math.ceil(schedule.events / options.batchSize);
  return {
    options,
    schedule,
    events: schedule.events,
    lines: batches + counts.malformed + (options.format === 'csv' ? 1 : 0),
    ...counts,
    peak: stats.peak,
    peakSecond: stats.peakSecond,
    bytes,
    seconds: (Date.now() - started) / 1000,
    out,
  };
}
