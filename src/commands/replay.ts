import type { Command } from 'commander';
import { ALLOW_INCOMPLETE, addInputOptions, addStoreOptions, mappingFrom, withSignals, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { repeatable } from './flags.js';
import { parseReplayFlags, type ReplaySettingFlags } from './replay-flags.js';
import { PROTOCOLS } from '../replay/encode.js';
import { resolveAuth } from '../replay/auth.js';
import { resolveTarget } from '../replay/target.js';
import { runReplaySession } from '../replay/session.js';
import { ProgressLine } from '../replay/progress-line.js';
import { DEFAULT_RETRY } from '../replay/retry.js';
import { renderReplayComparison, renderReplayTerminal } from '../report/replay-terminal.js';
import { addWidthOption, textLayout, type WidthFlags } from './report-output.js';

export interface ReplayFlags extends StoreFlags, MappingFlags, ReplaySettingFlags, WidthFlags {
  sessionTarget?: string;
  apiKey?: string;
  header?: string[];
  allowLive?: boolean;
  uniqueIds?: boolean;
  json?: boolean;
  compare?: string;
  allowIncomplete?: boolean;
}

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay a meter-event log (or a stored run) against an ingestion endpoint as a load benchmark; every event is accounted for')
    .argument('<input>', 'a log file (or glob) to load and replay, or the id of a stored run (see: meterscope runs)')
    .option('--target <url>', 'base URL of the endpoint, e.g. http://127.0.0.1:12111 (the API path is appended; raw: the URL is used as given)')
    .option('--protocol <name>', `how events are sent: ${PROTOCOLS.join(' | ')}`)
    .option('--session-target <url>', 'stripe-v2-stream: where meter event sessions are created (default: api.stripe.com for meter-events.stripe.com, else the target)')
    .option('--api-key <key>', 'Stripe API key / Metronome token (prefer env STRIPE_API_KEY / METRONOME_API_TOKEN)')
    .option('--header <header>', 'extra request header "Name: value" (repeatable; overrides the defaults)', repeatable)
    .option('--allow-live', 'allow a Stripe live-mode key (sk_live_/rk_live_): replayed usage is billed to real customers')
    .option('--speed <n>', 'recorded timing, sped up n times (default: 1, the recorded pace)')
    .option('--rate <r>', 'constant rate R events/s, or a ramp A:B:duration (e.g. 100:2000:60s)')
    .option('--max', 'closed loop: each connection sends its next request as soon as the previous one is answered')
    .option('--connections <n>', 'HTTP connections (keep-alive)', '10')
    .option('--pipelining <n>', 'HTTP/1.1 requests in flight per connection (event protocols are idempotent by identifier)', '1')
    .option('--batch <n>', 'events per request (stripe-v2-stream, metronome: default and maximum 100; stripe-v1: 1; raw: default 1)')
    .option('--flush-ms <ms>', 'a partial batch leaves this long after its first event was due', '200')
    .option('--max-in-flight <n>', 'open model: requests awaiting an answer before the generator waits (the lag then shows it)', '10000')
    .option('--timeout <ms>', 'per-attempt timeout', '30000')
    .option('--retries <n>', 'retries per request on 429, 5xx and network errors', String(DEFAULT_RETRY.retries))
    .option('--max-retry-wait <ms>', 'upper bound on one retry wait, Retry-After included', String(DEFAULT_RETRY.maxWaitMs))
    .option('--timestamps <mode>', 'shift: event times become the time each event is sent (APIs refuse old events); original: as recorded', 'shift')
    .option('--gzip', 'metronome: gzip request bodies')
    .option('--unique-ids', "append a per-replay suffix to identifiers, so a log can be replayed again inside the APIs' dedupe windows")
    .option('--duration <time>', 'stop sending after this long (e.g. 30s, 5m); unsent events are counted as not sent')
    .option('--warmup <time>', 'leave requests scheduled in the first part of the run (e.g. 2s) out of the latency histograms; they are still sent and counted')
    .option('--limit <n>', 'replay at most the first n events (by event time)')
    .option('--json', 'print the report model as JSON on stdout (and nothing else)')
    .option('--compare <run-id>', 'after the run, compare it with an earlier replay run')
    .option('--allow-incomplete', ALLOW_INCOMPLETE);
  addWidthOption(cmd);
  addInputOptions(cmd);
  addStoreOptions(cmd);
  cmd.action(async (input: string, flags: ReplayFlags) => {
    const layout = textLayout(flags);
    const settings = parseReplayFlags(flags);
    const { format, mapping } = mappingFrom(flags);
    const target = resolveTarget(settings.protocol, flags.target!, flags.sessionTarget);
    const auth = resolveAuth({
      protocol: settings.protocol,
      apiKey: flags.apiKey,
      headers: flags.header,
      allowLive: flags.allowLive,
      urls: [flags.target, flags.sessionTarget],
    });
    const line = process.stderr.isTTY && !flags.json ? new ProgressLine(process.stderr) : undefined;
    const config = {
      input,
      format,
      mapping,
      settings,
      target,
      auth,
      gzip: !!flags.gzip,
      uniqueIds: !!flags.uniqueIds,
      compare: flags.compare,
      allowIncomplete: flags.allowIncomplete,
      runOptions: { ...flags },
    };
    await withStore(flags, async (store) => {
      const { report, previous } = await withSignals(
        async (signal) => {
          try {
            return await runReplaySession(store, config, signal, { onProgress: line && ((m, s, total) => line.show(m, s, total)) });
          } finally {
            line?.clear();
          }
        },
        () => line?.clear(),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        process.stdout.write(renderReplayTerminal(report, layout));
        if (previous) process.stdout.write(`\n${renderReplayComparison(previous, report, layout)}`);
      }
    });
  });
}
