/**
 * Cluster mode (`--cluster NAME` with `--clickhouse URL`): what a server store does differently when
 * its tables are sharded across a ClickHouse cluster. The DDL is rendered by cluster-ddl.ts; this
 * holds the settings every statement runs with, the check that the cluster exists, and the sentences
 * for a cluster's own failures. The URL names one node of the cluster (the initiator): every query
 * goes to it and it asks the shards.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { UserError, firstLine } from '../errors.js';
import type { Query } from './sql.js';
import { createDatabase } from './cluster-ddl.js';

/** Settings every statement runs with on a cluster. */
export const CLUSTER_SETTINGS = {
  // An INSERT into a Distributed table returns once every shard stored its rows (the default queues
  // them and sends them later): the profile reads them right after the load.
  distributed_foreground_insert: 1,
  // Replicated tables drop an insert block identical to a recent one; a recomputed run inserts the
  // same result rows again after clearing them, and they must land.
  insert_deduplicate: 0,
} as const;

/** What the checks need of a connection (a bare client before the store opens; a Store in the doubling-cluster test). */
export interface ClusterSql {
  select<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  exec(query: string): Promise<void>;
}

/** A bare client as ClusterSql. */
export function clientSql(client: ClickHouseClient): ClusterSql {
  return {
    select: async <T>(query: string, params: Record<string, unknown> = {}) => (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>(),
    exec: async (query: string) => void (await client.command({ query })),
  };
}

/**
 * Before the store opens on a cluster: refuses a cluster the node does not know (naming the ones it
 * does), and creates the database ON CLUSTER unless every node has it. Asking every node first
 * (clusterAllReplicas) fails at once when a node is down, where an ON CLUSTER statement would wait
 * for it (distributed_ddl_task_timeout, 180 s): a stopped shard is reported in seconds.
 */
export async function prepareCluster(sql: ClusterSql, cluster: string, database: string, safeUrl: string): Promise<void> {
  const rows = <T>(query: string, params: Record<string, unknown> = {}) => sql.select<T>(query, params);
  const known = (await rows<{ cluster: string }>('SELECT DISTINCT cluster FROM system.clusters ORDER BY cluster')).map((r) => r.cluster);
  if (!known.includes(cluster)) {
    const list = known.length ? `it knows ${known.map((c) => `"${c}"`).join(', ')}` : 'it has no remote_servers configured';
    throw new UserError(`ClickHouse at ${safeUrl} has no cluster "${cluster}" (--cluster / METERSCOPE_CLUSTER); ${list}`);
  }
  // Nodes, not replica entries: clusterAllReplicas asks each host:port once.
  const [nodes] = await rows<{ n: string }>('SELECT uniqExact(host_name, port) AS n FROM system.clusters WHERE cluster = {c:String}', { c: cluster });
  const [having] = await rows<{ n: string }>(`SELECT count() AS n FROM clusterAllReplicas('${cluster}', system.databases) WHERE name = {db:String}`, { db: database });
  if (Number(having.n) < Number(nodes.n)) await sql.exec(createDatabase({ cluster, database }));
}

/** Errors of a shard that cannot be reached (stopped, unresolvable, not answering). */
const UNREACHABLE = new Set(['ALL_CONNECTION_TRIES_FAILED', 'NETWORK_ERROR', 'SOCKET_TIMEOUT', 'DNS_ERROR', 'NO_REMOTE_SHARD_AVAILABLE']);
const UNREACHABLE_CODES = new Set(['279', '210', '209', '198', '519']);

/**
 * One sentence for a failure of the cluster itself, or undefined for an ordinary error. A shard
 * that does not answer fails the statement (skip_unavailable_shards stays off): a report over
 * the shards that answered would be wrong without saying so.
 */
export function clusterProblem(err: unknown, cluster: string, safeUrl: string): string | undefined {
  const e = err as { code?: string; type?: string; message?: string };
  const msg = e?.message ?? String(err);
  if (UNREACHABLE.has(e?.type ?? '') || UNREACHABLE_CODES.has(String(e?.code ?? ''))) {
    return `a shard of cluster "${cluster}" cannot be reached from ClickHouse at ${safeUrl} (${firstLine(msg)}); every shard must answer for exact figures: start it, or check system.clusters`;
  }
  if (/distributed_ddl_task_timeout/.test(msg)) {
    return `cluster "${cluster}" did not apply a schema change on every node in time (distributed_ddl_task_timeout): a node or ClickHouse Keeper is down; start it and run the command again`;
  }
  return undefined;
}

/** Bytes on disk of the database's parts on every node of the cluster (outdated parts included). */
export function clusterDiskBytesQuery(cluster: string, database: string): Query {
  return {
    sql: `SELECT sum(bytes_on_disk) AS bytes FROM clusterAllReplicas('${cluster}', system.parts) WHERE database = {db:String}`,
    params: { db: database },
  };
}
