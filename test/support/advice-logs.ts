/**
 * Logs with known truth for the advice tests, as Stripe meter events (report-support's Ev shape):
 * - truthLog: keys at exact presences and skews, near-duplicates (retries with new identifiers),
 *   over-long identifiers, fractional values, hourly batch traffic (every event in minute :05);
 * - webLog: a web-server access log turned into meter events, the way a user would: near-constant
 *   method and agent, a skewed status, a path and a client address that grow with traffic.
 * Plus the brute-force facts the tests compare with.
 */
import { mulberry32 } from '../../src/util/seeded-random.js';
import type { Ev } from './report-support.js';

export const T0 = Date.UTC(2025, 4, 5, 0, 0, 0) / 1000; // Monday 2025-05-05 00:00 UTC
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-east', 'sa-east', 'af-south'];
const TIERS = ['free', 'pro', 'team', 'enterprise'];
const MODELS = ['small', 'medium', 'large'];

/** 12 hours, 500 `api` and 40 `job` events per hour, all inside minute :05. */
export function truthLog(): Ev[] {
  const r = mulberry32(21);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: Ev[] = [];
  let i = 0;
  for (let h = 0; h < 12; h++) {
    for (let k = 0; k < 500; k++, i++) {
      const t = T0 + h * 3600 + 300 + Math.floor(r() * 60);
      const payload: Record<string, unknown> = {
        stripe_customer_id: `cus_${Math.floor(r() * r() * 20)}`,
        value: i % 250 === 0 ? '2.5' : String(1 + (i % 7)),
        region: pick(REGIONS),
        tier: pick(TIERS),
        method: i % 100 < 97 ? 'GET' : 'HEAD', // one value in exactly 97 % of events
        user_id: `user_${i}`,
      };
      if (i % 5 !== 0) payload.model = pick(MODELS); // exactly 80 % of events
      const identifier = i % 1000 === 1 ? `${'x'.repeat(110)}${i}` : i % 1000 === 2 ? `${'y'.repeat(130)}${i}` : `ev_${i}`;
      const ev = { identifier, timestamp: t, event_name: 'api', payload };
      out.push(ev);
      // Retries that minted a new identifier (one with the payload keys in another order), and exact re-sends.
      if (i % 300 === 3) out.push({ ...ev, identifier: `retry_${i}`, payload: Object.fromEntries(Object.entries(payload).reverse()) });
      if (i % 900 === 4) out.push({ ...ev, identifier: `retryA_${i}` }, { ...ev, identifier: `retryB_${i}` });
      if (i % 500 === 7) out.push({ ...ev });
    }
    for (let k = 0; k < 40; k++) {
      out.push({
        identifier: `job_${h}_${k}`,
        timestamp: T0 + h * 3600 + 300 + Math.floor(r() * 60),
        event_name: 'job',
        payload: { stripe_customer_id: `cus_${k % 5}`, value: String(1 + (k % 3)), queue: pick(['q1', 'q2']) },
      });
    }
    // A job without a value and its retry under a new identifier: a near-duplicate with no value.
    const bare = { identifier: `job_${h}_bare`, timestamp: T0 + h * 3600 + 301, event_name: 'job', payload: { stripe_customer_id: 'cus_0', queue: 'q1' } };
    out.push(bare, { ...bare, identifier: `job_${h}_bare_retry` });
  }
  return out;
}

/** ~6,000 page views over a day from a web-server log; every hit is logged at minute :05 of its hour (an hourly batch). */
export function webLog(): Ev[] {
  const r = mulberry32(99);
  const out: Ev[] = [];
  const paths = Array.from({ length: 4000 }, (_, n) => `/article/${n}`);
  for (let h = 0; h < 24; h++) {
    const hits = 150 + Math.floor(200 * Math.sin((Math.PI * h) / 24));
    for (let k = 0; k < hits; k++) {
      const n = out.length;
      const x = r();
      out.push({
        identifier: `hit_${n}`,
        timestamp: T0 + h * 3600 + 300 + Math.floor(r() * 60),
        event_name: 'page_view',
        payload: {
          stripe_customer_id: `site_${Math.floor(r() * r() * 8)}`,
          value: '1',
          method: x < 0.999 ? 'GET' : 'HEAD',
          agent: r() < 0.96 ? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0' : `bot-${Math.floor(r() * 30)}`,
          http: r() < 0.98 ? 'HTTP/1.1' : 'HTTP/2.0',
          status: String(r() < 0.8 ? 200 : r() < 0.5 ? 304 : r() < 0.6 ? 404 : 500),
          path: paths[Math.floor(r() * r() * (400 + n))] ?? '/',
          client_ip: `10.0.${Math.floor(r() * 40)}.${Math.floor(r() * 250)}`,
          bytes: String(200 + Math.floor(r() * 90_000)),
        },
      });
    }
  }
  return out;
}

/** Brute-force near-duplicates: same customer, name, time and payload (keys sorted); extra = identifiers − 1 (an empty one counts each). */
export function nearDuplicates(evs: Ev[]): { groups: number; events: number; value: number } {
  const groups = new Map<string, { ids: Set<string>; empty: number; value: number }>();
  for (const e of evs) {
    const payload = JSON.stringify(
      Object.entries(e.payload)
        .map(([k, v]) => [k, JSON.stringify(v)])
        .sort(),
    );
    const key = JSON.stringify([e.payload.stripe_customer_id ?? '', e.event_name, e.timestamp, payload]);
    const g = groups.get(key) ?? { ids: new Set<string>(), empty: 0, value: Number(e.payload.value ?? 0) || 0 };
    if (e.identifier) g.ids.add(e.identifier);
    else g.empty++;
    groups.set(key, g);
  }
  let n = 0;
  let events = 0;
  let value = 0;
  for (const g of groups.values()) {
    const extra = g.ids.size + g.empty - 1;
    if (extra > 0) {
      n++;
      events += extra;
      value += extra * g.value;
    }
  }
  return { groups: n, events, value };
}
