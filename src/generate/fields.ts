/**
 * SQL for the content of one event, drawn from hashes of (seed, row): event name, customer,
 * identifier, value, payload properties. Content is keyed by `src` (the event itself, or the
 * earlier event a duplicate re-sends), the time by the event's own row `i`.
 */
import type { PropertySpec, ResolvedOptions } from './options.js';
import { TAG, hashSql, skewedRankSql, uniformSql } from './random.js';
import type { Writer } from './codec.js';

/** Built-in value pools for common dimension keys (used when the cardinality fits). */
const POOLS: Record<string, string[]> = {
  region: [
    'us-east-1',
    'eu-west-1',
    'us-west-2',
    'ap-southeast-1',
    'eu-central-1',
    'ap-northeast-1',
    'us-east-2',
    'sa-east-1',
    'ca-central-1',
    'ap-south-1',
    'eu-north-1',
    'ap-southeast-2',
    'eu-west-2',
    'us-west-1',
    'me-south-1',
    'af-south-1',
  ],
  tier: ['free', 'pro', 'team', 'enterprise', 'starter', 'business'],
  plan: ['free', 'pro', 'team', 'enterprise', 'starter', 'business'],
  model: [
    'atlas-small',
    'atlas-large',
    'atlas-mini',
    'boreal-base',
    'boreal-xl',
    'cirrus-embed',
    'atlas-medium',
    'cirrus-rerank',
    'delta-vision',
    'echo-code',
    'delta-audio',
    'echo-chat',
    'boreal-lite',
    'cirrus-embed-large',
    'atlas-reasoning',
    'echo-agent',
  ],
  method: ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'],
  endpoint: ['/v1/chat', '/v1/embeddings', '/v1/images', '/v1/search', '/v1/files', '/v1/audio', '/v1/batch', '/v1/moderations'],
  environment: ['production', 'staging', 'development'],
  currency: ['usd', 'eur', 'gbp', 'jpy', 'cad', 'aud'],
};

/** Zipf exponent of property values. */
const PROPERTY_SKEW = 0.8;

/** The SQL pieces of one event (strings already encoded for the output syntax). */
export interface EventSql {
  /** Identifier (UUID-shaped), encoded. */
  id: string;
  /** Customer id, encoded. */
  customer: string;
  /** Event name, encoded. */
  name: string;
  /** Value key's value, encoded (a number, or a string of it for Stripe). */
  value: string;
  /** Other payload properties: key (plain text), encoded value (SQL), presence condition (SQL; undefined = always). */
  props: { key: string; value: string; present?: string }[];
  /** Customer and value keys (plain text). */
  customerKey: string;
  valueKey: string;
}

function uuidFrom(h1: string, h2: string): string {
  const a = `lower(hex(${h1}))`;
  const b = `lower(hex(${h2}))`;
  return `concat(substring(${a}, 1, 8), '-', substring(${a}, 9, 4), '-', substring(${a}, 13, 4), '-', substring(${b}, 1, 4), '-', substring(${b}, 5, 12))`;
}

/** Value of the value key: skewed towards the low end of [min, max], log-uniform like most usage quantities. */
function valueSql(o: ResolvedOptions, src: string): string {
  const u = uniformSql(o.seed, TAG.value, src);
  if (o.valueDecimals === 0) {
    const range = Math.floor(o.valueMax) - Math.ceil(o.valueMin) + 1;
    return `toString(toInt64(${Math.ceil(o.valueMin)} + least(${range - 1}, floor(exp(${u} * ${Math.log(range + 1)}) - 1))))`;
  }
  const range = o.valueMax - o.valueMin;
  return `toString(least(${o.valueMax}, round(${o.valueMin} + exp(${u} * ${Math.log(range + 1)}) - 1, ${o.valueDecimals})))`;
}

function propertyValue(w: Writer, o: ResolvedOptions, p: PropertySpec, k: number, src: string): string {
  // Values are skewed too (a few regions/models dominate), a little less than customers.
  const rank = skewedRankSql(p.cardinality, PROPERTY_SKEW, uniformSql(o.seed, TAG.propertyRank + k, src));
  if (p.kind === 'int') return w.number(`toString(${rank})`);
  const pool = POOLS[p.key];
  if (pool && p.cardinality <= pool.length) return w.pick(pool.slice(0, p.cardinality), rank);
  if (/(^|_)id$/i.test(p.key) || /Id$/.test(p.key)) {
    // ids: a stable random-looking token per rank, e.g. user_3f9a0c2b81d4
    const stem = p.key.replace(/_?id$/i, '') || p.key;
    return w.prefixed(`${stem}_`, `substring(lower(hex(${hashSql(o.seed, TAG.propertyId + k, rank)})), 1, 12)`);
  }
  return w.prefixed(`${p.key}_`, `toString(${rank})`);
}

export function eventSql(w: Writer, o: ResolvedOptions, src: string): EventSql {
  const total = o.eventNames.reduce((a, n) => a + n.weight, 0);
  let acc = 0;
  const cum = o.eventNames.map((n, idx) => (idx === o.eventNames.length - 1 ? 2 : (acc += n.weight) / total));
  const nameIdx = `arrayFirstIndex(c -> c > ${uniformSql(o.seed, TAG.name, src)}, [${cum.join(',')}])`;
  const rank = skewedRankSql(o.customers, o.customerSkew, uniformSql(o.seed, TAG.customer, src));
  const customer = `concat('cus_', substring(lower(hex(${hashSql(o.seed, TAG.customerId, rank)})), 1, 14))`;
  if (o.properties.length > 100) throw new Error('at most 100 properties');
  return {
    id: w.safeString(uuidFrom(hashSql(o.seed, TAG.id1, src), hashSql(o.seed, TAG.id2, src))),
    customer: w.safeString(customer),
    name: w.pick(
      o.eventNames.map((n) => n.name),
      nameIdx,
    ),
    value: w.number(valueSql(o, src)),
    customerKey: o.customerKey,
    valueKey: o.valueKey,
    props: o.properties.map((p, k) => ({
      key: p.key,
      value: propertyValue(w, o, p, k, src),
      present: p.presence >= 1 ? undefined : p.presence <= 0 ? '0' : `${uniformSql(o.seed, TAG.propertyPresence + k, src)} < ${p.presence}`,
    })),
  };
}
