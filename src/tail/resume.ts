/**
 * The resume decision: a new run, or which earlier run to continue, from which checkpoint, after
 * rolling back the rows of a batch whose checkpoint never landed (see checkpoint.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.js';
import { Runs, type RunRecord } from '../store/runs.js';
import { UserError } from '../errors.js';
import { latestCheckpoint, rollbackUncommitted, type Checkpoint } from './checkpoint.js';

export interface TailRequest {
  /** A path, '-' for stdin; may be left out with `resume`. */
  input?: string;
  /** Run id of an earlier tail to continue. */
  resume?: string;
  /** Flags as given, stored with a new run (secrets are redacted by Runs). */
  runOptions: Record<string, unknown>;
}

/** The run a tail session continues or begins, and where in its input. */
export interface TailStart {
  run: RunRecord;
  /** The absolute path followed, or '-' for stdin. */
  source: string;
  resumed: boolean;
  /** Where the earlier session stopped (resume only; none if it never checkpointed). */
  checkpoint?: Checkpoint;
  /** Rows removed because their batch was not checkpointed (resume only). */
  rolledBack: { events: number; rejects: number };
  /** Things the user should know before following begins. */
  notes: string[];
  /** When the session began (ms since epoch): the report's load time counts from here. */
  startedAt: number;
}

export async function decideRun(store: Store, req: TailRequest): Promise<TailStart> {
  const startedAt = Date.now();
  const runs = new Runs(store);
  if (!req.resume) {
    if (req.input === undefined) throw new UserError('name a file to follow, or - for stdin (or --resume <run-id>)');
    const source = req.input === '-' ? '-' : path.resolve(req.input);
    if (source !== '-' && fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`${req.input}: is a directory; name the log file inside it`);
    }
    const run = await runs.create('tail', [source], req.runOptions);
    return { run, source, resumed: false, rolledBack: { events: 0, rejects: 0 }, notes: [], startedAt };
  }
  const run = await runs.get(req.resume);
  if (run.command !== 'tail') throw new UserError(`run ${run.run_id} is a ${run.command} run; only tail runs can be resumed`);
  const source = run.sources[0];
  const named = req.input === undefined ? source : req.input === '-' ? '-' : path.resolve(req.input);
  if (named !== source) throw new UserError(`run ${run.run_id} follows ${source === '-' ? 'stdin' : source}; leave the input out or name that one`);
  const checkpoint = await latestCheckpoint(store, run.run_id);
  const rolledBack = await rollbackUncommitted(store, run.run_id, source, checkpoint?.line ?? 0);
  const notes: string[] = [];
  if (rolledBack.events + rolledBack.rejects > 0) {
    notes.push(`resume: removed ${rolledBack.events} events and ${rolledBack.rejects} rejects of a batch that was not checkpointed; re-reading them`);
  }
  if (source === '-') notes.push('resume: stdin cannot be re-read; new input continues the run (lines after the last checkpoint of the crashed session are not in it)');
  return { run, source, resumed: true, checkpoint, rolledBack, notes, startedAt };
}
