/**
 * `stripe check`: the run's events against the account's meters, counted in ClickHouse.
 * Per active meter: events, customers, events Stripe would reject (customer key or value key
 * missing, value not a number) and negative values; event names no active meter bills; active
 * meters that received nothing in the span; and the Metronome aggregation each meter needs.
 */
import type { Store } from '../store/store.js';
import { SqlParams, type Query } from '../store/sql.js';
import { meterColumns } from './sql.js';
import { meterByEventName, type StripeMeter } from './meters.js';
import type { MetronomeAggregation } from './metronome.js';

/** Where an example of a problem is: the source file and its 1-based line. */
export interface EventLocation {
  source: string;
  line: number;
}

export interface MeterCheck {
  meterId: string;
  displayName: string;
  eventName: string;
  formula: string;
  customerKey: string;
  valueKey: string;
  /** Events with the meter's event name. */
  events: number;
  /** Events Stripe would accept and bill: customer key present and a numeric value. */
  billableEvents: number;
  /** Distinct customers among events carrying the customer key. */
  customers: number;
  missingCustomerKey: number;
  missingValueKey: number;
  /** Value key present but not a number (Stripe rejects these). */
  nonNumericValues: number;
  /** Numeric values below zero (Stripe accepts them as corrections; review before migrating). */
  negativeValues: number;
  firstEvent: string | null;
  lastEvent: string | null;
  /** The first event (by source and line) showing each problem. */
  examples: {
    missingCustomerKey: EventLocation | null;
    missingValueKey: EventLocation | null;
    nonNumericValue: EventLocation | null;
    negativeValue: EventLocation | null;
  };
  /** idle: no events in the span; problems: some events are rejected or negative; ok otherwise. */
  finding: 'ok' | 'problems' | 'idle';
  metronome: MetronomeAggregation | null;
}

export interface UnmeteredEventName {
  eventName: string;
  events: number;
  /** The inactive meter with this event name, if one exists (it bills nothing either). */
  inactiveMeterId: string | null;
  firstEvent: string | null;
  lastEvent: string | null;
}

export interface StripeCheckResult {
  runId: string;
  checkedAt: string;
  /** Earliest / latest event of the run (ISO), null without events. */
  span: { first: string | null; last: string | null };
  events: number;
  /** Meters read: all, and active. */
  meterCount: number;
  activeMeterCount: number;
  /** One entry per active meter, in the API's order. */
  meters: MeterCheck[];
  /** Event names no active meter bills, most events first: usage that bills nothing. */
  unmetered: UnmeteredEventName[];
  /** Ids of active meters with no events in the run. */
  idleMeters: string[];
  totals: {
    unmeteredEvents: number;
    /** Events of metered names Stripe would reject (missing keys or non-numeric values). */
    rejectedEvents: number;
    negativeValues: number;
  };
}

interface NameRow {
  event_name: string;
  events: string;
  billable: string;
  customers: string;
  missing_customer: string;
  missing_value: string;
  non_numeric: string;
  negative: string;
  first: string;
  last: string;
  ex_customer: [string, string];
  ex_value: [string, string];
  ex_non_numeric: [string, string];
  ex_negative: [string, string];
}

const iso = (chTime: string | null | undefined) => (chTime ? new Date(`${chTime.replace(' ', 'T')}Z`).toISOString() : null);
const loc = (t: [string, string]): EventLocation | null => (t && Number(t[1]) > 0 ? { source: t[0], line: Number(t[1]) } : null);

/**
 * One row per event name of the run: counts, problems and the first example of each. A name is read
 * with the customer and value keys of its meter in `keyed`; a name with no meter there, with empty keys.
 */
export function checkQuery(runId: string, keyed: Map<string, Pick<StripeMeter, 'customerKey' | 'valueKey'>>): Query {
  const names = [...keyed.keys()];
  const params = new SqlParams();
  const run = params.add(runId);
  const namesP = params.add(names, 'Array(String)');
  const cks = params.add(
    names.map((n) => keyed.get(n)!.customerKey),
    'Array(String)',
  );
  const vks = params.add(
    names.map((n) => keyed.get(n)!.valueKey),
    'Array(String)',
  );
  const at = 'tuple(source, line)';
  return {
    sql: `
      SELECT event_name,
        count() AS events,
        countIf(m_customer != '' AND m_is_numeric) AS billable,
        uniqExactIf(m_customer, m_customer != '') AS customers,
        countIf(m_customer = '') AS missing_customer,
        countIf(NOT m_has_value) AS missing_value,
        countIf(m_has_value AND NOT m_is_numeric) AS non_numeric,
        countIf(m_value < 0) AS negative,
        toString(min(event_time)) AS first,
        toString(max(event_time)) AS last,
        argMinIf(${at}, ${at}, m_customer = '') AS ex_customer,
        argMinIf(${at}, ${at}, NOT m_has_value) AS ex_value,
        argMinIf(${at}, ${at}, m_has_value AND NOT m_is_numeric) AS ex_non_numeric,
        argMinIf(${at}, ${at}, m_value < 0) AS ex_negative
      FROM (
        SELECT event_name, event_time, source, line, ${meterColumns('mk_customer', 'mk_value')}
        FROM (
          SELECT *, indexOf(${namesP}, event_name) AS mi, arrayElement(${cks}, mi) AS mk_customer, arrayElement(${vks}, mi) AS mk_value
          FROM events WHERE run_id = ${run}
        )
      )
      GROUP BY event_name
      ORDER BY events DESC, event_name`,
    params: params.values,
  };
}

export async function checkRun(store: Store, runId: string, meters: StripeMeter[], now = new Date()): Promise<StripeCheckResult> {
  const { active, inactive } = meterByEventName(meters);
  // Each event name is read with the keys of the meter that bills it (active first; an inactive one for context).
  const keyed = new Map([...inactive, ...active]);
  const byName = new Map((await store.select<NameRow>(checkQuery(runId, keyed))).map((r) => [r.event_name, r]));

  const checks: MeterCheck[] = [];
  for (const m of meters) {
    if (m.status !== 'active' || active.get(m.eventName) !== m) continue;
    const r = byName.get(m.eventName);
    const n = (v: string | undefined) => Number(v ?? 0);
    const c: MeterCheck = {
      meterId: m.id,
      displayName: m.displayName,
      eventName: m.eventName,
      formula: m.formula,
      customerKey: m.customerKey,
      valueKey: m.valueKey,
      events: n(r?.events),
      billableEvents: n(r?.billable),
      customers: n(r?.customers),
      missingCustomerKey: n(r?.missing_customer),
      missingValueKey: n(r?.missing_value),
      nonNumericValues: n(r?.non_numeric),
      negativeValues: n(r?.negative),
      firstEvent: iso(r?.first),
      lastEvent: iso(r?.last),
      examples: {
        missingCustomerKey: r ? loc(r.ex_customer) : null,
        missingValueKey: r ? loc(r.ex_value) : null,
        nonNumericValue: r ? loc(r.ex_non_numeric) : null,
        negativeValue: r ? loc(r.ex_negative) : null,
      },
      finding: 'ok',
      metronome: m.metronome,
    };
    c.finding = c.events === 0 ? 'idle' : c.events !== c.billableEvents || c.negativeValues > 0 ? 'problems' : 'ok';
    checks.push(c);
  }
  const unmetered: UnmeteredEventName[] = [...byName.values()]
    .filter((r) => !active.has(r.event_name))
    .map((r) => ({
      eventName: r.event_name,
      events: Number(r.events),
      inactiveMeterId: inactive.get(r.event_name)?.id ?? null,
      firstEvent: iso(r.first),
      lastEvent: iso(r.last),
    }));
  const all = [...byName.values()];
  const times = all
    .flatMap((r) => [r.first, r.last])
    .filter(Boolean)
    .sort();
  return {
    runId,
    checkedAt: now.toISOString(),
    span: { first: iso(times[0]), last: iso(times[times.length - 1]) },
    events: all.reduce((s, r) => s + Number(r.events), 0),
    meterCount: meters.length,
    activeMeterCount: meters.filter((m) => m.status === 'active').length,
    meters: checks,
    unmetered,
    idleMeters: checks.filter((c) => c.finding === 'idle').map((c) => c.meterId),
    totals: {
      unmeteredEvents: unmetered.reduce((s, u) => s + u.events, 0),
      rejectedEvents: checks.reduce((s, c) => s + (c.events - c.billableEvents), 0),
      negativeValues: checks.reduce((s, c) => s + c.negativeValues, 0),
    },
  };
}
