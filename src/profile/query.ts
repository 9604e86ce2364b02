/** Thin helpers over the ClickHouse client for the profile queries (parameters always bound, never inlined). */
import type { ClickHouseClient } from '@clickhouse/client';

export type Params = Record<string, unknown>;

/** Runs a SELECT and returns its rows (64-bit integers arrive as strings: convert with num()). */
export async function select<T>(client: ClickHouseClient, query: string, params: Params = {}): Promise<T[]> {
  return timed(query, async () => {
    const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  });
}

/** Runs a statement that returns no rows (INSERT … SELECT, DDL). */
export async function exec(client: ClickHouseClient, query: string, params: Params = {}): Promise<void> {
  await timed(query, () => client.command({ query, query_params: params }));
}

/**
 * Removes a run's rows from a result table before they are written again (a recomputed run).
 * Checks first: a lightweight DELETE on a table without the run's rows still costs a mutation.
 */
export async function clearRun(client: ClickHouseClient, table: string, runId: string): Promise<void> {
  const [row] = await select<{ n: string }>(client, `SELECT count() AS n FROM (SELECT 1 FROM ${table} WHERE run_id = {run:String} LIMIT 1)`, { run: runId });
  if (num(row?.n) > 0) await exec(client, `DELETE FROM ${table} WHERE run_id = {run:String}`, { run: runId });
}

/** METERSCOPE_DEBUG=sql: each profile query's wall time and opening text on stderr (where the time goes). */
async function timed<T>(query: string, run: () => Promise<T>): Promise<T> {
  if (process.env.METERSCOPE_DEBUG !== 'sql') return run();
  const started = process.hrtime.bigint();
  try {
    return await run();
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(`${ms.toFixed(0).padStart(6)} ms  ${query.replace(/\s+/g, ' ').trim().slice(0, 110)}\n`);
  }
}

/** A number from a JSON row value (UInt64 arrives quoted); null/undefined -> 0. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Like num() but keeps null (Nullable columns, NaN from empty aggregates). */
export const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Unix seconds -> ISO 8601 with milliseconds. */
export const isoOfSecond = (s: number): string => new Date(s * 1000).toISOString();
