/**
 * What `meterscope generate` can be asked for, the defaults, and the small parsers for the
 * flag syntaxes (durations, times, weighted names, property specs). Validation lives here so
 * the SQL builders can assume sane numbers.
 */
import { UserError } from '../errors.js';
import type { FormatName } from '../ingest/formats.js';

export interface WeightedName {
  name: string;
  weight: number;
}

/** How one payload property is drawn. */
export interface PropertySpec {
  key: string;
  /** Number of distinct values the property draws from (ranks 1..cardinality, skewed). */
  cardinality: number;
  /** Share of events that carry the property (0..1). */
  presence: number;
  /** 'string' = a named pool or key-derived strings; 'int' = the rank as a number. */
  kind: 'string' | 'int';
}

export interface GenerateOptions {
  format: FormatName;
  /** Total events (each becomes exactly one valid event in the output). */
  events?: number;
  /** Span of the timeline in seconds. */
  duration?: number;
  /** Average events per second. */
  rate?: number;
  /** Events in each second of a burst: the exact per-second peak of the dataset. */
  peakRate?: number;
  /** Start of the timeline, unix milliseconds (floored to a whole second). */
  start?: number;
  bursts?: number;
  burstSeconds?: number;
  /** Amplitude of the hour-of-day curve (0 = flat, 0.9 = night at a tenth of the afternoon). */
  dailySwing?: number;
  /** Hour of day (UTC) where the daily curve peaks. */
  peakHour?: number;
  /** Per-second multiplicative noise on the rate (0..0.9). */
  jitter?: number;
  customers?: number;
  /** Zipf exponent of the customer distribution (0 = uniform, 1 = classic Zipf-like). */
  customerSkew?: number;
  eventNames?: WeightedName[];
  properties?: PropertySpec[];
  valueMin?: number;
  valueMax?: number;
  valueDecimals?: number;
  duplicateRate?: number;
  malformedRate?: number;
  lateRate?: number;
  /** Largest delay of a late event, seconds. */
  lateMax?: number;
  /** Events per line for the batch formats (v2 stream bodies, JSON arrays). */
  batchSize?: number;
  seed?: number;
  customerKey?: string;
  valueKey?: string;
  /** gzip 1–9 / zstd 1–22 for compressed output (default 3: fast). */
  compressionLevel?: number;
}

const DEFAULT_START = Date.UTC(2025, 0, 1);
const DEFAULT_RATE = 10;
const DEFAULT_DURATION = 3600;
export const DEFAULT_EVENT_NAMES: WeightedName[] = [
  { name: 'api_request', weight: 6 },
  { name: 'tokens', weight: 3 },
  { name: 'image_generation', weight: 1 },
];
export const DEFAULT_PROPERTIES: PropertySpec[] = [
  { key: 'region', cardinality: 8, presence: 1, kind: 'string' },
  { key: 'tier', cardinality: 4, presence: 1, kind: 'string' },
  { key: 'model', cardinality: 12, presence: 0.8, kind: 'string' },
  { key: 'user_id', cardinality: 100_000, presence: 0.9, kind: 'string' },
];
/** API limits on events per request: Stripe v2 stream and Metronome ingest both take at most 100. */
const MAX_BATCH: Partial<Record<FormatName, number>> = { 'stripe-v2-stream': 100, metronome: 100 };
const BATCHABLE: ReadonlySet<FormatName> = new Set(['stripe-json', 'stripe-v2-stream', 'metronome', 'cloudevents', 'json']);
const MAX_DURATION = 400 * 86400;
const MAX_EVENTS = 5e9;

/** Names and keys end up in JSON, form bodies and CSV lines: no control characters (one event per line). */
function checkText(what: string, s: string): void {
  if (s === '') throw new UserError(`${what} must not be empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new UserError(`${what} "${JSON.stringify(s).slice(1, -1)}" contains a control character`);
}

/** "a,b:3,c" -> names with weights (default weight 1). */
export function parseEventNames(text: string): WeightedName[] {
  const out = text.split(',').map((part) => {
    const m = /^(.*):(\d+(?:\.\d+)?)$/.exec(part.trim());
    const name = (m ? m[1] : part).trim();
    const weight = m ? Number(m[2]) : 1;
    checkText('--event-names: an event name', name);
    if (!(weight > 0)) throw new UserError(`--event-names: weight of "${name}" must be > 0`);
    return { name, weight };
  });
  if (new Set(out.map((n) => n.name)).size !== out.length) throw new UserError('--event-names: a name is listed twice');
  return out;
}

/** "key:cardinality[:presence[:int|string]]" -> a property spec. */
export function parseProperty(text: string): PropertySpec {
  const parts = text.split(':');
  const kindPart = parts.length > 2 && /^(int|string)$/.test(parts[parts.length - 1]) ? (parts.pop() as 'int' | 'string') : undefined;
  if (parts.length < 2 || parts.length > 3) {
    throw new UserError(`--property "${text}": use key:cardinality[:presence[:int]] (e.g. region:8:1.0 or user_id:200000:0.9)`);
  }
  const [key, card, presence] = parts;
  checkText('--property: a key', key);
  const cardinality = Number(card);
  const p = presence === undefined ? 1 : Number(presence);
  if (!Number.isInteger(cardinality) || cardinality < 1 || cardinality > 4e9) throw new UserError(`--property "${text}": cardinality must be a whole number ≥ 1`);
  if (!(p >= 0 && p <= 1)) throw new UserError(`--property "${text}": presence must be between 0 and 1`);
  return { key, cardinality, presence: p, kind: kindPart ?? 'string' };
}

function rate(name: string, v: number | undefined): number {
  if (v === undefined) return 0;
  if (!(v >= 0 && v <= 1)) throw new UserError(`${name} must be between 0 and 1, got ${v}`);
  return v;
}

/** Every knob decided; the timeline (events, duration) fixed; bursts not yet placed. */
export interface ResolvedOptions {
  format: FormatName;
  events: number;
  duration: number;
  start: number;
  peakRate?: number;
  peakRateGiven: boolean;
  bursts?: number;
  burstSeconds?: number;
  dailySwing: number;
  peakHour: number;
  jitter: number;
  customers: number;
  customerSkew: number;
  eventNames: WeightedName[];
  properties: PropertySpec[];
  valueMin: number;
  valueMax: number;
  valueDecimals: number;
  duplicateRate: number;
  malformedRate: number;
  lateRate: number;
  lateMax: number;
  batchSize: number;
  seed: number;
  customerKey: string;
  valueKey: string;
  compressionLevel: number;
}

/** Fills defaults and checks every knob; decides events and duration from any two of events/duration/rate. */
export function resolveOptions(o: GenerateOptions): ResolvedOptions {
  // Checked in this order, so the first of several mistakes is the one reported.
  const { events, duration } = resolveVolume(o);
  const keys = resolveKeys(o);
  const values = resolveValues(o);
  const batchSize = resolveBatchSize(o);
  const shape = resolveShape(o);
  const bursts = resolveBursts(o);
  return {
    format: o.format,
    events,
    duration,
    start: Math.floor((o.start ?? DEFAULT_START) / 1000) * 1000,
    ...bursts,
    ...shape,
    ...keys,
    ...values,
    duplicateRate: rate('--duplicate-rate', o.duplicateRate),
    malformedRate: rate('--malformed-rate', o.malformedRate),
    lateRate: rate('--late-rate', o.lateRate),
    batchSize,
  };
}

function resolveVolume(o: GenerateOptions): { events: number; duration: number } {
  const given = [o.events, o.duration, o.rate].filter((v) => v !== undefined).length;
  if (given === 3) throw new UserError('give at most two of --events, --duration and --rate (the third follows from them)');
  if (o.events !== undefined && (!Number.isInteger(o.events) || o.events < 1 || o.events > MAX_EVENTS))
    throw new UserError(`--events must be a whole number between 1 and ${MAX_EVENTS}`);
  if (o.duration !== undefined && !(o.duration >= 1 && o.duration <= MAX_DURATION))
    throw new UserError(`--duration must be between 1 second and ${MAX_DURATION / 86400} days`);
  if (o.rate !== undefined && !(o.rate > 0)) throw new UserError('--rate must be > 0 events per second');
  let events: number;
  let duration: number;
  if (o.events !== undefined && o.duration !== undefined) {
    events = o.events;
    duration = Math.ceil(o.duration);
  } else if (o.events !== undefined) {
    events = o.events;
    duration = Math.max(1, Math.ceil(o.events / (o.rate ?? DEFAULT_RATE)));
  } else {
    duration = Math.ceil(o.duration ?? DEFAULT_DURATION);
    events = Math.max(1, Math.round((o.rate ?? DEFAULT_RATE) * duration));
  }
  if (duration > MAX_DURATION)
    throw new UserError(`the timeline would span ${Math.round(duration / 86400)} days; keep it under ${MAX_DURATION / 86400} (raise --rate or give --duration)`);
  if (events > MAX_EVENTS) throw new UserError(`that makes ${events} events; keep it under ${MAX_EVENTS}`);
  return { events, duration };
}

function resolveKeys(o: GenerateOptions): Pick<ResolvedOptions, 'customerKey' | 'valueKey' | 'properties' | 'eventNames'> {
  const customerKey = o.customerKey ?? 'stripe_customer_id';
  const valueKey = o.valueKey ?? 'value';
  checkText('--customer-key', customerKey);
  checkText('--value-key', valueKey);
  if (customerKey === valueKey) throw new UserError('--customer-key and --value-key must differ');
  const properties = o.properties ?? DEFAULT_PROPERTIES;
  const keys = new Set<string>([customerKey, valueKey]);
  for (const p of properties) {
    if (keys.has(p.key)) throw new UserError(`--property ${p.key}: the key is used twice (customer and value keys count too)`);
    keys.add(p.key);
  }
  if (o.format === 'csv') {
    for (const k of ['identifier', 'timestamp', 'event_name']) {
      if (keys.has(k)) throw new UserError(`csv output: "${k}" is a column of its own; pick another property key`);
    }
  }
  const eventNames = o.eventNames ?? DEFAULT_EVENT_NAMES;
  if (eventNames.length === 0) throw new UserError('--event-names needs at least one name');
  return { customerKey, valueKey, properties, eventNames };
}

function resolveValues(o: GenerateOptions): Pick<ResolvedOptions, 'valueMin' | 'valueMax' | 'valueDecimals'> {
  const valueMin = o.valueMin ?? 1;
  const valueMax = o.valueMax ?? 100;
  if (!(Number.isFinite(valueMin) && Number.isFinite(valueMax) && valueMin <= valueMax && Math.abs(valueMin) < 1e12 && Math.abs(valueMax) < 1e12)) {
    throw new UserError('--value-range must be min:max with min ≤ max (both under 1e12 in size)');
  }
  const valueDecimals = o.valueDecimals ?? 0;
  if (!Number.isInteger(valueDecimals) || valueDecimals < 0 || valueDecimals > 6) throw new UserError('--value-decimals must be a whole number from 0 to 6');
  return { valueMin, valueMax, valueDecimals };
}

function resolveBatchSize(o: GenerateOptions): number {
  const format = o.format;
  const maxBatch = MAX_BATCH[format] ?? 10_000;
  const batchSize = o.batchSize ?? (format === 'stripe-v2-stream' ? 100 : 1);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError('--batch-size must be a whole number ≥ 1');
  if (batchSize > 1 && !BATCHABLE.has(format)) throw new UserError(`--batch-size: ${format} has one event per line`);
  if (batchSize > maxBatch) throw new UserError(`--batch-size: ${format} takes at most ${maxBatch} events per request`);
  return batchSize;
}

type Shape = Pick<ResolvedOptions, 'customers' | 'customerSkew' | 'dailySwing' | 'peakHour' | 'jitter' | 'lateMax' | 'seed' | 'compressionLevel'>;

function resolveShape(o: GenerateOptions): Shape {
  const customers = o.customers ?? 200;
  if (!Number.isInteger(customers) || customers < 1 || customers > 4e9) throw new UserError('--customers must be a whole number ≥ 1');
  const customerSkew = o.customerSkew ?? 1;
  if (!(customerSkew >= 0 && customerSkew <= 3)) throw new UserError('--customer-skew must be between 0 (uniform) and 3');
  const dailySwing = o.dailySwing ?? 0.5;
  if (!(dailySwing >= 0 && dailySwing <= 0.95)) throw new UserError('--daily-swing must be between 0 and 0.95');
  const peakHour = o.peakHour ?? 15;
  if (!(peakHour >= 0 && peakHour < 24)) throw new UserError('--peak-hour must be an hour of day from 0 to 23.99 (UTC)');
  const jitter = o.jitter ?? 0.3;
  if (!(jitter >= 0 && jitter <= 0.9)) throw new UserError('--jitter must be between 0 and 0.9');
  const lateMax = o.lateMax ?? 3600;
  if (!(lateMax >= 1 && lateMax <= 35 * 86400)) throw new UserError('--late-max must be between 1 second and 35 days');
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UserError('--seed must be a whole number ≥ 0');
  const compressionLevel = o.compressionLevel ?? 3;
  if (!Number.isInteger(compressionLevel) || compressionLevel < 1 || compressionLevel > 22)
    throw new UserError('--compression-level must be a whole number from 1 (gzip up to 9, zstd up to 22)');
  return { customers, customerSkew, dailySwing, peakHour, jitter, lateMax, seed, compressionLevel };
}

function resolveBursts(o: GenerateOptions): Pick<ResolvedOptions, 'peakRate' | 'peakRateGiven' | 'bursts' | 'burstSeconds'> {
  if (o.peakRate !== undefined && (!Number.isInteger(o.peakRate) || o.peakRate < 1)) throw new UserError('--peak-rate must be a whole number of events per second ≥ 1');
  if (o.bursts !== undefined && (!Number.isInteger(o.bursts) || o.bursts < 0)) throw new UserError('--bursts must be a whole number ≥ 0');
  if (o.burstSeconds !== undefined && (!Number.isInteger(o.burstSeconds) || o.burstSeconds < 1)) throw new UserError('--burst-seconds must be a whole number ≥ 1');
  if (o.bursts === 0 && o.peakRate !== undefined) throw new UserError('--peak-rate sets the events of each burst second; it needs --bursts ≥ 1');
  return { peakRate: o.peakRate, peakRateGiven: o.peakRate !== undefined, bursts: o.bursts, burstSeconds: o.burstSeconds };
}
