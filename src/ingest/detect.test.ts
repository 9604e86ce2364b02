import { describe, expect, it } from 'vitest';
import { chooseParser, detectFormat, resolveCsvColumns, resolveJsonPaths, sampleLines } from './detect.js';
import { DEFAULT_MAPPING, FORMATS, type FormatName } from './formats.js';
import { UserError } from '../errors.js';

const STRIPE = '{"object":"billing.meter_event","event_name":"tokens","identifier":"a1","payload":{"stripe_customer_id":"cus_1","value":"2"},"timestamp":1740960001}';
const V2_EVENT = '{"event_name":"tokens","identifier":"a1","timestamp":"2025-03-03T00:00:01Z","payload":{"value":"2"}}';
const METRONOME = '{"transaction_id":"t1","customer_id":"c1","event_type":"tokens","timestamp":"2025-03-03T00:00:01Z","properties":{"n":2}}';
const CLOUDEVENT = '{"specversion":"1.0","id":"e1","source":"api","type":"tokens","subject":"c1","time":"2025-03-03T00:00:01Z","data":{"n":2}}';

// Sample lines for every format, as each arrives in the wild.
const SAMPLES: [string, string[], FormatName][] = [
  ['Stripe meter event objects, unix timestamps', [STRIPE], 'stripe-json'],
  ['a Stripe list envelope', [`{"object":"list","data":[${STRIPE}]}`], 'stripe-json'],
  ['a Stripe array', [`[${STRIPE},${STRIPE}]`], 'stripe-json'],
  ['digits in a string are still unix time', [STRIPE.replace('1740960001}', '"1740960001"}')], 'stripe-json'],
  ['v2 stream request bodies', [`{"events":[${V2_EVENT}]}`], 'stripe-v2-stream'],
  ['v2 events one per line (RFC 3339 times)', [V2_EVENT], 'stripe-v2-stream'],
  ['v1 form bodies', ['event_name=tokens&payload[value]=2&payload[stripe_customer_id]=cus_1'], 'stripe-v1-form'],
  ['v1 form bodies after log fields, brackets encoded', ['2025-03-03T00:00:01Z POST /v1/billing/meter_events identifier=x&payload%5Bvalue%5D=2'], 'stripe-v1-form'],
  ['Metronome events', [METRONOME], 'metronome'],
  ['Metronome arrays', [`[${METRONOME}]`], 'metronome'],
  ['CloudEvents', [CLOUDEVENT], 'cloudevents'],
  ['CSV with a header', ['timestamp,event_name,customer_id,value', '1740960001,tokens,c1,2'], 'csv'],
  ['any other JSON objects', ['{"ts":1740960001,"name":"tokens","user":"u1"}'], 'json'],
  ['a first line without its event name does not make a Stripe file generic', ['{"identifier":"x","timestamp":1}', STRIPE], 'stripe-json'],
  ['malformed lines are skipped', ['{"event_name":', 'not json {', STRIPE], 'stripe-json'],
];

describe('detectFormat', () => {
  it.each(SAMPLES)('%s -> %s', (_, lines, format) => {
    expect(detectFormat(lines)).toBe(format);
  });

  it('covers every format', () => {
    expect(new Set(SAMPLES.map((s) => s[2]))).toEqual(new Set(FORMATS));
  });

  it('nothing it knows: null', () => {
    expect(detectFormat(['hello world'])).toBeNull();
    expect(detectFormat([])).toBeNull();
    expect(detectFormat(['{not json at all'])).toBeNull();
  });
});

describe('sampleLines', () => {
  it('drops the BOM, CR, blank lines and the cut-off last line (unless it is all there is)', () => {
    expect(sampleLines(Buffer.from('\ufeffa\r\n\r\nb\nc-cut-off'))).toEqual(['a', 'b']);
    expect(sampleLines(Buffer.from('only'))).toEqual(['only']);
    expect(sampleLines(Buffer.from('1\n2\n3\n4\n'), 2)).toEqual(['1', '2']);
  });
});

describe('chooseParser', () => {
  const buf = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n');

  it('detects the format from the sample; --format overrides detection', () => {
    expect(chooseParser(buf(STRIPE), undefined, DEFAULT_MAPPING, 'f')).toEqual({ format: 'stripe-json', mapping: DEFAULT_MAPPING });
    expect(chooseParser(buf(STRIPE), 'metronome', DEFAULT_MAPPING, 'f').format).toBe('metronome');
    // Forced generic formats still resolve their fields from the sample.
    expect(chooseParser(buf(STRIPE), 'json', DEFAULT_MAPPING, 'f').jsonPaths).toMatchObject({
      name: ['event_name'],
      ts: ['timestamp'],
      id: ['identifier'],
      props: ['payload'],
    });
  });

  it('an empty source takes the forced format, or Stripe JSON', () => {
    expect(chooseParser(Buffer.alloc(0), undefined, DEFAULT_MAPPING, 'f').format).toBe('stripe-json');
    expect(chooseParser(Buffer.alloc(0), 'csv', DEFAULT_MAPPING, 'f')).toEqual({ format: 'csv', mapping: DEFAULT_MAPPING });
  });

  it('an unknown format is a user error naming the source and the first line', () => {
    const run = () => chooseParser(buf('hello world'), undefined, DEFAULT_MAPPING, 'logs/a.txt');
    expect(run).toThrow(UserError);
    expect(run).toThrow('logs/a.txt: unknown format (first line: "hello world"); pass --format (see meterscope profile --help)');
  });

  it('CSV and generic JSON come with their resolved columns / paths', () => {
    const csv = chooseParser(buf('time,type,account_id,payload.region', '1,x,a,eu'), undefined, DEFAULT_MAPPING, 'f');
    expect(csv.csv).toEqual({ header: ['time', 'type', 'account_id', 'payload.region'], propertyKeys: ['', '', '', 'region'], name: 1, ts: 0, id: -1, customer: 2 });
    const json = chooseParser(buf('{"time":"2025-01-01T00:00:00Z","event":"x","customer":"c","attributes":{"a":1},"extra":2}'), undefined, DEFAULT_MAPPING, 'f');
    expect(json.jsonPaths).toEqual({ name: ['event'], ts: ['time'], id: ['\u0000no-id-field'], customer: ['customer'], props: ['attributes'] });
  });
});

describe('resolveJsonPaths', () => {
  const lines = ['{"at":1,"kind":"x","meta":{"customer":{"id":"c"}}}', '{"at":2,"kind":"y","uid":"u"}'];

  it('flags win and may be dotted paths; fields seen on any sample line count', () => {
    const p = resolveJsonPaths(lines, { ...DEFAULT_MAPPING, timestampField: 'at', eventField: 'kind', customerField: 'meta.customer.id', idField: 'uid' }, 'f');
    expect(p).toEqual({ name: ['kind'], ts: ['at'], id: ['uid'], customer: ['meta', 'customer', 'id'], props: undefined });
  });

  it('without a timestamp or event name it asks for the flag, listing the fields seen', () => {
    expect(() => resolveJsonPaths(lines, DEFAULT_MAPPING, 'f')).toThrow(
      'f: cannot tell which field holds the timestamp; pass --timestamp-field (fields seen: at, kind, meta, uid)',
    );
    expect(() => resolveJsonPaths(lines, { ...DEFAULT_MAPPING, timestampField: 'at' }, 'f')).toThrow(/--event-field or --event-name/);
    expect(resolveJsonPaths(lines, { ...DEFAULT_MAPPING, timestampField: 'at', eventName: 'fixed' }, 'f').name).toEqual(['\u0000no-event-field']);
  });

  it('the customer guess never takes the payload customer key itself', () => {
    const l = ['{"ts":1,"name":"x","stripe_customer_id":"a","customer":"b"}'];
    expect(resolveJsonPaths(l, DEFAULT_MAPPING, 'f').customer).toEqual(['customer']);
  });
});

describe('resolveCsvColumns', () => {
  it('payload.x and payload[x] columns become property x; mapped columns are not properties', () => {
    const c = resolveCsvColumns(['identifier,timestamp,event_name,payload[tier],payload.region,stripe_customer_id'], DEFAULT_MAPPING, 'f');
    expect(c).toMatchObject({ id: 0, ts: 1, name: 2, customer: -1, propertyKeys: ['', '', '', 'tier', 'region', 'stripe_customer_id'] });
  });

  it('header names match case-insensitively; explicit columns must exist', () => {
    expect(resolveCsvColumns(['TIMESTAMP,Event_Name'], DEFAULT_MAPPING, 'f')).toMatchObject({ ts: 0, name: 1 });
    expect(() => resolveCsvColumns(['a,b'], { ...DEFAULT_MAPPING, timestampField: 'when' }, 'f')).toThrow('f:1: no column named "when" in the CSV header');
  });

  it('one sentence for each header problem', () => {
    expect(() => resolveCsvColumns(['timestamp'], DEFAULT_MAPPING, 'f')).toThrow('f:1: the CSV header has fewer than two columns');
    expect(() => resolveCsvColumns(['a,b'], DEFAULT_MAPPING, 'f')).toThrow(/no timestamp column found; pass --timestamp-field \(columns: a, b\)/);
    expect(() => resolveCsvColumns(['timestamp,b'], DEFAULT_MAPPING, 'f')).toThrow(/no event-name column found/);
    expect(() => resolveCsvColumns(['"a,b'], DEFAULT_MAPPING, 'f')).toThrow(/cannot read the CSV header/);
  });
});
