/**
 * How much disk each run takes: every table's active parts (system.parts, bytes_on_disk) shared
 * among the runs whose rows they hold, by row count; on a cluster, on every node (each its own
 * parts: its shard's share of events, its copy of the replicated tables). Exact while a part holds
 * one run's rows (each load writes its own parts); an estimate once a merge has put several runs'
 * rows in one part.
 */
import type { Store } from './store.js';
import { runTables } from './run-rows.js';

export async function runSizes(store: Store, runIds: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (runIds.length === 0) return sizes;
  const { layout } = store;
  const tables = [...(await runTables(store)), 'runs'].map((t) => layout.storedName(t));
  // Table names come from system.columns; each is quoted and also bound as a value for the join.
  // Per node (on a cluster each node's parts are its own), then summed.
  const perNode = layout.onEveryNode(
    (ref, database) => `SELECT r.run_id AS run_id, sum(p.bytes_on_disk * r.n / p.rows) AS bytes
     FROM (${tables
       .map(
         (t, i) =>
           `SELECT {t${i}:String} AS tbl, toString(run_id) AS run_id, _part AS part, count() AS n FROM ${ref(t)} WHERE run_id IN {ids:Array(String)} GROUP BY run_id, part`,
       )
       .join(' UNION ALL ')}) AS r
     INNER JOIN (SELECT table AS tbl, name AS part, rows, bytes_on_disk FROM system.parts WHERE database = ${database} AND active AND rows > 0) AS p
       ON p.tbl = r.tbl AND p.part = r.part
     GROUP BY r.run_id`,
  );
  const rows = await store.select<{ run_id: string; bytes: number }>(`SELECT run_id, sum(bytes) AS bytes FROM ${perNode} GROUP BY run_id`, {
    ids: runIds,
    ...Object.fromEntries(tables.map((t, i) => [`t${i}`, t])),
  });
  for (const r of rows) sizes.set(r.run_id, Math.round(Number(r.bytes)));
  return sizes;
}
