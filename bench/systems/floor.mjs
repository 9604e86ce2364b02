#!/usr/bin/env node
/**
 * The floor: the same figures as `meterscope profile`, hand-written in chDB SQL straight over the file,
 * with nothing meterscope needs besides them (no line numbers, no rejects, no persisted store).
 * The file is parsed once by ClickHouse's native JSONEachRow reader into a Memory table, then
 * one query per figure group. Prints the figures (see bench/figures.ts) as JSON.
 *
 * With BENCH_FLOOR_DISK=1 (the bench's `floor-disk`), the same SQL keeps its tables on disk
 * (MergeTree, compressed, unsorted) under meterscope's memory bounds (the same spill thresholds and
 * insert blocks): what hand-written SQL costs when, like meterscope, it may not hold the log in memory.
 *
 * Usage: node bench/systems/floor.mjs <file.jsonl>
 * Payload values are read as strings (all Stripe payload values are); top values are reported as
 * their JSON text, as meterscope reports them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'chdb';

const file = process.argv[2];
if (!file) throw new Error('usage: floor.mjs <file.jsonl>');
const timing = process.env.BENCH_STEPS === '1';
// bench --memory-limit: the engine's whole memory (its Memory tables included) is capped by the server
// setting, so a floor needing more fails with MEMORY_LIMIT_EXCEEDED instead of taking the machine down.
const limit = Number(process.env.BENCH_MEMORY_LIMIT ?? 0);
const disk = process.env.BENCH_FLOOR_DISK === '1';
/** A temporary directory for the engine, removed when the process ends. */
const scratch = (prefix) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
let session;
if (disk) {
  session = new Session(scratch('bench-floor-disk-'));
  // meterscope's bounds (src/store/embedded.ts, src/ingest/ingest-settings.ts): spill past 256 MiB,
  // 100k-row insert blocks, 16k-row read blocks, the file read through a buffer (not mapped).
  const share = Math.min(0.5, 2 ** 28 / os.totalmem()).toFixed(6);
  const bounds = {
    max_bytes_before_external_group_by: 2 ** 28,
    max_bytes_before_external_sort: 2 ** 28,
    max_bytes_ratio_before_external_group_by: share,
    max_bytes_ratio_before_external_sort: share,
    min_insert_block_size_rows: 100000,
    min_insert_block_size_bytes: 2 ** 26,
    max_block_size: 16384,
    storage_file_read_method: "'pread'",
  };
  for (const [k, v] of Object.entries(bounds)) session.query(`SET ${k} = ${v}`);
} else if (limit) {
  const dir = scratch('bench-floor-');
  const config = path.join(dir, 'config.xml');
  fs.writeFileSync(config, `<clickhouse><max_server_memory_usage>${limit}</max_server_memory_usage></clickhouse>`);
  session = new Session(dir, { connectionArgs: [`--config-file=${config}`] });
} else {
  session = new Session();
}
const q = (sql, params) => {
  const t = Date.now();
  const out = params ? session.queryBind(sql, params, 'JSONCompact') : session.query(sql, 'JSONCompact');
  if (timing) process.stderr.write(`${((Date.now() - t) / 1000).toFixed(3)}s ${sql.trim().split('\n')[0].slice(0, 80)}\n`);
  return out ? JSON.parse(out).data : [];
};
const n = (v) => Number(v);
const ENGINE = disk ? 'MergeTree ORDER BY tuple()' : 'Memory';

try {
  q(
    `CREATE TABLE ev ENGINE = ${ENGINE} AS
     SELECT identifier, timestamp AS ts, event_name AS name, payload
     FROM file({file:String}, 'JSONEachRow',
       'identifier String, timestamp UInt32, event_name LowCardinality(String), payload Map(String, String)')
     SETTINGS input_format_skip_unknown_fields = 1`,
    { file },
  );

  const [[total, first, last, missing]] = q(`SELECT count(), min(ts), max(ts), countIf(payload['stripe_customer_id'] = '') FROM ev`);
  const names = Object.fromEntries(q(`SELECT name, count() FROM ev GROUP BY name`).map(([k, c]) => [k, n(c)]));

  q(`CREATE TABLE sec ENGINE = ${ENGINE} AS SELECT ts AS s, count() AS c FROM ev GROUP BY s`);
  const peaks = [1, 10, 60].map((w) => {
    const [[events, at]] = q(`SELECT max(x), argMax(s, (x, -toInt64(s))) FROM (
        SELECT s, sum(c) OVER (ORDER BY s RANGE BETWEEN CURRENT ROW AND ${w - 1} FOLLOWING) AS x FROM sec)`);
    return { w, events: n(events), at: n(at) };
  });

  const cust = q(`SELECT c, n, count() OVER () FROM (
      SELECT payload['stripe_customer_id'] AS c, count() AS n FROM ev WHERE c != '' GROUP BY c)
    ORDER BY n DESC, c LIMIT 10`);
  const customers = { distinct: n(cust[0]?.[2] ?? 0), missing: n(missing), top: cust.map(([c, k]) => [c, n(k)]) };

  q(`CREATE TABLE vals ENGINE = ${ENGINE} AS
     SELECT name, k, v, count() AS c FROM ev ARRAY JOIN payload.keys AS k, payload.values AS v
     GROUP BY name, k, v`);
  const properties = {};
  for (const [name, k, present, distinct] of q(`SELECT name, k, sum(c), count() FROM vals GROUP BY name, k`)) {
    properties[`${name}\t${k}`] = { present: n(present), distinct: n(distinct), top: [] };
  }
  for (const [name, k, v, c] of q(`SELECT name, k, toJSONString(v) AS j, c FROM vals ORDER BY name, k, c DESC, j LIMIT 10 BY name, k
    SETTINGS output_format_json_escape_forward_slashes = 0`)) {
    properties[`${name}\t${k}`].top.push([v, n(c)]);
  }

  // Only identifiers used more than once need their times: find them first (one cheap GROUP BY).
  const [[reused, d24, d34]] = q(`SELECT count(), sum(arrayCount(g -> g <= 86400, gaps)), sum(arrayCount(g -> g <= 34 * 86400, gaps)) FROM (
      SELECT arrayDifference(arraySort(groupArray(ts))) AS d, arrayPopFront(d) AS gaps FROM ev
      WHERE identifier IN (SELECT identifier FROM ev WHERE identifier != '' GROUP BY identifier HAVING count() > 1)
      GROUP BY identifier)`);
  const identity = { reused: n(reused), dup24h: n(d24), dup34d: n(d34) };

  process.stdout.write(JSON.stringify({ total: n(total), first: n(first), last: n(last), names, peaks, customers, properties, identity }) + '\n');
} finally {
  session.cleanup();
}
