/**
 * Hostile corpora for test/ingest-fuzz.test.ts, one per input format, from a seeded PRNG. Each
 * corpus says how many records it holds, counted here as it is written (JSON, form) or by the
 * independent CSV reading in csv-records.ts, never by asking meterscope.
 */
import { mulberry32 } from '../../src/util/seeded-random.js';
import type { FormatName } from '../../src/ingest/formats.js';
import { csvRecordsOf, isBlank, tidyLinesOf } from './csv-records.js';

/** Lines over 16 MiB: switch on once ingest reports `line too long` instead of failing (see the fuzz test). */
export const FUZZ_HUGE_LINES = false;
const MIB = 1 << 20;

export interface Corpus {
  bytes: Buffer;
  records: number;
}

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  word(): string {
    return Array.from({ length: 1 + this.int(8) }, () => 'abcdefghijklmnopqrstuvwxyz0123456789_'[this.int(37)]).join('');
  }
}

const ODD_TIMES: unknown[] = [
  0,
  -1,
  -1700000000,
  1e30,
  253402300799,
  1700000000.5,
  '0',
  '',
  ' ',
  'NaN',
  'soon',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '1700000000',
  '1.7e9',
  '+1700000000',
  '2024-05-01',
  null,
  true,
  {},
  [],
];
const HUGE_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '1.7976931348623157e309', '-0', '0.0000000000000000000001'];
const BLANKS = ['', ' ', '\t', ' \t \t', '\f', '\v', '\r'];
const BAD_BYTES = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80])];

/** One good event of a JSON format, as an object. */
function goodEvent(format: FormatName, r: Rng, i: number): Record<string, unknown> {
  const t = 1_700_000_000 + i * 7;
  const iso = new Date(t * 1000).toISOString();
  const props = { stripe_customer_id: `cus_${r.int(20)}`, value: r.int(100), region: r.pick(['eu', 'us', 'ü "q"']) };
  switch (format) {
    case 'stripe-json':
      return { identifier: `id${i}`, timestamp: t, event_name: 'api_call', payload: props };
    case 'stripe-v2-stream':
      return { identifier: `id${i}`, timestamp: iso, event_name: 'api_call', payload: props };
    case 'metronome':
      return { transaction_id: `t${i}`, customer_id: `c${r.int(20)}`, event_type: 'gpu', timestamp: iso, properties: props };
    case 'cloudevents':
      return { specversion: '1.0', id: `e${i}`, source: 'fuzz', type: 'api_call', subject: `s${r.int(9)}`, time: iso, data: props };
    default:
      return { event: 'api_call', timestamp: t, id: `j${i}`, properties: props };
  }
}

const TS_KEY: Partial<Record<FormatName, string>> = { cloudevents: 'time' };

/** A line made from a good event's text by one hostile change, and the records it holds. */
function hostileJsonLine(format: FormatName, r: Rng, i: number): [Buffer, number] {
  const ev = goodEvent(format, r, i);
  const text = JSON.stringify(ev);
  switch (r.int(11)) {
    case 0: // truncated (never blank: it starts with "{")
      return [Buffer.from(text.slice(0, 1 + r.int(text.length - 1))), 1];
    case 1: {
      // a NUL byte somewhere
      const at = r.int(text.length);
      return [Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0]), Buffer.from(text.slice(at))]), 1];
    }
    case 2: {
      // invalid UTF-8 inside a string value
      const at = text.indexOf('"region":"') + 10;
      return [Buffer.concat([Buffer.from(text.slice(0, at)), r.pick(BAD_BYTES), Buffer.from(text.slice(at))]), 1];
    }
    case 3: // an odd timestamp
      return [Buffer.from(JSON.stringify({ ...ev, [TS_KEY[format] ?? 'timestamp']: r.pick(ODD_TIMES) })), 1];
    case 4: // a huge or odd number as text
      return [Buffer.from(text.replace(/"value":\d+/, `"value":${r.pick(HUGE_NUMBERS)}`).replace(/("timestamp":)\d+/, `$1${r.pick(HUGE_NUMBERS)}`)), 1];
    case 5: // duplicate keys
      return [Buffer.from(`${text.slice(0, -1)},${text.slice(1)}`), 1];
    case 6: // 10,000 levels of nesting in the payload
      return [Buffer.from(text.replace('"region":', `"deep":${'['.repeat(10_000)}${']'.repeat(10_000)},"region":`)), 1];
    case 7: {
      // a batch of events mixed with other JSON values: one record per element
      const els = Array.from({ length: 1 + r.int(5) }, (_, k) => (r.chance(0.6) ? goodEvent(format, r, i * 100 + k) : r.pick([1, 'x', null, [1, 2], { a: 1 }, []])));
      return [Buffer.from(format === 'stripe-v2-stream' && r.chance(0.5) ? JSON.stringify({ events: els }) : JSON.stringify(els)), els.length];
    }
    case 8: // not JSON at all
      return [Buffer.from(r.pick(['garbage', '}{', '[', '"just a string"', '42', 'null', '\u00a0'])), 1];
    case 9: // a missing name
      return [Buffer.from(text.replace(/"(event_name|event_type|type|event)":"[^"]*",?/, '')), 1];
    default: // trailing spaces and a CR before the newline
      return [Buffer.from(`${text}  \r`), 1];
  }
}

function jsonCorpus(format: FormatName, r: Rng, lines: number): Corpus {
  const out: Buffer[] = [];
  let records = 0;
  const add = (b: Buffer, n: number) => {
    out.push(b);
    records += n;
  };
  // The first lines are good events, so detection and field guessing see the format.
  for (let i = 0; i < 5; i++) add(Buffer.from(JSON.stringify(goodEvent(format, r, i))), 1);
  for (let i = 5; i < lines; i++) {
    const roll = r.next();
    if (roll < 0.35) add(Buffer.from(JSON.stringify(goodEvent(format, r, i))), 1);
    else if (roll < 0.45) add(Buffer.from(r.pick(BLANKS)), 0);
    else add(...hostileJsonLine(format, r, i));
  }
  // One line of about 1 MB (a long payload string) and, when switched on, one over 16 MiB.
  const big = goodEvent(format, r, lines);
  const propsKey = Object.keys(big).find((k) => typeof big[k] === 'object')!;
  (big[propsKey] as Record<string, unknown>).blob = 'x'.repeat(MIB);
  add(Buffer.from(JSON.stringify(big)), 1);
  if (FUZZ_HUGE_LINES) add(Buffer.from(`{"blob":"${'y'.repeat(17 * MIB)}"}`), 1);
  return { bytes: joinLines(out, r), records };
}

/** Lines joined by LF or CRLF, sometimes with a BOM first and no newline last. */
function joinLines(lines: Buffer[], r: Rng): Buffer {
  const parts: Buffer[] = [];
  if (r.chance(0.5)) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const crlf = r.chance(0.5);
  lines.forEach((l, i) => {
    parts.push(l);
    if (i < lines.length - 1 || r.chance(0.7)) parts.push(Buffer.from(crlf ? '\r\n' : '\n'));
  });
  return Buffer.concat(parts);
}

/** Stripe v1 form bodies as people log them, and damaged ones; every non-blank line is one record. */
function formCorpus(r: Rng, lines: number): Corpus {
  const out: Buffer[] = [];
  let records = 0;
  const body = (i: number, withTs: boolean) =>
    `event_name=api_call&identifier=f${i}${withTs ? `&timestamp=${1_700_000_000 + i}` : ''}&payload[stripe_customer_id]=cus_${r.int(9)}&payload[value]=${r.int(50)}&payload[note]=${r.pick(['a%20b', 'caf%C3%A9', '%26%3D', 'x+y'])}`;
  const shapes = [
    (b: string) => b,
    (b: string) => `2025-03-01T10:00:02Z POST /v1/billing/meter_events ${b}`,
    (b: string) => `time=2025-03-01T10:00:02.123Z level=info method=POST path=/v1/billing/meter_events body="${b}"`,
    (b: string) => `10.0.0.1 - - [01/Mar/2025:10:00:02 +0100] "POST /v1/billing/meter_events HTTP/1.1" 200 data=${b}`,
    (b: string) => `Mar  1 10:00:02 web-1 app[42]: POST /v1/billing/meter_events params=${b}`,
  ];
  const hostile = (b: string): Buffer => {
    switch (r.int(7)) {
      case 0:
        return Buffer.from(b.replace('payload[value]=', `payload[value]=${r.pick(['%ZZ', '%E', '%', '%4'])}`));
      case 1:
        return Buffer.from(b.replace('%C3%A9', '%FF%FE').replace('a%20b', '%C3'));
      case 2:
        return Buffer.concat([Buffer.from(b), r.pick(BAD_BYTES)]);
      case 3:
        return Buffer.from(b.slice(0, 1 + r.int(b.length - 1)).trimStart() || 'x');
      case 4:
        return Buffer.from(b.replace('event_name=api_call&', ''));
      case 5:
        return Buffer.concat([Buffer.from(b.slice(0, 10)), Buffer.from([0]), Buffer.from(b.slice(10))]);
      default:
        return Buffer.from(`${b}&timestamp=${r.pick(ODD_TIMES.filter((t) => typeof t !== 'object'))}`);
    }
  };
  for (let i = 0; i < lines; i++) {
    const roll = r.next();
    const b = r.pick(shapes)(body(i, r.chance(0.5)));
    if (i < 5 || roll < 0.4) out.push(Buffer.from(b));
    else if (roll < 0.5) {
      out.push(Buffer.from(r.pick(BLANKS)));
      continue;
    } else out.push(hostile(b));
    records++;
  }
  out.push(Buffer.from(`event_name=big&timestamp=1700000000&payload[blob]=${'z'.repeat(MIB)}`));
  records++;
  return { bytes: joinLines(out, r), records };
}

/** CSV with quoted commas, quotes and newlines, and damaged quoting; records counted by csv-records.ts. */
function csvCorpus(r: Rng, lines: number): Corpus {
  const out: Buffer[] = [Buffer.from('timestamp,event_name,identifier,stripe_customer_id,value,note')];
  const note = () => r.pick(['plain', '"a, b"', '"say ""hi"""', '"two\nlines"', '"three\n\nlines, ""q"""', '""', '"é"']);
  const row = (i: number) => `${new Date((1_700_000_000 + i) * 1000).toISOString()},api_call,c${i},cus_${r.int(9)},${r.int(50)},${note()}`;
  const hostile = (i: number): Buffer => {
    const good = row(i);
    switch (r.int(8)) {
      case 0:
        return Buffer.from(good.replace(',api_call,', ',api"call,'));
      case 1:
        return Buffer.from(`${good},"unterminated`);
      case 2:
        return Buffer.from(good.replace(/,[^,]*$/, ',"closed"text'));
      case 3:
        return Buffer.from(`${good},extra`);
      case 4:
        return Buffer.concat([Buffer.from(good), r.pick(BAD_BYTES)]);
      case 5:
        return Buffer.from(good.slice(0, 1 + r.int(good.length - 1)));
      case 6:
        return Buffer.from(good.replace(/^[^,]*/, String(r.pick(ODD_TIMES.filter((t) => typeof t !== 'object'))).replace(/,/g, '')));
      default:
        return Buffer.concat([Buffer.from(good.slice(0, 5)), Buffer.from([0]), Buffer.from(good.slice(5))]);
    }
  };
  for (let i = 1; i < lines; i++) {
    const roll = r.next();
    if (i < 5 || roll < 0.45) out.push(Buffer.from(row(i)));
    else if (roll < 0.55) out.push(Buffer.from(r.pick(BLANKS)));
    else out.push(hostile(i));
  }
  out.push(Buffer.from(`2024-05-01T10:00:00Z,big,b1,cus_1,1,"${'w'.repeat(MIB)}"`));
  const bytes = joinLines(out, r);
  const records = csvRecordsOf(tidyLinesOf(bytes).slice(1)).length;
  return { bytes, records };
}

export function buildCorpus(format: FormatName, seed: number, lines: number): Corpus {
  const r = new Rng(seed);
  if (format === 'csv') return csvCorpus(r, lines);
  if (format === 'stripe-v1-form') return formCorpus(r, lines);
  return jsonCorpus(format, r, lines);
}

export { isBlank };
