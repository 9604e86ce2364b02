/**
 * Checks users hit when they cut over to a provider, each one read of `events`:
 * - identity and value limits: identifiers and event names over the published lengths, values that
 *   are not whole numbers (Stripe) or missing;
 * - the busiest second of one customer and event name (Stripe v1 takes one call at a time per
 *   customer and meter), and how many such seconds need more calls than one connection carries
 *   (customer-meter.ts);
 * - near-duplicates: events with the same customer, event name, time and payload as another but a
 *   different identifier (a retry that minted a new id): both providers bill each copy.
 */
import type { Store } from '../store/store.js';
import type { CutoverChecks, NearDuplicateExample } from './model.js';
import { IDENTITY_LIMITS } from '../fit/limits.js';
import { num, numOrNull, type Query } from '../store/sql.js';
import { busiestCustomerSeconds, customerMeterSlices } from './customer-meter.js';

const EXAMPLES = 5;

export function identityLimitsQuery(runId: string): Query {
  return {
    sql: `SELECT countIf(lengthUTF8(identifier) > {sid:UInt32}) AS id_stripe, countIf(lengthUTF8(identifier) > {mid:UInt32}) AS id_metronome,
       countIf(lengthUTF8(event_name) > {sname:UInt32}) AS name_stripe,
       countIf(isNotNull(value) AND value != floor(value)) AS fractional, countIf(isNull(value)) AS no_value, sum(ifNull(value, 0)) AS total_value
     FROM events WHERE run_id = {run:String}`,
    params: {
      run: runId,
      sid: IDENTITY_LIMITS.stripe.identifierMaxChars,
      mid: IDENTITY_LIMITS.metronome.transactionIdMaxChars,
      sname: IDENTITY_LIMITS.stripe.eventNameMaxChars,
    },
  };
}

/**
 * Groups of events sharing customer, event name, time (ms) and payload (keys sorted, so key order
 * does not matter) that carry more than one identifier (an empty identifier counts as its own: Stripe
 * mints one per event). Each group bills (identifiers − 1) events too many, each of the same value.
 * Only events whose customer, name, time and value hash is shared by another event can be in such a
 * group (the value is read from the payload, so copies share it), so the payload grouping and its
 * per-group identifier sets run on those alone (a collision only adds candidates): 1M events,
 * 4.1 → 0.3 CPU s; the value in the hash leaves out events that merely share a millisecond: 20M
 * events, 15.6 → 6.2 CPU s.
 */
export function nearDuplicatesQuery(runId: string): Query {
  return {
    sql: `SELECT count() AS groups, sum(extra) AS events, sum(extra * ifNull(v, 0)) AS value,
       groupArraySorted(${EXAMPLES})(tuple(t, customer, event_name, ids, extra + 1, v)) AS examples
     FROM (
       SELECT customer, event_name, toUnixTimestamp64Milli(event_time) AS t, any(value) AS v,
         uniqExactIf(identifier, identifier != '') + countIf(identifier = '') - 1 AS extra,
         arraySlice(arraySort(groupUniqArray(identifier)), 1, 3) AS ids
       FROM events WHERE run_id = {run:String} AND cityHash64(customer, event_name, event_time, ifNull(value, nan)) GLOBAL IN (
         SELECT cityHash64(customer, event_name, event_time, ifNull(value, nan)) AS h FROM events WHERE run_id = {run:String}
         GROUP BY h HAVING count() > 1)
       GROUP BY customer, event_name, event_time, arraySort(arrayZip(mapKeys(properties), mapValues(properties)))
       HAVING extra > 0)`,
    params: { run: runId },
  };
}

type ExampleRow = [unknown, unknown, unknown, unknown[], unknown, unknown];

/** `events`: the run's events (the customer × meter check is sliced by it, see customer-meter.ts). */
export async function computeCutover(store: Store, runId: string, assumedLatencyMs: number, events = 0): Promise<CutoverChecks> {
  const [ids] = await store.select<Record<string, string>>(identityLimitsQuery(runId));
  const sequential = 1000 / assumedLatencyMs;
  const cm = await busiestCustomerSeconds(store, runId, sequential, customerMeterSlices(events));
  const [nd] = await store.select<{ groups: string; events: string; value: number; examples: ExampleRow[] }>(nearDuplicatesQuery(runId));
  const totalValue = num(ids?.total_value);
  const peak = num(cm?.peak);
  const example = ([t, customer, eventName, identifiers, events, v]: ExampleRow): NearDuplicateExample => ({
    at: new Date(num(t)).toISOString(),
    customer: String(customer),
    eventName: String(eventName),
    identifiers: identifiers.map(String),
    events: num(events),
    value: numOrNull(v),
  });
  const ndValue = num(nd?.value);
  return {
    identifiersOverStripeLimit: num(ids?.id_stripe),
    identifiersOverMetronomeLimit: num(ids?.id_metronome),
    eventNamesOverStripeLimit: num(ids?.name_stripe),
    fractionalValues: num(ids?.fractional),
    withoutValue: num(ids?.no_value),
    totalValue,
    customerMeter: {
      peakEvents: peak,
      customer: cm && peak ? String(cm.top[0]) : null,
      eventName: cm && peak ? String(cm.top[1]) : null,
      at: cm && peak ? new Date(num(cm.top[2]) * 1000).toISOString() : null,
      assumedLatencyMs,
      sequentialEventsPerSecond: sequential,
      secondsOverSequential: num(cm?.over),
      pairsOverSequential: num(cm?.pairs),
    },
    nearDuplicates: {
      groups: num(nd?.groups),
      events: num(nd?.events),
      value: ndValue,
      valueShare: totalValue ? ndValue / totalValue : 0,
      examples: (nd?.examples ?? []).map(example),
    },
  };
}
