/**
 * Shared input for the report tests: a generated Stripe meter-event file whose facts are known in plain
 * JS (per-second counts, customers, key presence), with hostile payload values, keys and an event name,
 * profiled in-process on the test file's embedded store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openTestStore, tempDir } from './helpers.js';
import { resolveSources } from '../../src/ingest/source.js';
import { loadSources } from '../../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../../src/ingest/formats.js';
import { computeProfile } from '../../src/profile/compute.js';
import type { ProfileReport } from '../../src/profile/model.js';
import { mulberry32 } from '../../src/util/seeded-random.js';

export interface Ev {
  identifier?: string;
  /** Unix seconds. */
  timestamp: number;
  event_name: string;
  payload: Record<string, unknown>;
}

/** Payload text that must never run: each sets a window flag or logs an error if it executes. */
export const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1;console.error(\'pwned img\')">',
  script: '</script><script>window.__pwned=2;console.error("pwned script")</script>',
  markdown: '| **bold** [click](javascript:window.__pwned=5) `tick` <b>x</b>',
  /** Short enough to survive the reports' value truncation whole. */
  short: '<img src=x onerror=__pwned=6>',
  key: '<svg onload="window.__pwned=3">',
  name: 'evil</title><script>window.__pwned=4</script>',
};

export const T0 = Date.UTC(2024, 2, 4, 0, 0, 0) / 1000; // Monday 2024-03-04 00:00 UTC
export const BURST_AT = T0 + 86_400 + 14 * 3600 + 123;
export const BURST = 90;

const rng = mulberry32;

/** ~6,000 events over 3 days with a daily rhythm and one burst second. */
export function generateEvents(): Ev[] {
  const r = rng(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: Ev[] = [];
  let n = 0;
  let calls = 0;
  for (let s = 0; s < 3 * 86_400; s += 60) {
    const hour = Math.floor((s % 86_400) / 3600);
    const k = hour >= 9 && hour < 18 ? 3 : 1;
    const c = Math.floor(r() * k * 1.5);
    for (let j = 0; j < c; j++) {
      n++;
      const t = T0 + s + Math.floor(r() * 60);
      const customer = r() < 0.02 ? undefined : `cus_${Math.floor(r() * r() * 25)}`;
      const base = customer === undefined ? {} : { stripe_customer_id: customer };
      const x = r();
      if (x < 0.6) {
        calls++;
        out.push({
          identifier: `ev_${n}`,
          timestamp: t,
          event_name: 'api_call',
          payload: {
            ...base,
            value: String(1 + Math.floor(r() * 50)),
            region: pick(['eu-west', 'us-east', 'us-west', 'ap-south']),
            model: pick(['small', 'medium', 'large']),
            user_id: `u_${Math.floor(r() * 200)}`,
            request_id: `req_${n}`,
            note: [HOSTILE.img, HOSTILE.script, HOSTILE.markdown, HOSTILE.short][calls - 1] ?? 'ok',
          },
        });
      } else if (x < 0.75) {
        out.push({
          identifier: `ev_${n}`,
          timestamp: t,
          event_name: 'active_seats',
          payload: { ...base, value: 5 + Math.floor(r() * 40), plan: pick(['team', 'business']) },
        });
      } else if (x < 0.9) {
        const p: Record<string, unknown> = { ...base, [HOSTILE.key]: 'x' };
        if (r() < 0.9) p.method = pick(['password', 'sso']);
        out.push({ identifier: r() < 0.05 ? undefined : `ev_${n}`, timestamp: t, event_name: 'login', payload: p });
      } else {
        out.push({ identifier: `ev_${n}`, timestamp: t, event_name: 'ping', payload: { ...base, value: 1 } });
      }
    }
  }
  for (let i = 0; i < BURST; i++) {
    out.push({
      identifier: `burst_${i}`,
      timestamp: BURST_AT,
      event_name: 'api_call',
      payload: { stripe_customer_id: 'cus_1', value: '2', region: 'eu-west', model: 'small', user_id: 'u_1', request_id: `burst_${i}`, note: 'ok' },
    });
  }
  out.push({ identifier: 'ev_1', timestamp: T0 + 3600, event_name: 'ping', payload: { stripe_customer_id: 'cus_2', value: 1 } }); // reuses ev_1 within 24 h
  for (let i = 0; i < 3; i++) out.push({ identifier: `evil_${i}`, timestamp: T0 + 7200 + i, event_name: HOSTILE.name, payload: { stripe_customer_id: 'cus_3' } });
  return out;
}

export function writeEvents(evs: Ev[], dir = tempDir()): string {
  const file = path.join(dir, 'events.jsonl');
  fs.writeFileSync(file, `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return file;
}

export async function profileFile(file: string, runId: string): Promise<ProfileReport> {
  const store = await openTestStore();
  const loads = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  return computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value' });
}

// ---- brute-force facts, plain JS ------------------------------------------------------------------

export function facts(evs: Ev[]) {
  const perSecond = new Map<number, number>();
  for (const e of evs) perSecond.set(e.timestamp, (perSecond.get(e.timestamp) ?? 0) + 1);
  const first = Math.min(...evs.map((e) => e.timestamp));
  const last = Math.max(...evs.map((e) => e.timestamp));
  const names = new Map<string, number>();
  for (const e of evs) names.set(e.event_name, (names.get(e.event_name) ?? 0) + 1);
  const customers = new Set(evs.map((e) => e.payload.stripe_customer_id).filter((c): c is string => typeof c === 'string' && c !== ''));
  const seen = new Map<string, number>();
  let dup24h = 0;
  for (const e of [...evs].sort((a, b) => a.timestamp - b.timestamp)) {
    if (!e.identifier) continue;
    const prev = seen.get(e.identifier);
    if (prev !== undefined && e.timestamp - prev <= 86_400) dup24h++;
    seen.set(e.identifier, e.timestamp);
  }
  return {
    total: evs.length,
    spanSeconds: last - first + 1,
    avgEps: evs.length / (last - first + 1),
    peak1s: Math.max(...perSecond.values()),
    names,
    customers: customers.size,
    withoutCustomer: evs.filter((e) => typeof e.payload.stripe_customer_id !== 'string').length,
    withoutIdentifier: evs.filter((e) => !e.identifier).length,
    dup24h,
    /** Events of a name lacking a key. */
    lacking: (name: string, key: string) => evs.filter((e) => e.event_name === name && !(key in e.payload)).length,
    distinct: (name: string, key: string) => new Set(evs.filter((e) => e.event_name === name && key in e.payload).map((e) => JSON.stringify(e.payload[key]))).size,
    keys: (name: string) => [...new Set(evs.filter((e) => e.event_name === name).flatMap((e) => Object.keys(e.payload)))],
  };
}

// ---- charts in a rendered page -----------------------------------------------------------------

/** The page's charts: id and the figure's inner HTML (its pre-rendered SVG). */
export const charts = (html: string) => [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => ({ id: m[1], body: m[2] }));

/** Elements drawn inside Vega mark groups (not axes or legends). */
export const marks = (svg: string) =>
  [...svg.matchAll(/<g class="mark-[\w-]+ role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].reduce((n, m) => n + (m[1].match(/<(path|rect|line|text|circle)\b/g) ?? []).length, 0);

/** Marks per chart id. */
export const marksByChart = (html: string): Record<string, number> => Object.fromEntries(charts(html).map((c) => [c.id, marks(c.body)]));
