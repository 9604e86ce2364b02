/**
 * The in-process "doubling cluster": chDB given a cluster of two shards that are both this process
 * (`localhost` at the engine's own tcp_port, which nothing needs to listen on: a local replica is
 * queried in process), so a Distributed table over one local table reads every row twice, through
 * the real distributed planner (per-shard stages, merge on the initiator, GLOBAL subqueries).
 * Additive figures must come out exactly doubled and exact distinct counts unchanged; a query the
 * planner refuses on a cluster (a subquery over a Distributed table without GLOBAL) fails with
 * error 288 as on a real one.
 */
import type { Store } from '../../src/store/store.js';
import { SHARDED, distributedEngine, LOCAL_SUFFIX } from '../../src/store/cluster-ddl.js';

export const DOUBLING = 'doubling';
const TCP_PORT = 9000;

export function doublingClusterConfig(): string {
  const shard = `<shard><replica><host>localhost</host><port>${TCP_PORT}</port></replica></shard>`;
  return `<clickhouse>
  <tcp_port>${TCP_PORT}</tcp_port>
  <remote_servers><${DOUBLING}>${shard}${shard}</${DOUBLING}></remote_servers>
</clickhouse>`;
}

/**
 * Turns the loaded single-node tables into the cluster layout's shape: `events` and `rejects`
 * become the shard-local tables and Distributed tables (rendered by the cluster DDL renderer) take
 * their names, so every query over them passes through the distributed planner.
 */
export async function shardOverDoubling(store: Store, database: string): Promise<void> {
  for (const table of Object.keys(SHARDED)) {
    await store.exec(`RENAME TABLE ${table} TO ${table}${LOCAL_SUFFIX}`);
    await store.exec(`CREATE TABLE ${table} AS ${table}${LOCAL_SUFFIX} ENGINE = ${distributedEngine(table, { cluster: DOUBLING, database })}`);
  }
}
