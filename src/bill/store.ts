/**
 * Writes a bill's metrics and parity rows to the migration-8 tables (src/store/schema/008-bill.ts),
 * in slices; the usage lines and exclusions are already there (computeBill has the engine write them).
 */
import type { Store } from '../store/store.js';
import type { BillModel } from './model.js';

const SLICE = 5000;
/** ISO → the text ClickHouse parses for DateTime64 / DateTime. */
const ch = (iso: string) => iso.replace('T', ' ').replace('Z', '');
const chSeconds = (iso: string) => iso.slice(0, 19).replace('T', ' ');

async function insert(store: Store, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += SLICE) await store.insertRows(table, rows.slice(i, i + SLICE));
}

export async function saveBill(store: Store, b: BillModel): Promise<void> {
  const at = ch(b.billedAt);
  await insert(
    store,
    'bill_metrics',
    b.metrics.map((m) => ({
      bill_id: b.billId,
      run_id: b.runId,
      billed_at: at,
      metric: m.name,
      aggregation: m.aggregationType,
      aggregation_key: m.aggregationKey ?? '',
      dedup: b.settings.dedup,
      events: m.events,
      billed_events: m.billedEvents,
      excluded_events: m.excluded.events,
      detail: JSON.stringify(m),
    })),
  );
  await insert(
    store,
    'bill_parity',
    (b.parity ?? []).map((r) => ({
      bill_id: b.billId,
      run_id: b.runId,
      billed_at: at,
      metric: r.metric,
      meter_id: r.meter,
      customer: r.customer,
      period_start: chSeconds(r.periodStart),
      log_value: r.log,
      stripe_value: r.stripe,
      diff: r.diff,
      rel_diff: r.relDiff,
      status: r.status,
      error: r.error ?? '',
    })),
  );
}
