/** Row housekeeping shared by every result table keyed by run_id. */
import type { Store } from './store.js';
import { num, type Params } from './sql.js';

/**
 * Removes a run's rows from a result table before they are written again (a recomputed run).
 * Checks first: a lightweight DELETE on a table without the run's rows still costs a mutation.
 */
export async function clearRun(store: Store, table: string, runId: string): Promise<void> {
  const [row] = await store.select<{ n: string }>(`SELECT count() AS n FROM (SELECT 1 FROM ${table} WHERE run_id = {run:String} LIMIT 1)`, { run: runId });
  if (num(row?.n) > 0) await deleteRows(store, table, 'run_id = {run:String}', { run: runId });
}

/**
 * A lightweight DELETE of the rows of `table` matching `where` (bound with `params`). On a cluster a
 * sharded table's rows are deleted in its shard-local tables on every node (a Distributed table
 * takes no DELETE).
 */
export async function deleteRows(store: Store, table: string, where: string, params: Params): Promise<void> {
  await store.exec(`DELETE FROM ${store.layout.rowsTarget(table)} WHERE ${where}`, params);
}

/** Every stored table with a run_id column, but the runs list itself (on a cluster the Distributed tables, not their shards' tables). */
export async function runTables(store: Store): Promise<string[]> {
  const rows = await store.select<{ table: string }>(
    `SELECT c.table AS table FROM system.columns AS c INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = currentDatabase() AND c.name = 'run_id' AND c.table != 'runs'
       AND t.engine NOT IN ('Null', 'MaterializedView', 'View') ORDER BY c.table`,
  );
  return rows.map((r) => r.table).filter((t) => !store.layout.isShardLocal(t));
}
