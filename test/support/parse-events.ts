/**
 * An independent reading of meter-event files in plain JS (JSON.parse, URLSearchParams,
 * csv-parse), used by the tests to check what ClickHouse loaded. It knows each format's shape
 * from its documentation, not from meterscope's parsers.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { FormatName } from '../../src/ingest/formats.js';

export interface ParsedEvent {
  line: number;
  seq: number;
  /** Event time, unix ms. */
  time: number;
  name: string;
  customer: string;
  identifier: string;
  value: number | null;
  /** Payload properties as parsed values (the customer and value keys included when in the payload). */
  props: Record<string, unknown>;
}

export interface ParsedFile {
  events: ParsedEvent[];
  /** Lines (and positions inside batch lines) that are not valid events. */
  rejects: { line: number; seq: number }[];
  lines: number;
}

const MIN = Date.UTC(1990, 0, 1);
const MAX = Date.UTC(2200, 0, 1);

/** A timestamp as the formats document them: unix seconds (number or digits) or RFC 3339 text. */
export function timeOf(ts: unknown): number | null {
  let ms: number;
  if (typeof ts === 'number') ms = ts * 1000;
  else if (typeof ts === 'string' && /^\d+$/.test(ts)) ms = Number(ts) * 1000;
  else if (typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(ts)) ms = Date.parse(ts);
  else return null;
  return Number.isFinite(ms) && ms >= MIN && ms < MAX ? ms : null;
}

const num = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};

interface Shape {
  name: string;
  ts: string;
  id: string;
  /** Top-level customer field; undefined = the payload's customer key. */
  customer?: string;
  props: string;
}

const SHAPES: Partial<Record<FormatName, Shape>> = {
  'stripe-json': { name: 'event_name', ts: 'timestamp', id: 'identifier', props: 'payload' },
  'stripe-v2-stream': { name: 'event_name', ts: 'timestamp', id: 'identifier', props: 'payload' },
  metronome: { name: 'event_type', ts: 'timestamp', id: 'transaction_id', customer: 'customer_id', props: 'properties' },
  cloudevents: { name: 'type', ts: 'time', id: 'id', customer: 'subject', props: 'data' },
  json: { name: 'event', ts: 'timestamp', id: 'id', props: 'properties' },
};

export function parseFile(text: string, format: FormatName, keys = { customerKey: 'stripe_customer_id', valueKey: 'value' }): ParsedFile {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: ParsedFile = { events: [], rejects: [], lines: lines.length };
  const accept = (line: number, seq: number, name: unknown, ts: unknown, id: unknown, customer: unknown, props: Record<string, unknown>) => {
    const time = timeOf(ts);
    if (typeof name !== 'string' || name === '' || time === null) {
      out.rejects.push({ line, seq });
      return;
    }
    out.events.push({
      line,
      seq,
      time,
      name,
      customer: typeof customer === 'string' ? customer : '',
      identifier: typeof id === 'string' ? id : '',
      value: num(props[keys.valueKey]),
      props,
    });
  };

  if (format === 'csv') {
    const header = (parseCsv(lines[0]) as string[][])[0];
    lines.slice(1).forEach((l, idx) => {
      const line = idx + 2;
      const f = (parseCsv(l, { relax_column_count: true, relax_quotes: true }) as string[][])[0] ?? [];
      if (f.length !== header.length) {
        out.rejects.push({ line, seq: 1 });
        return;
      }
      const props: Record<string, unknown> = {};
      header.forEach((h, i) => {
        if (!['identifier', 'timestamp', 'event_name'].includes(h) && f[i] !== '') props[h] = f[i];
      });
      accept(line, 1, f[header.indexOf('event_name')], f[header.indexOf('timestamp')], f[header.indexOf('identifier')], props[keys.customerKey], props);
    });
    return out;
  }

  if (format === 'stripe-v1-form') {
    lines.forEach((l, idx) => {
      const q = new URLSearchParams(l);
      const props: Record<string, unknown> = {};
      for (const [k, v] of q) {
        const m = /^payload\[(.+)\]$/.exec(k);
        if (m) props[m[1]] = v;
      }
      accept(idx + 1, 1, q.get('event_name') ?? '', q.get('timestamp') ?? undefined, q.get('identifier') ?? '', props[keys.customerKey], props);
    });
    return out;
  }

  const shape = SHAPES[format]!;
  lines.forEach((l, idx) => {
    const line = idx + 1;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch {
      out.rejects.push({ line, seq: 1 });
      return;
    }
    const els = Array.isArray(v) ? v : Array.isArray((v as { events?: unknown }).events) ? (v as { events: unknown[] }).events : [v];
    els.forEach((el, i) => {
      const o = el as Record<string, unknown>;
      const props = (o[shape.props] ?? {}) as Record<string, unknown>;
      accept(line, i + 1, o[shape.name], o[shape.ts], o[shape.id], shape.customer ? o[shape.customer] : props[keys.customerKey], props);
    });
  });
  return out;
}
