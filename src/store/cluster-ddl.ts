/**
 * Migration DDL rendered for a ClickHouse cluster (`--cluster NAME`). The migrations are written for
 * one node; this turns each statement into its cluster form, so there is one schema, not two:
 * - `events` and `rejects` hold the data: each becomes a shard-local `ReplicatedMergeTree`
 *   (`events_local`, one replication path per shard) and a `Distributed` table under the old name,
 *   sharded by `cityHash64(identifier)` (every copy of an identifier on one shard, so duplicate
 *   checks stay exact per shard) and for rejects by their place in the input.
 * - Every other table is small bookkeeping (runs, reports, result tables): a `Replicated…MergeTree`
 *   with one replication path for the whole cluster, so every node holds all of it and reads it
 *   locally, with no Distributed front.
 * - Null tables and materialized views are created on every node (`ON CLUSTER`): the ingest
 *   views write into the Distributed `events` / `rejects`.
 * Every statement carries `ON CLUSTER`, but an ALTER of a table replicated to every node (its
 * replication carries it). No credential ever appears here: shards connect with the
 * user the cluster's `remote_servers` names.
 */

/** The tables sharded across the cluster, with their sharding key. */
export const SHARDED: Readonly<Record<string, string>> = {
  events: 'cityHash64(identifier)',
  rejects: 'cityHash64(source, line)',
};

export const LOCAL_SUFFIX = '_local';

export interface ClusterTarget {
  cluster: string;
  database: string;
}

/** Identifiers go into SQL text: refuse what could break out of a quoted name. */
export function checkClusterName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`cluster name "${name}" must be letters, digits, '_', '.' and '-'`);
  return name;
}

const onCluster = (t: ClusterTarget) => `ON CLUSTER \`${t.cluster}\``;

/** The ZooKeeper/Keeper path of a table: per shard for shard-local tables, one for the whole cluster otherwise. */
export function replicationPath(table: string): string {
  return table.endsWith(LOCAL_SUFFIX) && table.slice(0, -LOCAL_SUFFIX.length) in SHARDED
    ? `/clickhouse/tables/{shard}/{database}/${table}`
    : `/clickhouse/tables/all/{database}/${table}`;
}

/** `MergeTree`, `ReplacingMergeTree(v)`, … as their replicated engines; other engines (Null) unchanged. */
export function replicatedEngine(table: string, engine: string, args: string | undefined): string {
  if (!engine.endsWith('MergeTree')) return args === undefined ? engine : `${engine}(${args})`;
  const rest = args?.trim() ? `, ${args.trim()}` : '';
  return `Replicated${engine}('${replicationPath(table)}', '{replica}'${rest})`;
}

/** The engine of the Distributed table in front of a shard-local table (the doubling-cluster test runs it in process). */
export function distributedEngine(table: string, t: ClusterTarget): string {
  return `Distributed('${t.cluster}', '${t.database}', '${table}${LOCAL_SUFFIX}', ${SHARDED[table]})`;
}

function distributedFront(table: string, t: ClusterTarget): string {
  return `CREATE TABLE IF NOT EXISTS ${table} ${onCluster(t)} AS ${table}${LOCAL_SUFFIX} ENGINE = ${distributedEngine(table, t)}`;
}

export function createDatabase(t: ClusterTarget): string {
  return `CREATE DATABASE IF NOT EXISTS ${t.database} ${onCluster(t)}`;
}

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*)\) ENGINE = (\w+)(?:\(([^)]*)\))?([\s\S]*)$/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) (TO [\s\S]*)$/;
const ALTER_TABLE = /^ALTER TABLE (\w+) ([\s\S]*)$/;
/** ALTERs that change the columns, which the Distributed front must follow. */
const COLUMN_CHANGE = /^(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\b/;

/**
 * One migration statement in its cluster form (one or two statements). A statement of a shape this
 * does not know is a programming error: a new migration must be renderable, and the golden tests
 * (cluster-ddl.test.ts) render every one.
 */
export function renderForCluster(statement: string, t: ClusterTarget): string[] {
  const sql = statement.trim();
  const create = CREATE_TABLE.exec(sql);
  if (create) {
    const [, name, body, engine, args, rest] = create;
    const sharded = name in SHARDED;
    const table = sharded ? `${name}${LOCAL_SUFFIX}` : name;
    const local = `CREATE TABLE IF NOT EXISTS ${table} ${onCluster(t)} (${body}) ENGINE = ${replicatedEngine(table, engine, args)}${rest}`;
    return sharded ? [local, distributedFront(name, t)] : [local];
  }
  const view = CREATE_VIEW.exec(sql);
  if (view) return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${view[1]} ${onCluster(t)} ${view[2]}`];
  const alter = ALTER_TABLE.exec(sql);
  if (alter) {
    const [, name, change] = alter;
    // A table replicated to every node takes the ALTER once: replication carries it to the other
    // replicas (ON CLUSTER would run it on one replica per shard, i.e. twice on the same table).
    if (!(name in SHARDED)) return [`ALTER TABLE ${name} ${change}`];
    const local = `ALTER TABLE ${name}${LOCAL_SUFFIX} ${onCluster(t)} ${change}`;
    return COLUMN_CHANGE.test(change) ? [local, `ALTER TABLE ${name} ${onCluster(t)} ${change}`] : [local];
  }
  throw new Error(`the cluster DDL renderer does not know this statement: ${sql.slice(0, 80)}`);
}
