/**
 * Stripe v1 request logs as people log them: the form body bare or after body=/data=/params=
 * (JSON-quoted too), the request time in ISO 8601, logfmt time=, Apache/nginx or syslog form used
 * when the body has no timestamp (as Stripe does); rejects say what is missing and where we looked.
 * Expected values come from URLSearchParams and Date, the same on every path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { loadEveryWay } from './support/load-paths.js';

let store: Store;
const dir = tempDir('meterscope-form-');

beforeAll(async () => {
  store = await openTestStore();
});

const body = (id: string, extra = '') => `event_name=api_call&identifier=${id}&payload[stripe_customer_id]=cus_1&payload[value]=3${extra}`;

/** The syslog year rule: this year, or the last one when that would be more than a day ahead. */
function syslogTime(month: number, day: number, hms: string): number {
  const [h, m, s] = hms.split(':').map(Number);
  const now = Date.now();
  const year = new Date(now).getUTCFullYear();
  const t = Date.UTC(year, month, day, h, m, s);
  return t > now + 86_400_000 ? Date.UTC(year - 1, month, day, h, m, s) : t;
}

const ms = (t: unknown) => Date.parse(`${String(t).replace(' ', 'T')}Z`);

describe('Stripe v1 request logs', () => {
  it('finds the body and the request time in the usual log shapes', async () => {
    const cases: [string, number, Record<string, string>?][] = [
      [`2025-03-01T10:00:02Z POST /v1/billing/meter_events ${body('iso')}`, Date.parse('2025-03-01T10:00:02Z')],
      [`2025-03-01 10:00:02.250+01:00 INFO POST /v1/billing/meter_events ${body('iso-space')}`, Date.parse('2025-03-01T10:00:02.250+01:00')],
      [`[2025-03-01T10:00:03Z] POST ${body('iso-bracket')}`, Date.parse('2025-03-01T10:00:03Z')],
      [`time=2025-03-01T10:00:04Z level=info method=POST body="${body('logfmt', '&payload[q]=a\\"b%20c')}"`, Date.parse('2025-03-01T10:00:04Z'), { q: 'a"b c' }],
      [`10.0.0.1 - - [01/Mar/2025:10:00:05 +0200] "POST /v1/billing/meter_events HTTP/1.1" 200 data=${body('clf')}`, Date.parse('2025-03-01T10:00:05+02:00')],
      [`Mar  1 10:00:06 web-1 app[42]: POST /v1/billing/meter_events params=${body('syslog')}`, syslogTime(2, 1, '10:00:06')],
      [`Dec 31 23:59:59 web-1 app: params=${body('syslog-dec')}`, syslogTime(11, 31, '23:59:59')],
      [`<14>1 2025-03-01T10:00:07Z web-1 app - - - params=${body('rfc5424')}`, Date.parse('2025-03-01T10:00:07Z')],
      [`2025-03-01T10:00:08Z INFO request body=b'${body('python-bytes')}' status=200`, Date.parse('2025-03-01T10:00:08Z')],
      [`2025-03-01T10:00:09Z INFO data='${body('single-quoted')}'`, Date.parse('2025-03-01T10:00:09Z')],
      // The body's own timestamp wins over the request time.
      [`2025-03-01T10:00:10Z POST body=${body('own-ts', '&timestamp=1700000000')}`, 1_700_000_000_000],
    ];
    const t = await loadEveryWay(store, dir, 'requests.log', Buffer.from(cases.map((c) => c[0]).join('\n')), { format: 'stripe-v1-form' });
    expect(t.rejects).toEqual([]);
    expect(t.events.map((e) => [e.identifier, ms(e.t)])).toEqual(
      cases.map((c) => [new URLSearchParams(c[0].replace(/^.*?(event_name=[^\s'"]*).*$/, '$1')).get('identifier'), c[1]]),
    );
    const logfmt = JSON.parse(String(t.events[3].props)) as Record<string, string>;
    expect(JSON.parse(logfmt.q)).toBe('a"b c');
  });

  it('says what is missing and where it looked', async () => {
    const lines = [
      'GET /v1/customers 200', // no body at all
      `2025-03-01T10:00:02Z POST body=${body('x').replace('event_name=api_call&', '')}`,
      `POST /v1/billing/meter_events ${body('no-time')}`,
      `2025-03-01T10:00:03Z POST ${body('bad-escape', '&payload[note]=100%')}`,
      `2025-03-01T10:00:04Z POST ${body('bad-escape2', '&payload[note]=%ZZ')}`,
      `2025-03-01T10:00:05Z POST ${body('bad-utf8', '&payload[note]=%FF')}`,
      `[01/Foo/2025:10:00:06 +0000] POST ${body('bad-month')}`,
      `2025-03-01T10:00:07Z POST ${body('epoch', '&timestamp=0')}`,
    ];
    const t = await loadEveryWay(store, dir, 'bad-requests.log', Buffer.from(lines.join('\n')), { format: 'stripe-v1-form' });
    expect(t.events).toEqual([]);
    expect(t.rejects.map((r) => [Number(r.line), r.reason])).toEqual([
      [1, 'not a form-encoded body (looked for the value of body=/data=/params= or a bare field with event_name=, payload[…]=, identifier= or timestamp=)'],
      [2, 'missing event name (looked for event_name= in the form body, taken from body=/data=/params= or a bare a=b&c=d field)'],
      [3, 'missing timestamp (no timestamp= in the form body and no request time before it in ISO 8601, time=/ts=, [01/Mar/2025…] or syslog "Mar  1 10…" form)'],
      [4, 'invalid percent-escape in the form body'],
      [5, 'invalid percent-escape in the form body'],
      [6, 'invalid UTF-8 in the form body after percent-decoding'],
      [7, 'missing timestamp (no timestamp= in the form body and no request time before it in ISO 8601, time=/ts=, [01/Mar/2025…] or syslog "Mar  1 10…" form)'],
      [8, 'timestamp out of range (accepted 1990-01-01 … 2200-01-01 UTC): 0'],
    ]);
  });
});
