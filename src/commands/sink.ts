import path from 'node:path';
import type { Command } from 'commander';
import { withSignals } from './common.js';
import { numberFlag, repeatable } from './flags.js';
import { startSink } from '../sink/server.js';
import { listenFailure, listeningText, stoppedText } from '../sink/messages.js';
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
      repeatable,
    )
    .option('--customer-key <key>', "Stripe payload key that must hold the customer (the meter's customer mapping)", 'stripe_customer_id')
    .option('--value-key <key>', "Stripe payload key that must hold the numeric value (the meter's value settings)", 'value')
    .option('--stripe-key <key>', 'accept only this Stripe API key (env METERSCOPE_SINK_STRIPE_KEY; default: any sk_/rk_ test or live key format)')
    .option('--metronome-token <token>', 'accept only this Metronome bearer token (env METERSCOPE_SINK_METRONOME_TOKEN; default: any)')
    .option('--session-ttl <seconds>', 'lifetime of v2 meter event session tokens', '900')
    .option('--any-timestamp', "do not enforce the APIs' timestamp windows (Stripe: 35 days back, 5 min ahead; Metronome: 34 days back, 24 h ahead)")
    .option('--seed <n>', 'seed for the fault-injection dice (reproducible runs)')
    .option(
      '--meters <file>',
      "answer Stripe's GET /v1/billing/meters with these meters (`meterscope stripe meters --json` or a Stripe list) and their event summaries from the accepted events",
    )
    .action(async (flags: SinkFlags) => {
      const port = numberFlag('--port', flags.port, { min: 0, max: 65535, integer: true });
      const failStatus = numberFlag('--status', flags.status, { min: 100, max: 599, integer: true, what: 'an HTTP status (100–599)' });
      const failRate = numberFlag('--fail-rate', flags.failRate, { min: 0, max: 1, what: 'a fraction between 0 and 1' });
      const record = flags.record ? path.resolve(flags.record) : undefined;
      const meters = flags.meters ? readMetersFile(flags.meters) : [];
      const sink = await startSink({
        host: flags.host,
        port,
        record,
        latency: flags.latency ? parseLatency(flags.latency) : { min: 0, max: 0 },
        // --status alone: every request fails.
        failRate: failRate ?? (failStatus !== undefined ? 1 : 0),
        failStatus: failStatus ?? 503,
        rateLimits: parseRateLimits(flags.rateLimit),
        customerKey: flags.customerKey,
        valueKey: flags.valueKey,
        stripeKey: flags.stripeKey ?? (process.env.METERSCOPE_SINK_STRIPE_KEY || undefined),
        metronomeToken: flags.metronomeToken ?? (process.env.METERSCOPE_SINK_METRONOME_TOKEN || undefined),
        sessionTtlSeconds: numberFlag('--session-ttl', flags.sessionTtl, { min: 1 }),
        checkTimestamps: !flags.anyTimestamp,
        seed: numberFlag('--seed', flags.seed, { integer: true }),
        meters,
      }).catch((e: NodeJS.ErrnoException) => {
        throw listenFailure(e, flags.host, port);
      });
      process.stdout.write(listeningText(sink.url, record));
      await withSignals((signal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', resolve, { once: true })));
      const stats = sink.stats();
      await sink.close();
      process.stdout.write(stoppedText(stats));
    });
}
