/** Stored report models: `report <run-id>` re-renders one without recomputing. */
import { UserError } from '../errors.js';
import type { Store } from './store.js';

export async function saveReport(store: Store, runId: string, kind: string, model: unknown): Promise<void> {
  await store.insertRows('reports', [{ run_id: runId, kind, model: JSON.stringify(model) }]);
}

export async function loadReport<T>(store: Store, runId: string, kind?: string): Promise<T> {
  const rows = await store.select<{ model: string }>(
    `SELECT model FROM reports FINAL WHERE run_id = {run:String} ${kind ? 'AND kind = {kind:String}' : ''} ORDER BY created_at DESC LIMIT 1`,
    { run: runId, kind },
  );
  if (rows.length === 0) throw new UserError(`no stored report for run ${runId} (see: meterscope runs)`);
  return JSON.parse(rows[0].model) as T;
}
