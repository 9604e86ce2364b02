/**
 * Cluster mode against a real ClickHouse cluster: `npm run test:cluster`, not part of `npm test`
 * (it needs docker-compose.cluster.yml running: two shards, ClickHouse Keeper, MinIO). Skipped,
 * with a message saying how to start it, when node 1 does not answer.
 *
 * Environment (defaults match docker-compose.cluster.yml): CLUSTER_URL (node 1, the one meterscope
 * talks to), CLUSTER_URL_2 (node 2, read directly to see its shard), CLICKHOUSE_USER,
 * CLICKHOUSE_PASSWORD, METERSCOPE_CLUSTER; CLUSTER_COMPOSE_FILE, and CLUSTER_STOP_SHARD=0 to skip
 * the test that stops node 2 with `docker compose stop`.
 *
 * Local files are streamed to the cluster through inserts; `s3://` sources are read from MinIO by
 * the nodes themselves with s3Cluster (MINIO_URL is MinIO as the nodes reach it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLog } from '../test/support/generate-log.js';
import { ROOT, runCli, tempDir } from '../test/support/helpers.js';

const URL1 = process.env.CLUSTER_URL ?? 'http://localhost:8123';
const URL2 = process.env.CLUSTER_URL_2 ?? 'http://localhost:8124';
const USER = process.env.CLICKHOUSE_USER ?? 'meterscope';
const PASSWORD = process.env.CLICKHOUSE_PASSWORD ?? 'meterscope';
const CLUSTER = process.env.METERSCOPE_CLUSTER ?? 'meterscope_cluster';
const COMPOSE = process.env.CLUSTER_COMPOSE_FILE ?? path.join(ROOT, 'docker-compose.cluster.yml');
const DATABASE = `meterscope_cluster_test_${process.pid}`;
const MINIO = process.env.MINIO_URL ?? 'http://minio:9000';
const MINIO_KEYS = { AWS_ACCESS_KEY_ID: 'meterscope', AWS_SECRET_ACCESS_KEY: 'meterscope-minio' };

const node = (url: string): ClickHouseClient => createClient({ url, username: USER, password: PASSWORD, request_timeout: 30_000 });

async function answers(url: string): Promise<boolean> {
  const c = createClient({ url, username: USER, password: PASSWORD, request_timeout: 2_000, log: { level: ClickHouseLogLevel.OFF } });
  try {
    return (await c.ping()).success;
  } finally {
    await c.close();
  }
}

const reachable = await answers(URL1);
if (!reachable) {
  console.warn(
    `test:cluster skipped: no ClickHouse cluster node answers at ${URL1}. Start one with\n` +
      `  docker compose -f docker-compose.cluster.yml up -d --wait\nthen run npm run test:cluster again (see README, "Development").`,
  );
}

const server = ['--clickhouse', URL1, '--ch-user', USER, '--ch-database', DATABASE, '--cluster', CLUSTER];
const env = { CLICKHOUSE_PASSWORD: PASSWORD };
const dir = tempDir('meterscope-cluster-');

async function rowsOf<T>(c: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await c.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** The report without what differs by run and store: run id, store, timings, generation time. */
function comparable(json: string): unknown {
  const strip = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(strip);
    if (o && typeof o === 'object') {
      return Object.fromEntries(
        Object.entries(o)
          .filter(([k]) => !/^(runId|run_id|generatedAt|computeSeconds|seconds|store|createdAt|startedAt|finishedAt)$/.test(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return o;
  };
  return strip(JSON.parse(json));
}

describe.skipIf(!reachable)('cluster mode against docker-compose.cluster.yml', () => {
  const n1 = node(URL1);
  const n2 = node(URL2);
  let runId = '';

  afterAll(async () => {
    await n1.command({ query: `DROP DATABASE IF EXISTS ${DATABASE} ON CLUSTER \`${CLUSTER}\` SYNC` }).catch(() => {});
    await Promise.all([n1.close(), n2.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the migrations once: a second run changes nothing', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['runs', ...server], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const applied = await rowsOf<{ n: string; v: string }>(n1, `SELECT count() AS n, uniqExact(version) AS v FROM ${DATABASE}.schema_migrations`);
    expect(Number(applied[0].n)).toBe(Number(applied[0].v));
    for (const c of [n1, n2]) {
      const tables = await rowsOf<{ name: string; engine: string }>(
        c,
        `SELECT name, engine FROM system.tables WHERE database = {db:String} AND name IN ('events', 'events_local', 'runs')`,
        {
          db: DATABASE,
        },
      );
      expect(Object.fromEntries(tables.map((t) => [t.name, t.engine]))).toEqual({
        events: 'Distributed',
        events_local: 'ReplicatedMergeTree',
        runs: 'ReplicatedReplacingMergeTree',
      });
    }
  });

  it('gives the same report as the embedded engine for the same files', async () => {
    const file = path.join(dir, 'log.jsonl');
    await generateLog(file, { events: 50_000, seed: 21, duplicateRate: 0.02, malformedRate: 0.005 });
    const embedded = await runCli(['profile', file, '--json', '--data-dir', path.join(dir, 'embedded')]);
    expect(embedded.code, embedded.stderr).toBe(0);
    const cluster = await runCli(['profile', file, '--json', ...server], { env, timeoutMs: 300_000 });
    expect(cluster.code, cluster.stderr).toBe(0);
    runId = JSON.parse(cluster.stdout).runId;
    expect(comparable(cluster.stdout)).toEqual(comparable(embedded.stdout));
    expect(JSON.parse(cluster.stdout).store).toContain(`ClickHouse cluster ${CLUSTER}`);
  }, 600_000);

  it('reads s3:// objects on every node (s3Cluster) and gives the report of the same local files', async () => {
    const lines = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split(/(?<=\n)/);
    const prefix = `run-${process.pid}`;
    const parts = [0, 1, 2].map((i) => lines.slice(Math.floor((i * lines.length) / 3), Math.floor(((i + 1) * lines.length) / 3)).join(''));
    const localDir = path.join(dir, 'parts');
    fs.mkdirSync(localDir, { recursive: true });
    for (const [i, text] of parts.entries()) {
      fs.writeFileSync(path.join(localDir, `part-${i}.jsonl`), text);
      // Node 1 writes each object to MinIO itself (RawBLOB keeps the bytes as they are).
      await n1.exec({
        query: `INSERT INTO FUNCTION s3('${MINIO}/meterscope-logs/${prefix}/part-${i}.jsonl', 'meterscope', 'meterscope-minio', 'RawBLOB', 'b String') SETTINGS s3_truncate_on_insert = 1 FORMAT RawBLOB`,
        values: Readable.from([Buffer.from(text)]),
      });
    }
    const local = await runCli(['profile', path.join(localDir, '*.jsonl'), '--json', '--data-dir', path.join(dir, 'embedded-parts')]);
    expect(local.code, local.stderr).toBe(0);
    const fromS3 = await runCli(['profile', `s3://meterscope-logs/${prefix}/*.jsonl`, '--s3-endpoint', MINIO, '--json', ...server], {
      env: { ...env, ...MINIO_KEYS },
      timeoutMs: 300_000,
    });
    expect(fromS3.code, fromS3.stderr).toBe(0);
    expect(fromS3.stdout + fromS3.stderr).not.toContain(MINIO_KEYS.AWS_SECRET_ACCESS_KEY);
    const named = (json: string, from: string) => comparable(json.split(from).join('PARTS/'));
    expect(named(fromS3.stdout, `s3://meterscope-logs/${prefix}/`)).toEqual(named(local.stdout, `${localDir}/`));
    const s3Run = JSON.parse(fromS3.stdout).runId as string;
    for (const c of [n1, n2]) {
      const [held] = await rowsOf<{ n: string }>(c, `SELECT count() AS n FROM ${DATABASE}.events_local WHERE run_id = {run:String}`, { run: s3Run });
      expect(Number(held.n)).toBeGreaterThan(1000);
    }
  }, 600_000);

  it('stores events on both shards, every identifier on one shard only', async () => {
    expect(runId).not.toBe('');
    const ids = async (c: ClickHouseClient) =>
      new Set(
        (await rowsOf<{ identifier: string }>(c, `SELECT DISTINCT identifier FROM ${DATABASE}.events_local WHERE run_id = {run:String}`, { run: runId })).map(
          (r) => r.identifier,
        ),
      );
    const [a, b] = [await ids(n1), await ids(n2)];
    expect(a.size).toBeGreaterThan(1000);
    expect(b.size).toBeGreaterThan(1000);
    expect([...a].filter((id) => b.has(id))).toEqual([]);
  });

  it('a wrong password is one sentence, and the password reaches no log', async () => {
    const wrong = `wrong-${process.pid}-pw`;
    const r = await runCli(['runs', ...server], { env: { CLICKHOUSE_PASSWORD: wrong } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/authentication failed/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    await n1.command({ query: `SYSTEM FLUSH LOGS ON CLUSTER \`${CLUSTER}\`` });
    const logged = await rowsOf<{ n: string }>(n1, `SELECT count() AS n FROM clusterAllReplicas('${CLUSTER}', system.query_log) WHERE query LIKE {p:String}`, {
      p: `%${wrong}%`,
    });
    expect(Number(logged[0].n)).toBe(0);
  });

  it.skipIf(process.env.CLUSTER_STOP_SHARD === '0')(
    'a stopped shard gives a clear error, not a partial report',
    async () => {
      const compose = (...args: string[]) => execFileSync('docker', ['compose', '-f', COMPOSE, ...args], { stdio: 'ignore', timeout: 120_000 });
      compose('stop', 'clickhouse-2');
      try {
        // Checked when the store opens (every node is asked for the database), before anything is stored.
        for (const args of [
          ['profile', path.join(dir, 'log.jsonl'), '--json'],
          ['report', runId, '--json'],
        ]) {
          const r = await runCli([...args, ...server], { env, timeoutMs: 300_000 });
          expect(r.code, args[0]).toBe(2);
          expect(r.stdout).toBe('');
          expect(r.stderr.trim().split('\n')).toHaveLength(1);
          expect(r.stderr).toContain(`a shard of cluster "${CLUSTER}" cannot be reached`);
        }
      } finally {
        compose('start', 'clickhouse-2');
        const until = Date.now() + 120_000;
        while (!(await answers(URL2)) && Date.now() < until) await sleep(500);
      }
    },
    600_000,
  );
});
