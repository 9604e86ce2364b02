/**
 * Where the tables live: on one node (embedded chDB, one server) or sharded across a cluster. The
 * store modules that write DDL or remove rows (migrations, run-rows, run-removal) go through the
 * store's layout; code above the store never sees it (it asks `capabilities.isCluster` at most).
 */
import { LOCAL_SUFFIX, SHARDED, checkClusterName, renderForCluster, type ClusterTarget } from './cluster-ddl.js';

export interface Layout {
  /** The cluster name, for a cluster. */
  readonly cluster?: string;
  /** A migration statement as this layout runs it (a cluster may need two). */
  render(statement: string): string[];
  /**
   * `table` as the target of a row delete (`DELETE FROM …`, `ALTER TABLE … DELETE`): a sharded
   * table's rows are deleted in its shard-local tables on every node; replicated tables carry the
   * delete to every replica themselves.
   */
  rowsTarget(table: string): string;
  /** A shard's share of a Distributed table: listed by its front, never on its own. */
  isShardLocal(table: string): boolean;
  /** The table that holds `table`'s rows and parts on a node: the shard-local table of a sharded one. */
  storedName(table: string): string;
  /**
   * A query over the tables as stored on a node (and its system tables), run on every node, as one
   * relation of all their rows. `build` gets how to reference a stored table (database-qualified on
   * a cluster: a remote node's default database is not ours) and the database as an expression.
   */
  onEveryNode(build: (ref: (stored: string) => string, database: string) => string): string;
  /**
   * The table function that reads object storage (`s3`, S3-compatible endpoints) with the given
   * argument text: `s3(…)` on one node, `s3Cluster('NAME', …)` on a cluster so every node reads
   * its share of the objects (each object whole, so `_path` and `_row_number` stay per object).
   */
  objectStorageRead(args: string): string;
}

const quoted = (table: string) => `\`${table}\``;

export const SINGLE_NODE: Layout = {
  render: (statement) => [statement],
  rowsTarget: quoted,
  isShardLocal: () => false,
  storedName: (table) => table,
  onEveryNode: (build) => `(${build(quoted, 'currentDatabase()')})`,
  objectStorageRead: (args) => `s3(${args})`,
};

export function clusterLayout(cluster: string, database: string): Layout {
  const target: ClusterTarget = { cluster: checkClusterName(cluster), database };
  return {
    cluster,
    render: (statement) => renderForCluster(statement, target),
    rowsTarget: (table) => (table in SHARDED ? `${quoted(`${table}${LOCAL_SUFFIX}`)} ON CLUSTER ${quoted(cluster)}` : quoted(table)),
    isShardLocal: (table) => table.endsWith(LOCAL_SUFFIX) && table.slice(0, -LOCAL_SUFFIX.length) in SHARDED,
    storedName: (table) => (table in SHARDED ? `${table}${LOCAL_SUFFIX}` : table),
    onEveryNode: (build) => `clusterAllReplicas('${cluster}', view(${build((t) => `${database}.${quoted(t)}`, `'${database}'`)}))`,
    objectStorageRead: (args) => `s3Cluster('${cluster}', ${args})`,
  };
}
