import type { ClickHouseClient } from '@clickhouse/client';
import { UserError } from '../errors.js';
import { insertRows } from '../store/insert.js';

/** Saves a report model for a run so `report <run-id>` re-renders it without recomputing. */
export async function saveReport(client: ClickHouseClient, runId: string, kind: string, model: unknown): Promise<void> {
  await insertRows(client, 'reports', [{ run_id: runId, kind, model: JSON.stringify(model) }]);
}

export async function loadReport<T>(client: ClickHouseClient, runId: string, kind?: string): Promise<T> {
  const rs = await client.query({
    query: `SELECT model FROM reports FINAL WHERE run_id = {run:String} ${kind ? 'AND kind = {kind:String}' : ''} ORDER BY created_at DESC LIMIT 1`,
    query_params: { run: runId, kind },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ model: string }>();
  if (rows.length === 0) throw new UserError(`no stored report for run ${runId} (see: meterscope runs)`);
  return JSON.parse(rows[0].model) as T;
}
