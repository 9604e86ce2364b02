/**
 * Opens a session's input where its run is (a new run: --from; a resume: the checkpoint), the
 * batch writer numbering on from there, and the live figures with what is already stored.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Store } from '../store/store.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { autoDecompress, readSample } from '../ingest/source.js';
import { TailIngest } from './batch-ingest.js';
import { FileFollower, type Follower } from './follower.js';
import { StreamFollower } from './stream-follower.js';
import { LiveStats } from './live-stats.js';
import type { FilePosition } from './position.js';
import type { TailStart } from './resume.js';

export interface InputOptions {
  /** Where to begin in a file that already has content (new runs only). */
  from: 'start' | 'end';
  format?: FormatName;
  mapping: FieldMapping;
  stdin: Readable;
  /** Test-only fault injection (test/tail-resume.test.ts). */
  faults?: { crashBeforeCheckpointAtBatch?: number };
}

export interface OpenInput {
  follower: Follower;
  /** Lines skipped with --from end. */
  skippedLines: number;
  /** What the 'start' checkpoint stored. */
  startPos: FilePosition;
  ingest: TailIngest;
  stats: LiveStats;
}

export async function openInput(store: Store, start: TailStart, opts: InputOptions, notice: (msg: string) => void): Promise<OpenInput> {
  const { source, checkpoint: cp } = start;
  const runId = start.run.run_id;
  let follower: Follower;
  let skippedLines = 0;
  let sample: Buffer | undefined;
  let startPos: FilePosition;
  if (source === '-') {
    follower = new StreamFollower(autoDecompress(opts.stdin), cp?.pos.offset ?? 0);
    startPos = cp?.pos ?? { path: '-', dev: 0, ino: 0, offset: 0, fpLen: 0, fpHash: '', at: Date.now() };
  } else {
    const ff = new FileFollower(source, { start: cp ? { mode: 'resume', pos: cp.pos } : { mode: opts.from }, notice });
    skippedLines = (await ff.begin()).skippedLines;
    follower = ff;
    // A resume has consumed nothing yet: its start is the checkpoint itself (the follower may
    // still have rotated generations queued before the file it would name now).
    startPos = cp ? cp.pos : ff.position();
    if (!cp?.parser && fs.existsSync(source)) {
      sample = await readSample({ name: source, kind: 'file', path: source, compression: 'none' });
    }
  }
  const ingest = await TailIngest.create(store, {
    runId,
    source,
    format: opts.format,
    mapping: opts.mapping,
    parser: cp?.parser,
    sample,
    line: cp ? cp.line : skippedLines,
    batch: cp?.batch ?? 0,
    crashBeforeCheckpointAtBatch: opts.faults?.crashBeforeCheckpointAtBatch,
  });
  await ingest.checkpoint('start', startPos);
  const stats = new LiveStats(store, runId, source);
  if (cp && cp.line > 0) await stats.addLines(1, cp.line, true);
  return { follower, skippedLines, startPos, ingest, stats };
}
