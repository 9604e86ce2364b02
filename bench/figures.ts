/**
 * The figures every benchmarked system must compute, in one comparable shape, and the check that
 * they agree. A timing counts only when its system produced exactly the reference figures.
 */

export interface Peak {
  /** window in seconds */
  w: number;
  events: number;
  /** first second (unix) of the busiest window; the earliest wins ties */
  at: number;
}

export interface PropertyFigures {
  present: number;
  distinct: number;
  /** [JSON text of the value, events] — 10 most frequent, by count desc then text */
  top: [string, number][];
}

export interface Figures {
  total: number;
  /** unix seconds of the first and last event */
  first: number;
  last: number;
  /** events per event name */
  names: Record<string, number>;
  /** sliding peaks over 1, 10 and 60 s windows */
  peaks: Peak[];
  customers: { distinct: number; missing: number; top: [string, number][] };
  /** key "event name \t payload key" */
  properties: Record<string, PropertyFigures>;
  /** identifiers used more than once; events reusing an identifier within 24 h / 34 d of its previous use */
  identity: { reused: number; dup24h: number; dup34d: number };
}

/** The subset of meterscope's JSON report (docs/json-report.md) that the figures come from. */
interface Report {
  events: { total: number; first: string | null; last: string | null };
  eventNames: { name: string; count: number }[];
  rate: { peak: Record<string, { windowSeconds: number; events: number; at: string | null }> };
  customers: { distinct: number; missing: number; top: { customer: string; count: number }[] };
  properties: { eventName: string; key: string; present: number; distinct: number; distinctExact: boolean; topValues: { value: string; count: number }[] }[];
  identity: { reusedIdentifiers: number; duplicates24h: number; duplicates34d: number };
}

const unix = (iso: string | null) => (iso === null ? 0 : Math.floor(Date.parse(iso) / 1000));

/** Extracts the figures from `meterscope profile --json` output. */
export function figuresFromReport(r: Report): Figures {
  const properties: Record<string, PropertyFigures> = {};
  for (const p of r.properties) {
    // An estimate never equals an exact count by design; say so instead of reporting a mismatch.
    if (!p.distinctExact) throw new Error(`meterscope estimated (not counted) the distinct values of ${p.eventName}.${p.key}`);
    properties[`${p.eventName}\t${p.key}`] = { present: p.present, distinct: p.distinct, top: p.topValues.map((t) => [t.value, t.count]) };
  }
  return {
    total: r.events.total,
    first: unix(r.events.first),
    last: unix(r.events.last),
    names: Object.fromEntries(r.eventNames.map((n) => [n.name, n.count])),
    peaks: [1, 10, 60].map((w) => {
      const p = r.rate.peak[`${w}s`];
      return { w, events: p.events, at: unix(p.at) };
    }),
    customers: { distinct: r.customers.distinct, missing: r.customers.missing, top: r.customers.top.map((t) => [t.customer, t.count]) },
    properties,
    identity: { reused: r.identity.reusedIdentifiers, dup24h: r.identity.duplicates24h, dup34d: r.identity.duplicates34d },
  };
}

/** Every difference between two sets of figures, as readable lines (empty = they agree). */
export function diffFigures(expected: Figures, actual: Figures): string[] {
  const out: string[] = [];
  const same = (path: string, a: unknown, b: unknown) => {
    const ja = JSON.stringify(a);
    const jb = JSON.stringify(b);
    if (ja !== jb) out.push(`${path}: expected ${clip(ja)}, got ${clip(jb)}`);
  };
  same('total', expected.total, actual.total);
  same('first', expected.first, actual.first);
  same('last', expected.last, actual.last);
  same('names', sorted(expected.names), sorted(actual.names));
  same('peaks', expected.peaks, actual.peaks);
  same('customers.distinct', expected.customers.distinct, actual.customers.distinct);
  same('customers.missing', expected.customers.missing, actual.customers.missing);
  same('customers.top', expected.customers.top, actual.customers.top);
  same('property keys', Object.keys(expected.properties).sort(), Object.keys(actual.properties).sort());
  for (const k of Object.keys(expected.properties).sort()) {
    const a = actual.properties[k];
    if (!a) continue;
    const e = expected.properties[k];
    const name = k.replace('\t', '.');
    same(`${name}.present`, e.present, a.present);
    same(`${name}.distinct`, e.distinct, a.distinct);
    same(`${name}.top`, e.top, a.top);
  }
  same('identity', expected.identity, actual.identity);
  return out;
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const clip = (s: string | undefined) => (s === undefined ? 'nothing' : s.length > 200 ? `${s.slice(0, 200)}…` : s);
