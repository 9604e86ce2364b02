/**
 * Golden tests of the cluster DDL: every migration statement rendered for a cluster, compared with
 * the reviewed text in __golden__/cluster-ddl.sql (a new migration changes it: review the diff), and
 * the properties the cluster relies on checked one by one.
 */
import { describe, expect, it } from 'vitest';
import { allStatements } from './migrations.js';
import { renderForCluster, replicatedEngine, checkClusterName, createDatabase } from './cluster-ddl.js';
import { SINGLE_NODE, clusterLayout } from './layout.js';
import { clusterProblem } from './cluster.js';
import { resolveStoreOptions } from './open.js';

const target = { cluster: 'meterscope_cluster', database: 'meterscope' };
const rendered = allStatements().flatMap((s) => renderForCluster(s, target));
const creates = rendered.filter((s) => s.startsWith('CREATE TABLE'));
const tableOf = (sql: string) => /^(?:CREATE TABLE IF NOT EXISTS|ALTER TABLE) (\w+)/.exec(sql)![1];

describe('cluster DDL', () => {
  it('matches the reviewed rendering of every migration', async () => {
    await expect(`${rendered.join(';\n\n')};\n`).toMatchFileSnapshot('./__golden__/cluster-ddl.sql');
  });

  it('runs every statement on every node, but ALTERs of tables whose replication carries them', () => {
    for (const sql of rendered) {
      if (/^ALTER TABLE (?!events|rejects)/.test(sql)) expect(sql).not.toContain('ON CLUSTER');
      else expect(sql).toContain('ON CLUSTER `meterscope_cluster`');
    }
  });

  it('shards events and rejects: replicated local tables per shard behind Distributed tables', () => {
    const byTable = new Map(creates.map((s) => [tableOf(s), s]));
    expect(byTable.get('events_local')).toMatch(
      /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/events_local', '\{replica\}'\) ORDER BY \(run_id, event_time\)$/,
    );
    expect(byTable.get('rejects_local')).toMatch(/ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/rejects_local', '\{replica\}'\)/);
    expect(byTable.get('events')).toBe(
      "CREATE TABLE IF NOT EXISTS events ON CLUSTER `meterscope_cluster` AS events_local ENGINE = Distributed('meterscope_cluster', 'meterscope', 'events_local', cityHash64(identifier))",
    );
    expect(byTable.get('rejects')).toMatch(/AS rejects_local ENGINE = Distributed\('meterscope_cluster', 'meterscope', 'rejects_local', cityHash64\(source, line\)\)$/);
  });

  it('replicates every other table on every node under one path, keeping its engine arguments', () => {
    const others = creates.filter((s) => !/^CREATE TABLE IF NOT EXISTS (events|rejects)(_local)? /.test(s));
    expect(others.length).toBeGreaterThan(15);
    for (const sql of others) {
      if (/ENGINE = Null$/.test(sql)) continue;
      expect(sql).toMatch(new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/all/\\{database\\}/${tableOf(sql)}', '\\{replica\\}'`));
    }
    expect(creates.find((s) => tableOf(s) === 'runs')).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/runs', '{replica}', updated_at) ORDER BY run_id",
    );
    expect(rendered.join('\n')).not.toMatch(/ENGINE = (Replacing)?MergeTree\b/);
  });

  it('sends ALTERs of events to the shard tables, column changes to the Distributed table too', () => {
    expect(rendered).toContain(
      'ALTER TABLE events_local ON CLUSTER `meterscope_cluster` MODIFY SETTING min_bytes_for_wide_part = 4294967296, min_rows_for_wide_part = 1000000000',
    );
    expect(renderForCluster('ALTER TABLE events ADD COLUMN IF NOT EXISTS x UInt8', target)).toEqual([
      'ALTER TABLE events_local ON CLUSTER `meterscope_cluster` ADD COLUMN IF NOT EXISTS x UInt8',
      'ALTER TABLE events ON CLUSTER `meterscope_cluster` ADD COLUMN IF NOT EXISTS x UInt8',
    ]);
    expect(renderForCluster('ALTER TABLE runs ADD COLUMN IF NOT EXISTS pid UInt32 DEFAULT 0', target)).toEqual([
      'ALTER TABLE runs ADD COLUMN IF NOT EXISTS pid UInt32 DEFAULT 0',
    ]);
  });

  it('creates the ingest views on every node, writing into the Distributed tables', () => {
    expect(rendered.find((s) => s.includes('ingest_events_mv'))).toMatch(
      /^CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_events_mv ON CLUSTER `meterscope_cluster` TO events AS/,
    );
  });

  it('refuses a statement it does not know, and a cluster name that could break out of its quotes', () => {
    expect(() => renderForCluster('DROP TABLE events', target)).toThrow(/does not know/);
    expect(() => checkClusterName("c'); DROP TABLE x; --")).toThrow(/letters, digits/);
    expect(replicatedEngine('t', 'Null', undefined)).toBe('Null');
  });
});

describe('layouts', () => {
  const cluster = clusterLayout('meterscope_cluster', 'meterscope');

  it('leaves single-node statements as written', () => {
    for (const s of allStatements()) expect(SINGLE_NODE.render(s)).toEqual([s]);
    expect(SINGLE_NODE.rowsTarget('events')).toBe('`events`');
    expect(SINGLE_NODE.objectStorageRead("'u', 'JSONLines'")).toBe("s3('u', 'JSONLines')");
  });

  it('deletes sharded rows in the shard tables on every node, replicated rows where they are', () => {
    expect(cluster.rowsTarget('events')).toBe('`events_local` ON CLUSTER `meterscope_cluster`');
    expect(cluster.rowsTarget('rejects')).toBe('`rejects_local` ON CLUSTER `meterscope_cluster`');
    expect(cluster.rowsTarget('reports')).toBe('`reports`');
    expect([cluster.isShardLocal('events_local'), cluster.isShardLocal('events'), cluster.isShardLocal('runs_local')]).toEqual([true, false, false]);
  });

  it('runs per-node queries on every node, naming stored tables with the database', () => {
    expect(cluster.storedName('events')).toBe('events_local');
    expect(cluster.storedName('runs')).toBe('runs');
    expect(cluster.onEveryNode((ref, db) => `SELECT count() FROM ${ref('events_local')} WHERE ${db} != ''`)).toBe(
      "clusterAllReplicas('meterscope_cluster', view(SELECT count() FROM meterscope.`events_local` WHERE 'meterscope' != ''))",
    );
    expect(SINGLE_NODE.onEveryNode((ref, db) => `SELECT count() FROM ${ref('events')} WHERE ${db} != ''`)).toBe(
      "(SELECT count() FROM `events` WHERE currentDatabase() != '')",
    );
  });

  it('creates the database on every node and reads object storage with s3Cluster', () => {
    expect(createDatabase(target)).toBe('CREATE DATABASE IF NOT EXISTS meterscope ON CLUSTER `meterscope_cluster`');
    expect(cluster.objectStorageRead("'u', 'JSONLines'")).toBe("s3Cluster('meterscope_cluster', 'u', 'JSONLines')");
  });
});

describe('where credentials can appear', () => {
  it('never in the DDL: shards connect as the remote_servers config says, not with anything meterscope sends', () => {
    // Comments are the migrations' own prose ("what the user named"); the engine clauses are what a cluster adds.
    const engines = rendered.map((s) => s.replace(/COMMENT '[^']*'/g, '')).join('\n');
    expect(engines).not.toMatch(/password|secret|\buser\b|@/i);
  });

  it('never in a cluster sentence: it names the URL as already masked, and the shard error first line', () => {
    const err = Object.assign(new Error('Code: 279. All connection tries failed. Log:\n\nhost ch2:9000'), { code: '279', type: 'ALL_CONNECTION_TRIES_FAILED' });
    expect(clusterProblem(err, 'meterscope_cluster', 'http://default:***@ch1:8123')).toBe(
      'a shard of cluster "meterscope_cluster" cannot be reached from ClickHouse at http://default:***@ch1:8123 (Code: 279. All connection tries failed. Log:); every shard must answer for exact figures: start it, or check system.clusters',
    );
    expect(clusterProblem(new Error('Code: 60. Unknown table'), 'c', 'http://h')).toBeUndefined();
  });
});

describe('choosing cluster mode', () => {
  it('takes --cluster and METERSCOPE_CLUSTER with a server; the variable alone leaves an embedded store alone', () => {
    const env = { METERSCOPE_CLUSTER: 'from_env' };
    expect(resolveStoreOptions({ url: 'http://h:8123' }, env).cluster).toBe('from_env');
    expect(resolveStoreOptions({ url: 'http://h:8123', cluster: 'flag' }, env).cluster).toBe('flag');
    expect(resolveStoreOptions({}, env).cluster).toBeUndefined();
    expect(resolveStoreOptions({}, { ...env, CLICKHOUSE_URL: 'http://h:8123' }).cluster).toBe('from_env');
    expect(resolveStoreOptions({ cluster: 'flag' }, {}).cluster).toBe('flag');
  });
});
