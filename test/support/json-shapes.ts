/**
 * Whole-file JSON fixtures written piece by piece, so the line each event starts on is known from
 * the writing itself (not from meterscope's splitter); each text is checked against what
 * JSON.stringify / `jq .` print for the same value.
 */

export interface StripeEvent {
  identifier: string;
  timestamp: number | string;
  event_name?: string;
  payload: Record<string, unknown>;
  object?: string;
}

/** Events with awkward strings (escaped quotes, brackets, backslashes, a newline escape, non-ASCII). */
export function stripeEvents(n: number, from = 0): StripeEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const ev: StripeEvent = {
      object: 'billing.meter_event',
      identifier: `ev_${i}`,
      timestamp: 1_741_000_000 + i * 7,
      event_name: i % 3 === 0 ? 'api_call' : 'tokens "in" {x}',
      payload: {
        stripe_customer_id: `cus_${i % 5}`,
        value: String(i % 11),
        note: i % 4 === 0 ? 'a [b] {c} \\ "d"\nline é' : 'plain',
        tags: i % 6 === 0 ? [] : { k: [i, { z: null }] },
      },
    };
    if (i % 17 === 5) delete ev.event_name; // rejected: missing event name
    if (i % 19 === 7) ev.timestamp = 'not a time'; // rejected: unparseable timestamp
    return ev;
  });
}

export interface Placed {
  text: string;
  /** Per event: the line its text starts on and its 1-based index in its array. */
  at: { line: number; seq: number }[];
}

const newlines = (s: string) => s.split('\n').length - 1;
const indent = (s: string, by: string) => s.replace(/\n/g, `\n${by}`);

/** An array printed with 2-space indentation (`JSON.stringify(a, null, 2)`, `jq .`), nested `depth` levels deep. */
function prettyArray(values: unknown[], depth: number, line: number): Placed {
  const pad = '  '.repeat(depth + 1);
  let text = '[\n';
  const at: Placed['at'] = [];
  values.forEach((v, i) => {
    if (i > 0) text += ',\n';
    text += pad;
    at.push({ line: line + newlines(text), seq: i + 1 });
    text += indent(JSON.stringify(v, null, 2), pad);
  });
  text += `\n${'  '.repeat(depth)}]`;
  return { text, at };
}

export function prettyArrayFile(values: unknown[]): Placed {
  const p = prettyArray(values, 0, 1);
  if (p.text !== JSON.stringify(values, null, 2)) throw new Error('fixture differs from JSON.stringify');
  return { text: `${p.text}\n`, at: p.at };
}

/** One line: `[{…},{…},…]`. */
export function oneLineArrayFile(values: unknown[]): Placed {
  return { text: `${JSON.stringify(values)}\n`, at: values.map((_, i) => ({ line: 1, seq: i + 1 })) };
}

/** `{"object":"list","data":[…],"has_more":false}` or `{"events":[…]}`, pretty. */
export function envelopeFile(values: unknown[], key: 'data' | 'events'): Placed {
  const head = key === 'data' ? '{\n  "object": "list",\n  "data": ' : '{\n  "events": ';
  const arr = prettyArray(values, 1, 1 + newlines(head));
  const text = `${head}${arr.text}${key === 'data' ? ',\n  "has_more": false' : ''}\n}`;
  const value = key === 'data' ? { object: 'list', data: values, has_more: false } : { events: values };
  if (text !== JSON.stringify(value, null, 2)) throw new Error('fixture differs from JSON.stringify');
  return { text: `${text}\n`, at: arr.at };
}

/** Pretty objects one after another (`jq .` over JSON lines). */
export function concatenatedFile(values: unknown[]): Placed {
  let text = '';
  const at: Placed['at'] = [];
  for (const v of values) {
    at.push({ line: 1 + newlines(text), seq: 1 });
    text += `${JSON.stringify(v, null, 2)}\n`;
  }
  return { text, at };
}
