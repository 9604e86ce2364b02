/** Writes the Stripe results to the migration-5 tables (see src/store/schema/005-stripe.ts). */
import type { Store } from '../store/store.js';
import type { StripeMeter } from './meters.js';
import type { StripeCheckResult } from './check.js';
import type { ReconcileResult } from './reconcile.js';

/** ISO → the 'YYYY-MM-DD hh:mm:ss.sss' text ClickHouse parses for DateTime64. */
const ch = (iso: string | null) => (iso ? iso.replace('T', ' ').replace('Z', '') : null);
const chSeconds = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export async function saveMeters(store: Store, runId: string, purpose: string, meters: StripeMeter[], takenAt: string): Promise<void> {
  await store.insertRows(
    'stripe_meters',
    meters.map((m) => ({
      run_id: runId,
      taken_at: ch(takenAt),
      purpose,
      meter_id: m.id,
      display_name: m.displayName,
      event_name: m.eventName,
      status: m.status,
      formula: m.formula,
      customer_key: m.customerKey,
      value_key: m.valueKey,
      event_time_window: m.eventTimeWindow ?? '',
      dimension_keys: m.dimensionKeys,
      livemode: m.livemode,
      metronome_aggregation: m.metronome?.aggregationType ?? '',
      metronome_aggregation_key: m.metronome?.aggregationKey ?? '',
      metronome_alternative: m.metronome?.alternative ?? '',
      detail: JSON.stringify(m),
    })),
  );
}

export async function saveCheck(store: Store, r: StripeCheckResult): Promise<void> {
  const rows: Record<string, unknown>[] = r.meters.map((c) => ({
    run_id: r.runId,
    checked_at: ch(r.checkedAt),
    finding: c.finding,
    event_name: c.eventName,
    meter_id: c.meterId,
    formula: c.formula,
    customer_key: c.customerKey,
    value_key: c.valueKey,
    events: c.events,
    billable_events: c.billableEvents,
    customers: c.customers,
    missing_customer_key: c.missingCustomerKey,
    missing_value_key: c.missingValueKey,
    non_numeric_values: c.nonNumericValues,
    negative_values: c.negativeValues,
    first_event: ch(c.firstEvent),
    last_event: ch(c.lastEvent),
    metronome_aggregation: c.metronome?.aggregationType ?? '',
    metronome_aggregation_key: c.metronome?.aggregationKey ?? '',
    detail: JSON.stringify(c),
  }));
  for (const u of r.unmetered) {
    rows.push({
      run_id: r.runId,
      checked_at: ch(r.checkedAt),
      finding: u.inactiveMeterId ? 'inactive-meter' : 'unmetered',
      event_name: u.eventName,
      meter_id: u.inactiveMeterId ?? '',
      events: u.events,
      first_event: ch(u.firstEvent),
      last_event: ch(u.lastEvent),
      detail: JSON.stringify(u),
    });
  }
  await store.insertRows('stripe_checks', rows);
}

/** Inserts in slices so a reconcile over many customers never builds one huge insert. */
const SLICE = 5000;

export async function saveReconcile(store: Store, r: ReconcileResult): Promise<void> {
  const granularity = new Map(r.meters.map((m) => [m.meterId, m.granularity]));
  const rows = r.rows.map((x) => ({
    run_id: r.runId,
    reconciled_at: ch(r.reconciledAt),
    meter_id: x.meterId,
    event_name: x.eventName,
    formula: x.formula,
    granularity: granularity.get(x.meterId) ?? r.granularity,
    customer: x.customer,
    window_start: chSeconds(x.windowStart),
    window_end: chSeconds(x.windowEnd),
    log_events: x.logEvents,
    log_value: x.logValue,
    stripe_value: x.stripeValue,
    difference: x.difference,
    status: x.status,
    error: x.error ?? '',
  }));
  for (let i = 0; i < rows.length; i += SLICE) await store.insertRows('stripe_reconcile', rows.slice(i, i + SLICE));
}
