/**
 * Runs whose process died (kill -9, a crash, power loss) stay 'running' forever unless someone
 * notices. Every open of the store looks for them: a 'running' run owned by a process on this host
 * that no longer exists is marked 'abandoned'. Its partial rows are deleted, except a tail run's:
 * those are checkpointed and `tail --resume` continues them.
 */
import os from 'node:os';
import type { Store } from './store.js';
import { Runs, type RunRecord } from './runs.js';
import { clearRun, runTables } from './run-rows.js';

export async function reapAbandoned(store: Store): Promise<RunRecord[]> {
  const host = os.hostname();
  const candidates = await store.select<{ run_id: string; pid: number }>(
    `SELECT run_id, pid FROM runs FINAL WHERE status = 'running' AND host = {host:String} AND pid != {self:UInt32}`,
    { host, self: process.pid },
  );
  const dead = candidates.filter((r) => !isAlive(Number(r.pid)));
  if (dead.length === 0) return [];
  const runs = new Runs(store);
  const tables = await runTables(store);
  const reaped: RunRecord[] = [];
  for (const { run_id } of dead) {
    const rec = await runs.get(run_id);
    const keep = rec.command === 'tail';
    if (!keep) await deleteRunRows(store, run_id, tables);
    const note = keep
      ? 'its process ended without finishing; checkpointed rows kept (continue with: meterscope tail --resume)'
      : 'its process ended without finishing; its partial rows were deleted';
    reaped.push(await runs.finish(rec, 'abandoned', { ...rec.summary, note }));
  }
  return reaped;
}

/** Deletes a run's rows from every table but the runs list (its record stays, with its status). */
export async function deleteRunRows(store: Store, runId: string, tables?: string[]): Promise<void> {
  for (const t of tables ?? (await runTables(store))) await clearRun(store, t, runId);
}

export function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
