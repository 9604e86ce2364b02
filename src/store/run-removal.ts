/**
 * Removing stored runs (`meterscope runs rm` / `prune`): every table's rows of the runs, the tail
 * staging tables they left, then their `runs` rows — last, so an interrupted removal leaves the runs
 * listed and can simply be repeated — and finally the disk space (Store.reclaimSpace).
 * Rows go with ALTER TABLE … DELETE, which rewrites only the parts holding them; a lightweight DELETE
 * would only mask the rows and keep their bytes until some later merge.
 */
import os from 'node:os';
import { UserError } from '../errors.js';
import type { Store } from './store.js';
import { runTables } from './run-rows.js';
import { isAlive } from './abandoned.js';

/** What removal needs to know of a stored run. */
export interface StoredRun {
  run_id: string;
  command: string;
  status: string;
  started_at: string;
  pid: number;
  host: string;
}

export interface Removal {
  /** Rows deleted per table (tables without rows of the runs are left out), the runs list included. */
  rows: Record<string, number>;
  stagingTablesDropped: number;
  /** The disk space was freed now (embedded); a server frees it in the background. */
  spaceFreed: boolean;
}

async function storedRuns(store: Store, where: string, params: Record<string, unknown> = {}): Promise<StoredRun[]> {
  const rows = await store.select<StoredRun>(
    `SELECT run_id, command, status, toString(started_at) AS started_at, pid, host FROM runs FINAL ${where} ORDER BY started_at DESC, run_id DESC`,
    params,
  );
  return rows.map((r) => ({ ...r, pid: Number(r.pid) }));
}

/** The runs named, in the order given; an unknown id or a run still running (unless `force`) is refused before anything is deleted. */
export async function runsToRemove(store: Store, ids: string[], force = false): Promise<StoredRun[]> {
  const unique = [...new Set(ids)];
  const found = new Map((await storedRuns(store, 'WHERE run_id IN {ids:Array(String)}', { ids: unique })).map((r) => [r.run_id, r]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new UserError(`no run with id ${missing.join(', ')} in this store (see: meterscope runs); nothing was removed`);
  const runs = unique.map((id) => found.get(id)!);
  const busy = force ? undefined : runs.find((r) => r.status === 'running');
  if (busy) {
    const where = busy.host === os.hostname() ? (isAlive(busy.pid) ? `process ${busy.pid}` : 'a process that just ended') : `host ${busy.host}, process ${busy.pid}`;
    throw new UserError(`run ${busy.run_id} is still running (${where}); stop it first, or add --force to remove it anyway; nothing was removed`);
  }
  return runs;
}

export interface PruneRule {
  /** Keep the newest `keep` runs. */
  keep?: number;
  /** Keep runs started less than this many seconds before `now`. */
  olderThanS?: number;
  now?: number;
}

/**
 * The runs a prune removes: those neither among the newest `keep` nor younger than `olderThanS`
 * (with both rules a run is kept when either keeps it). Running runs are never pruned.
 */
export async function runsToPrune(store: Store, rule: PruneRule): Promise<{ remove: StoredRun[]; running: number }> {
  const all = await storedRuns(store, '');
  const cutoff = rule.olderThanS !== undefined ? (rule.now ?? Date.now()) - rule.olderThanS * 1000 : undefined;
  const startedMs = (r: StoredRun) => Date.parse(`${r.started_at.replace(' ', 'T')}Z`);
  const remove = all.filter((r, i) => {
    if (rule.keep !== undefined && i < rule.keep) return false;
    if (cutoff !== undefined && startedMs(r) >= cutoff) return false;
    return true;
  });
  return { remove: remove.filter((r) => r.status !== 'running'), running: remove.filter((r) => r.status === 'running').length };
}

/** Deletes the runs' rows from every table, their staging tables and their `runs` rows, then frees the space. */
export async function removeRuns(store: Store, runIds: string[]): Promise<Removal> {
  const removal: Removal = { rows: {}, stagingTablesDropped: 0, spaceFreed: false };
  if (runIds.length === 0) return removal;
  const ids = { ids: runIds };
  const staging = await store.select<{ staging: string }>(`SELECT DISTINCT staging FROM tail_checkpoints WHERE run_id IN {ids:Array(String)} AND staging != ''`, ids);
  for (const table of [...(await runTables(store)), 'runs']) {
    const [row] = await store.select<{ n: string }>(`SELECT count() AS n FROM \`${table}\` WHERE run_id IN {ids:Array(String)}`, ids);
    const n = Number(row?.n ?? 0);
    if (n === 0) continue;
    // mutations_sync: return once the rows are gone, so the listing and the space reflect it.
    await store.exec(`ALTER TABLE ${store.layout.rowsTarget(table)} DELETE WHERE run_id IN {ids:Array(String)}`, ids, { mutations_sync: 2 });
    removal.rows[table] = n;
  }
  for (const { staging: name } of staging) {
    // Names meterscope generated; checked anyway since they go into SQL text.
    if (!/^staging_[0-9a-f]+$/.test(name)) continue;
    await store.exec(`DROP TABLE IF EXISTS ${name}`);
    removal.stagingTablesDropped++;
  }
  removal.spaceFreed = await store.reclaimSpace();
  return removal;
}
