/**
 * Format detection from the first bytes of a source, and resolution of field mappings
 * for the generic formats (JSON, CSV). Only a sample is looked at here; parsing is ClickHouse's.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import type { FieldMapping, FormatName } from './formats.js';
import type { ParserChoice } from './sql/normalize.js';
import type { CsvColumns, JsonPaths } from './sql/parsers.js';
import { firstRecords } from './json-records.js';

const NAME_GUESSES = ['event_name', 'event_type', 'event', 'type', 'name', 'eventName', 'eventType'];
const TS_GUESSES = ['timestamp', 'time', 'ts', 'event_time', 'created_at', 'created', '@timestamp', 'occurred_at', 'date'];
const ID_GUESSES = ['identifier', 'transaction_id', 'id', 'event_id', 'idempotency_key', 'uuid'];
const CUSTOMER_GUESSES = ['stripe_customer_id', 'customer_id', 'customer', 'subject', 'account_id', 'tenant_id', 'org_id'];
const PROPS_GUESSES = ['payload', 'properties', 'data', 'attributes', 'dimensions'];

/** First lines of a sample (the last partial line dropped unless it is all we have). */
export function sampleLines(sample: Buffer, max = 50): string[] {
  let text = sample.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.length > 1) lines.pop();
  return lines
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .slice(0, max);
}

function tryJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function firstEvent(v: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(v)) return v.find((x) => x && typeof x === 'object' && !Array.isArray(x)) as Record<string, unknown>;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.events)) return firstEvent(o.events);
    if (o.object === 'list' && Array.isArray(o.data)) return firstEvent(o.data);
    return o;
  }
  return undefined;
}

/** Guesses the format of a sample; `null` when nothing fits. */
export function detectFormat(lines: string[]): FormatName | null {
  // An object that fits no known shape means generic JSON, unless a later line names the format:
  // a first line that lost its event name must not turn a Stripe file into "generic JSON".
  let generic = false;
  for (const line of lines.slice(0, 20)) {
    const t = line.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      const v = tryJson(t);
      if (v === undefined) continue; // a malformed line; look at the next
      const ev = firstEvent(v);
      if (!ev) continue;
      if (!Array.isArray(v) && Array.isArray((v as Record<string, unknown>).events) && 'event_name' in ev) return 'stripe-v2-stream';
      if ('specversion' in ev) return 'cloudevents';
      if ('event_type' in ev && ('transaction_id' in ev || 'customer_id' in ev)) return 'metronome';
      if ('event_name' in ev && ('payload' in ev || ev.object === 'billing.meter_event')) {
        return typeof ev.timestamp === 'string' && !/^\d+$/.test(ev.timestamp) ? 'stripe-v2-stream' : 'stripe-json';
      }
      generic = true;
      continue;
    }
    // A form body: bare, or the value of a logged field (body=…, body="…").
    if (/(^|[\s&"=])event_name=/.test(t) || /(^|[\s&"=])payload(\[|%5B)/.test(t)) return 'stripe-v1-form';
  }
  if (generic) return 'json';
  const first = lines[0];
  if (first && /[,]/.test(first) && !first.trim().startsWith('{')) return 'csv';
  return null;
}

function findKey(obj: Record<string, unknown>, explicit: string | undefined, guesses: string[]): string[] | undefined {
  if (explicit) return explicit.split('.');
  const k = guesses.find((g) => g in obj);
  return k ? [k] : undefined;
}

/** Generic JSON: flags win, otherwise the first common name present in the sample. */
export function resolveJsonPaths(lines: string[], mapping: FieldMapping, sourceName: string): JsonPaths {
  // Keys seen across the sample (first occurrence wins), so one line missing a field does not hide it.
  const ev: Record<string, unknown> = {};
  for (const e of lines.map((l) => firstEvent(tryJson(l.trim())))) {
    for (const [k, v] of Object.entries(e ?? {})) if (!(k in ev)) ev[k] = v;
  }
  const name = findKey(ev, mapping.eventField, NAME_GUESSES);
  const ts = findKey(ev, mapping.timestampField, TS_GUESSES);
  if (!ts) {
    throw new UserError(`${sourceName}: cannot tell which field holds the timestamp; pass --timestamp-field (fields seen: ${Object.keys(ev).slice(0, 12).join(', ')})`);
  }
  if (!name && !mapping.eventName) {
    throw new UserError(
      `${sourceName}: cannot tell which field holds the event name; pass --event-field or --event-name (fields seen: ${Object.keys(ev).slice(0, 12).join(', ')})`,
    );
  }
  const props = mapping.propertiesField
    ? mapping.propertiesField.split('.')
    : (() => {
        const k = PROPS_GUESSES.find((g) => ev[g] && typeof ev[g] === 'object' && !Array.isArray(ev[g]));
        return k ? [k] : undefined;
      })();
  return {
    name: name ?? ['\u0000no-event-field'],
    ts,
    id: findKey(ev, mapping.idField, ID_GUESSES) ?? ['\u0000no-id-field'],
    customer: findKey(
      ev,
      mapping.customerField,
      CUSTOMER_GUESSES.filter((c) => c !== mapping.customerKey),
    ),
    props,
  };
}

/** CSV: header names, mapped by flags or common names; payload.x / payload[x] columns become property x. */
export function resolveCsvColumns(lines: string[], mapping: FieldMapping, sourceName: string): CsvColumns {
  let header: string[];
  try {
    header = (parseCsv(lines[0] ?? '', { relax_column_count: true }) as string[][])[0] ?? [];
  } catch (e) {
    throw new UserError(`${sourceName}:1: cannot read the CSV header (${(e as Error).message})`);
  }
  if (header.length < 2) throw new UserError(`${sourceName}:1: the CSV header has fewer than two columns`);
  const index = (explicit: string | undefined, guesses: string[]) => {
    if (explicit) {
      const i = header.indexOf(explicit);
      if (i < 0) throw new UserError(`${sourceName}:1: no column named "${explicit}" in the CSV header`);
      return i;
    }
    for (const g of guesses) {
      const i = header.findIndex((h) => h.toLowerCase() === g.toLowerCase());
      if (i >= 0) return i;
    }
    return -1;
  };
  const name = index(mapping.eventField, NAME_GUESSES);
  const ts = index(mapping.timestampField, TS_GUESSES);
  const id = index(mapping.idField, ID_GUESSES);
  const customer = index(
    mapping.customerField,
    CUSTOMER_GUESSES.filter((c) => c !== mapping.customerKey),
  );
  if (ts < 0) throw new UserError(`${sourceName}:1: no timestamp column found; pass --timestamp-field (columns: ${header.join(', ')})`);
  if (name < 0 && !mapping.eventName)
    throw new UserError(`${sourceName}:1: no event-name column found; pass --event-field or --event-name (columns: ${header.join(', ')})`);
  // Mapped columns are not payload keys (the customer would otherwise be offered as a pricing key).
  const propertyKeys = header.map((h, i) =>
    i === name || i === ts || i === id || i === customer ? '' : h.replace(/^payload\.(.+)$/, '$1').replace(/^payload\[(.+)\]$/, '$1'),
  );
  return { header, propertyKeys, name, ts, id, customer };
}

/** Bytes read from the start of an input for detection. */
export const SAMPLE_BYTES = 256 * 1024;

/**
 * Whether an input is read line by line (JSON lines, batch lines, CSV, form bodies) or as whole-file
 * JSON (a pretty or one-line array, pretty objects, an envelope), told from its first bytes: JSON
 * whose first line is cut by the sample's end, or whose lines are mostly not JSON values by themselves
 * (a pretty-printed document), is whole-file JSON. A complete first line that is JSON means lines.
 */
export function sampleShape(sample: Buffer): 'lines' | 'document' {
  let text = sample.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.trimStart();
  if (!start.startsWith('[') && !start.startsWith('{')) return 'lines';
  const cut = sample.length >= SAMPLE_BYTES;
  const lines = text.split('\n');
  if (cut) lines.pop();
  const complete = lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 50);
  if (complete.length === 0) return 'document';
  const isValue = (l: string) => (l.startsWith('{') || l.startsWith('[')) && tryJson(l) !== undefined;
  if (isValue(complete[0])) return 'lines';
  return complete.filter(isValue).length * 2 >= complete.length ? 'lines' : 'document';
}

/** What detection looks at: the first lines, or the first events of whole-file JSON. */
function sampleRecords(sample: Buffer, forced: FormatName | undefined): string[] {
  const lineFormat = forced === 'csv' || forced === 'stripe-v1-form';
  return !lineFormat && sampleShape(sample) === 'document' ? firstRecords(sample) : sampleLines(sample);
}

/** Detects (or takes the forced) format and resolves everything the parser needs. */
export function chooseParser(sample: Buffer, forced: FormatName | undefined, mapping: FieldMapping, sourceName: string): ParserChoice {
  const lines = sampleRecords(sample, forced);
  if (lines.length === 0) return { format: forced ?? 'stripe-json', mapping };
  const format = forced ?? detectFormat(lines);
  if (!format) {
    throw new UserError(`${sourceName}: unknown format (first line: ${JSON.stringify(lines[0].slice(0, 80))}); pass --format (see meterscope profile --help)`);
  }
  if (format === 'json') return { format, mapping, jsonPaths: resolveJsonPaths(lines, mapping, sourceName) };
  if (format === 'csv') return { format, mapping, csv: resolveCsvColumns(lines, mapping, sourceName) };
  return { format, mapping };
}
