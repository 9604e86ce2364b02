#!/usr/bin/env node
/**
 * DuckDB (@duckdb/node-api, in process): loads the file into its own table with read_json, then the
 * same figures as `meterscope profile` (see bench/figures.ts), one query per figure group.
 * Payload values are kept as JSON text (MAP(VARCHAR, JSON)), as meterscope keeps them.
 *
 * Usage: node bench/systems/duckdb.mjs <file.jsonl>
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) throw new Error('usage: duckdb.mjs <file.jsonl>');
const timing = process.env.BENCH_STEPS === '1';
const n = (v) => Number(v);

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = async (sql, params) => {
  const t = Date.now();
  const reader = await con.runAndReadAll(sql, params);
  if (timing) process.stderr.write(`${((Date.now() - t) / 1000).toFixed(3)}s ${sql.trim().split('\n')[0].slice(0, 80)}\n`);
  return reader.getRowsJson();
};

// bench --memory-limit: DuckDB spills what it can to a temporary directory (at most twice the limit) and fails past it.
if (process.env.BENCH_MEMORY_LIMIT) {
  await q(`SET memory_limit = '${Math.floor(Number(process.env.BENCH_MEMORY_LIMIT) / 2 ** 20)}MiB'`);
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-duckdb-'));
  process.on('exit', () => fs.rmSync(spill, { recursive: true, force: true }));
  await q(`SET temp_directory = '${spill}'`);
  // Spilled data is bounded too: by default DuckDB may fill 90 % of the free disk.
  await q(`SET max_temp_directory_size = '${Math.floor((2 * Number(process.env.BENCH_MEMORY_LIMIT)) / 2 ** 20)}MiB'`);
}

await q(
  `CREATE TABLE ev AS SELECT identifier, "timestamp" AS ts, event_name AS name, payload
  FROM read_json($file, format = 'newline_delimited',
    columns = {identifier: 'VARCHAR', "timestamp": 'BIGINT', event_name: 'VARCHAR', payload: 'MAP(VARCHAR, JSON)'})`,
  { file },
);

const [[total, first, last, missing]] = await q(`SELECT count(*), min(ts), max(ts),
  count(*) FILTER (WHERE coalesce(payload['stripe_customer_id'] ->> '$', '') = '') FROM ev`);
const names = Object.fromEntries((await q(`SELECT name, count(*) FROM ev GROUP BY name`)).map(([k, c]) => [k, n(c)]));

// RANGE frames are slow in DuckDB (seconds per window here); ROWS frames over the dense series of
// seconds give the same sums. Windows start at non-empty seconds only, as in meterscope.
await q(`CREATE TABLE sec AS SELECT ts AS s, count(*) AS c FROM ev GROUP BY s`);
await q(`CREATE TABLE dense AS SELECT g.s, coalesce(sec.c, 0) AS c
  FROM (SELECT unnest(range((SELECT min(s) FROM sec), (SELECT max(s) FROM sec) + 1)) AS s) g LEFT JOIN sec USING (s)`);
const peaks = [];
for (const w of [1, 10, 60]) {
  const [[events, at]] = await q(`SELECT x, s FROM (
      SELECT s, c, sum(c) OVER (ORDER BY s ROWS BETWEEN CURRENT ROW AND ${w - 1} FOLLOWING) AS x FROM dense)
    WHERE c > 0 ORDER BY x DESC, s LIMIT 1`);
  peaks.push({ w, events: n(events), at: n(at) });
}

const cust = await q(`SELECT c, k, count(*) OVER () FROM (
    SELECT payload['stripe_customer_id'] ->> '$' AS c, count(*) AS k FROM ev WHERE coalesce(c, '') != '' GROUP BY c)
  ORDER BY k DESC, c LIMIT 10`);
const customers = { distinct: n(cust[0]?.[2] ?? 0), missing: n(missing), top: cust.map(([c, k]) => [c, n(k)]) };

await q(`CREATE TABLE vals AS SELECT name, e.key AS k, e.value::VARCHAR AS v, count(*) AS c
  FROM (SELECT name, unnest(map_entries(payload)) AS e FROM ev) GROUP BY ALL`);
const properties = {};
for (const [name, k, present, distinct] of await q(`SELECT name, k, sum(c), count(*) FROM vals GROUP BY name, k`)) {
  properties[`${name}\t${k}`] = { present: n(present), distinct: n(distinct), top: [] };
}
for (const [name, k, v, c] of await q(`SELECT name, k, v, c FROM (
    SELECT *, row_number() OVER (PARTITION BY name, k ORDER BY c DESC, v) AS r FROM vals) WHERE r <= 10 ORDER BY name, k, r`)) {
  properties[`${name}\t${k}`].top.push([v, n(c)]);
}

const [[reused, d24, d34]] = await q(`SELECT count(DISTINCT identifier), count(*) FILTER (WHERE gap <= 86400), count(*) FILTER (WHERE gap <= 34 * 86400)
  FROM (SELECT identifier, ts - lag(ts) OVER (PARTITION BY identifier ORDER BY ts) AS gap FROM ev
        WHERE identifier IN (SELECT identifier FROM ev WHERE identifier != '' GROUP BY identifier HAVING count(*) > 1))
  WHERE gap IS NOT NULL`);
const identity = { reused: n(reused), dup24h: n(d24), dup34d: n(d34) };

process.stdout.write(JSON.stringify({ total: n(total), first: n(first), last: n(last), names, peaks, customers, properties, identity }) + '\n');
