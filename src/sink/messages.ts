/** What `meterscope sink` tells its user: where it listens, why it cannot, what it served. */
import { UserError } from '../errors.js';
import type { SinkStatsSnapshot } from './stats.js';
import { int, plural } from '../report/format.js';

export function listeningText(url: string, record: string | undefined): string {
  return (
    `meterscope sink listening on ${url}\n` +
    `  Stripe v1  POST ${url}/v1/billing/meter_events\n` +
    `  Stripe v2  POST ${url}/v2/billing/meter_event_session, ${url}/v2/billing/meter_event_stream\n` +
    `  Metronome  POST ${url}/v1/ingest\n` +
    `  raw        POST ${url}/raw (replay --protocol raw: any body, JSON lines counted and recorded)\n` +
    `  stats      GET  ${url}/_sink/stats\n` +
    (record ? `  recording accepted events to ${record}\n` : '')
  );
}

/** A listen failure the user can act on as one sentence; anything else unchanged. */
export function listenFailure(e: NodeJS.ErrnoException, host: string, port: number): Error {
  if (e.code === 'EADDRINUSE') return new UserError(`port ${port} on ${host} is already in use; pick another with --port (0 = any free port)`);
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES') return new UserError(`cannot listen on ${host}:${port} (${e.code})`);
  return e;
}

export function stoppedText(stats: SinkStatsSnapshot): string {
  const lines = Object.entries(stats.routes)
    .filter(([, r]) => r.requests > 0)
    .map(([name, r]) => {
      const statuses = Object.entries(r.by_status)
        .map(([s, n]) => `${s}: ${int(n)}`)
        .join(', ');
      return `  ${name}: ${plural(r.requests, 'request')} (${statuses}), ${plural(r.events_accepted, 'event')} accepted, ${plural(r.events_duplicate, 'duplicate')}, ${int(r.events_invalid)} invalid`;
    });
  return `sink stopped; ${plural(stats.recorded, 'event')} accepted\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}
