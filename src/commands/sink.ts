import path from 'node:path';
import type { Command } from 'commander';
import { numberFlag } from './common.js';
import { UserError } from '../errors.js';
import { startSink } from '../sink/server.js';
import { DEFAULT_RATE_LIMITS, LIMIT_KEYS, parseLatency, parseRateLimits } from '../sink/options.js';
import { readMetersFile } from '../stripe/meters.js';

interface SinkFlags {
  host: string;
  port: string;
  record?: string;
  latency?: string;
  failRate?: string;
  status?: string;
  rateLimit?: string[];
  customerKey: string;
  valueKey: string;
  stripeKey?: string;
  metronomeToken?: string;
  sessionTtl: string;
  anyTimestamp?: boolean;
  seed?: string;
  meters?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerSink(program: Command): void {
  program
    .command('sink')
    .description('run a local endpoint emulating the Stripe and Metronome ingestion APIs (for replays and SDK tests); Ctrl-C stops it')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '12111')
    .option('--record <file>', 'write every accepted event to this JSONL file (meterscope profile reads it as the metronome format)')
    .option('--latency <ms>', 'delay every API answer: fixed (20) or uniform in a range (10-50)')
    .option('--fail-rate <fraction>', 'answer this fraction of API requests with --status before processing them (e.g. 0.2)')
    .option('--status <code>', 'status for injected failures (default 503; alone, without --fail-rate, every request fails)')
    .option(
      '--rate-limit <name=n>',
      `per-path limit answered with 429 + Retry-After (repeatable; "off" disables all): ${LIMIT_KEYS.map((k) => `${k}=${DEFAULT_RATE_LIMITS[k]}`).join(', ')} (metronome counts events/s, the others requests/s)`,
      collect,
    )
    .option('--customer-key <key>', "Stripe payload key that must hold the customer (the meter's customer mapping)", 'stripe_customer_id')
    .option('--value-key <key>', "Stripe payload key that must hold the numeric value (the meter's value settings)", 'value')
    .option('--stripe-key <key>', 'accept only this Stripe API key (default: any sk_/rk_ test or live key format)')
    .option('--metronome-token <token>', 'accept only this Metronome bearer token (default: any)')
    .option('--session-ttl <seconds>', 'lifetime of v2 meter event session tokens', '900')
    .option('--any-timestamp', 'do not enforce the APIs\' timestamp windows (Stripe: 35 days back, 5 min ahead; Metronome: 34 days back, 24 h ahead)')
    .option('--seed <n>', 'seed for the fault-injection dice (reproducible runs)')
    .option('--meters <file>', 'answer Stripe\'s GET /v1/billing/meters with these meters (`meterscope stripe meters --json` or a Stripe list) and their event summaries from the accepted events')
    .action(async (flags: SinkFlags) => {
      const port = numberFlag('--port', flags.port, { min: 0, integer: true })!;
      if (port > 65535) throw new UserError(`--port must be at most 65535, got ${port}`);
      const failStatus = numberFlag('--status', flags.status, { min: 100, integer: true });
      if (failStatus !== undefined && failStatus > 599) throw new UserError(`--status must be an HTTP status (100–599), got ${failStatus}`);
      let failRate = numberFlag('--fail-rate', flags.failRate, { min: 0 });
      if (failRate !== undefined && failRate > 1) throw new UserError(`--fail-rate is a fraction between 0 and 1, got ${failRate}`);
      if (failRate === undefined && failStatus !== undefined) failRate = 1;
      const meters = flags.meters ? readMetersFile(flags.meters) : [];
      const sink = await startSink({
        host: flags.host,
        port,
        record: flags.record ? path.resolve(flags.record) : undefined,
        latency: flags.latency ? parseLatency(flags.latency) : { min: 0, max: 0 },
        failRate: failRate ?? 0,
        failStatus: failStatus ?? 503,
        rateLimits: parseRateLimits(flags.rateLimit),
        customerKey: flags.customerKey,
        valueKey: flags.valueKey,
        stripeKey: flags.stripeKey,
        metronomeToken: flags.metronomeToken,
        sessionTtlSeconds: numberFlag('--session-ttl', flags.sessionTtl, { min: 1 })!,
        checkTimestamps: !flags.anyTimestamp,
        seed: numberFlag('--seed', flags.seed, { integer: true }),
        meters,
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${port} on ${flags.host} is already in use; pick another with --port (0 = any free port)`);
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES') throw new UserError(`cannot listen on ${flags.host}:${port} (${e.code})`);
        throw e;
      });
      process.stdout.write(`meterscope sink listening on ${sink.url}\n`);
      process.stdout.write(`  Stripe v1  POST ${sink.url}/v1/billing/meter_events\n`);
      process.stdout.write(`  Stripe v2  POST ${sink.url}/v2/billing/meter_event_session, ${sink.url}/v2/billing/meter_event_stream\n`);
      process.stdout.write(`  Metronome  POST ${sink.url}/v1/ingest\n`);
      if (meters.length) process.stdout.write(`  Stripe     GET  ${sink.url}/v1/billing/meters (${meters.length} meters), ${sink.url}/v1/billing/meters/{id}/event_summaries\n`);
      process.stdout.write(`  stats      GET  ${sink.url}/_sink/stats\n`);
      if (flags.record) process.stdout.write(`  recording accepted events to ${path.resolve(flags.record)}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const stats = sink.stats();
      await sink.close();
      const lines = Object.entries(stats.routes)
        .filter(([, r]) => r.requests > 0)
        .map(([name, r]) => `  ${name}: ${r.requests} requests (${Object.entries(r.by_status).map(([s, n]) => `${s}×${n}`).join(', ')}), ${r.events_accepted} events accepted, ${r.events_duplicate} duplicates, ${r.events_invalid} invalid`);
      process.stdout.write(`sink stopped; ${stats.recorded} events accepted\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    });
}
