/**
 * How much disk each run takes: every table's active parts (system.parts, bytes_on_disk) shared
 * among the runs whose rows they hold, by row count. Exact while a part holds one run's rows (each
 * load writes its own parts); an estimate once a merge has put several runs' rows in one part.
 */
import type { Store } from './store.js';
import { runTables } from './run-rows.js';

export async function runSizes(store: Store, runIds: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (runIds.length === 0) return sizes;
  const tables = [...(await runTables(store)), 'runs'];
  // Table names come from system.columns; each is quoted and also bound as a value for the join.
  const perPart = tables
    .map(
      (t, i) =>
        `SELECT {t${i}:String} AS tbl, toString(run_id) AS run_id, _part AS part, count() AS n FROM \`${t}\` WHERE run_id IN {ids:Array(String)} GROUP BY run_id, part`,
    )
    .join(' UNION ALL ');
  const rows = await store.select<{ run_id: string; bytes: number }>(
    `SELECT r.run_id AS run_id, sum(p.bytes_on_disk * r.n / p.rows) AS bytes
     FROM (${perPart}) AS r
     INNER JOIN (SELECT table AS tbl, name AS part, rows, bytes_on_disk FROM system.parts WHERE database = currentDatabase() AND active AND rows > 0) AS p
       ON p.tbl = r.tbl AND p.part = r.part
     GROUP BY r.run_id`,
    { ids: runIds, ...Object.fromEntries(tables.map((t, i) => [`t${i}`, t])) },
  );
  for (const r of rows) sizes.set(r.run_id, Math.round(Number(r.bytes)));
  return sizes;
}
