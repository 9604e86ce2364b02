/**
 * When the target is a meterscope sink, its own count of a replay: GET /_sink/stats before and
 * after, and the change on the protocol's route (events accepted, refused or dropped as duplicates,
 * invalid). On stripe-v2-stream and Metronome a 200 only means "received", so this is where the
 * events the target dropped show up. A target that does not answer like a sink (404, not JSON, no
 * such route) gives undefined; the real Stripe and Metronome hosts are never asked.
 */
import http from 'node:http';
import https from 'node:https';
import type { Protocol } from './encode.js';

/** The sink's counts on one route over the replay (the sink counts every client: run it for this replay alone). */
export interface SinkCounts {
  /** Where the counts were read. */
  statsUrl: string;
  /** The sink's route: the protocol's name. */
  route: string;
  requests: number;
  accepted: number;
  /** Identifiers already accepted: refused (stripe-v1, 400) or dropped after a 200 (v2 stream, Metronome). */
  duplicate: number;
  /** Events failing validation: refused (stripe-v1, Metronome: 400) or dropped after a 200 (v2 stream). */
  invalid: number;
}

type RouteStats = { requests: number; events_accepted: number; events_duplicate: number; events_invalid: number };
export type SinkSnapshot = { statsUrl: string; route: string; stats: RouteStats };

const PUBLIC_APIS = /(^|\.)(stripe|metronome)\.com$/i;
const TIMEOUT_MS = 3000;

/** The sink's stats of `protocol`'s route now, or undefined when `target` is no meterscope sink. */
export async function sinkSnapshot(target: URL, protocol: Protocol): Promise<SinkSnapshot | undefined> {
  if (PUBLIC_APIS.test(target.hostname)) return undefined;
  const statsUrl = new URL('/_sink/stats', target.origin).toString();
  const body = await getJson(statsUrl).catch(() => undefined);
  const stats = (body as { routes?: Record<string, RouteStats> } | undefined)?.routes?.[protocol];
  const counts = ['requests', 'events_accepted', 'events_duplicate', 'events_invalid'] as const;
  if (!stats || !counts.every((k) => typeof stats[k] === 'number')) return undefined;
  return { statsUrl, route: protocol, stats };
}

/** What the sink counted between two snapshots. */
export function sinkCounts(before: SinkSnapshot, after: SinkSnapshot): SinkCounts {
  const d = (k: keyof RouteStats) => after.stats[k] - before.stats[k];
  return {
    statsUrl: after.statsUrl,
    route: after.route,
    requests: d('requests'),
    accepted: d('events_accepted'),
    duplicate: d('events_duplicate'),
    invalid: d('events_invalid'),
  };
}

/** A small GET on its own connection (closed after), so the replay's pools and the process exit are untouched. */
function getJson(url: string): Promise<unknown> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: TIMEOUT_MS, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
