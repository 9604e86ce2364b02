/** `meterscope generate`: synthetic meter-event logs for demos, tests and benchmarks (see docs/generate.md). */
import path from 'node:path';
import type { Command } from 'commander';
import { addStoreOptions, inputFormat, withScratchStore, type StoreFlags } from './common.js';
import { durationFlag, numberFlag, repeatable, timeFlag } from './flags.js';
import { FORMATS } from '../ingest/formats.js';
import { UserError } from '../errors.js';
import { generate, type GenerateOptions } from '../generate/index.js';
import { compressionFor } from '../generate/output.js';
import { generationSummary } from '../generate/summary.js';
import { parseEventNames, parseProperty, DEFAULT_EVENT_NAMES, DEFAULT_PROPERTIES } from '../generate/options.js';

interface GenerateFlags extends StoreFlags {
  format: string;
  events?: string;
  duration?: string;
  rate?: string;
  peakRate?: string;
  start?: string;
  bursts?: string;
  burstSeconds?: string;
  dailySwing?: string;
  peakHour?: string;
  jitter?: string;
  customers?: string;
  customerSkew?: string;
  eventNames?: string;
  property: string[];
  properties: boolean;
  valueRange?: string;
  valueDecimals?: string;
  duplicateRate?: string;
  malformedRate?: string;
  lateRate?: string;
  lateMax?: string;
  batchSize?: string;
  seed?: string;
  customerKey?: string;
  valueKey?: string;
  out?: string;
  compressionLevel?: string;
  quiet?: boolean;
}

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('write a synthetic meter-event log (made by ClickHouse; same seed, same bytes) for demos, tests and benchmarks')
    .option('-f, --format <name>', `output format: ${FORMATS.join(', ')}`, 'stripe-json')
    .option('-o, --out <file>', 'write to FILE (.gz / .zst compress); default stdout')
    .option('--compression-level <n>', 'gzip 1–9 or zstd 1–22 for a .gz/.zst --out', '3')
    .option('-n, --events <n>', 'number of valid events (give at most two of --events, --duration, --rate)')
    .option('--duration <d>', 'span of the timeline, e.g. 90s, 15m, 1h, 2d (default 1h)')
    .option('--rate <r>', 'average events per second (default 10)')
    .option('--peak-rate <n>', 'events in every second of a burst: the exact per-second peak (default ≈ 2× the busiest hour)')
    .option('--bursts <n>', 'bursts at the peak rate, one per equal stretch of the timeline (default 1 per 6 h; 0 = none)')
    .option('--burst-seconds <n>', 'length of each burst in seconds (default up to 10)')
    .option('--start <time>', 'first second: ISO 8601, unix seconds, now or now-2d (default 2025-01-01T00:00:00Z)')
    .option('--daily-swing <f>', 'hour-of-day rate curve amplitude, 0 (flat) to 0.95', '0.5')
    .option('--peak-hour <h>', 'UTC hour where the daily curve peaks', '15')
    .option('--jitter <f>', 'per-second random rate variation, 0 to 0.9', '0.3')
    .option('--customers <n>', 'distinct customers', '200')
    .option('--customer-skew <s>', 'Zipf exponent of events per customer (0 = uniform)', '1')
    .option('--event-names <list>', 'event names with optional weights', DEFAULT_EVENT_NAMES.map((n) => `${n.name}:${n.weight}`).join(','))
    .option(
      '--property <spec>',
      `a payload property key:cardinality[:presence[:int]] (repeatable; replaces the defaults ${DEFAULT_PROPERTIES.map((p) => `${p.key}:${p.cardinality}:${p.presence}`).join(' ')})`,
      repeatable,
      [],
    )
    .option('--no-properties', 'no payload properties besides the customer and value keys')
    .option('--value-range <min:max>', 'range of the value key (skewed low, like most usage)', '1:100')
    .option('--value-decimals <d>', 'decimals of the value (0 = whole numbers)', '0')
    .option('--duplicate-rate <f>', 'share of events that re-send an earlier event (same identifier and payload)', '0')
    .option('--malformed-rate <f>', 'malformed lines per event: truncated, unparseable timestamp, missing event name', '0')
    .option('--late-rate <f>', 'share of events that arrive late, i.e. out of order', '0')
    .option('--late-max <d>', 'longest delay of a late event', '1h')
    .option('--batch-size <n>', 'events per line for stripe-v2-stream (default 100) and JSON arrays (default 1 = one object per line)')
    .option('--seed <n>', 'random seed', '1')
    .option('--customer-key <key>', "payload key holding the customer (the meter's customer mapping)", 'stripe_customer_id')
    .option('--value-key <key>', "payload key holding the value (the meter's value settings)", 'value')
    .option('-q, --quiet', 'no summary on stderr');
  // Generate keeps nothing in a store: without one named, its engine works in a temporary directory.
  addStoreOptions(cmd, 'a temporary directory, removed afterwards');
  cmd.action(async (flags: GenerateFlags) => {
    const opts = optionsFrom(flags);
    const toStdout = flags.out === undefined || flags.out === '-';
    if (!toStdout) compressionFor(flags.out!); // a .bz2 name fails before anything is generated
    await withScratchStore(flags, async (store) => {
      const r = await generate(store, opts, toStdout ? null : path.resolve(flags.out!));
      if (!flags.quiet) process.stderr.write(generationSummary(r, toStdout ? null : flags.out!));
    });
  });
}

function optionsFrom(f: GenerateFlags): GenerateOptions {
  const format = inputFormat(f.format);
  let valueMin: number | undefined;
  let valueMax: number | undefined;
  if (f.valueRange !== undefined) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*:\s*(-?\d+(?:\.\d+)?)\s*$/.exec(f.valueRange);
    if (!m) throw new UserError(`--value-range must be min:max, got "${f.valueRange}"`);
    valueMin = Number(m[1]);
    valueMax = Number(m[2]);
  }
  if (!f.properties && f.property.length) throw new UserError('--no-properties and --property contradict each other');
  const fraction = (name: string, v?: string) => numberFlag(name, v, { min: 0 });
  return {
    format,
    events: numberFlag('--events', f.events, { min: 1, integer: true }),
    duration: durationFlag('--duration', f.duration),
    rate: numberFlag('--rate', f.rate, { min: 0 }),
    peakRate: numberFlag('--peak-rate', f.peakRate, { min: 1, integer: true }),
    start: timeFlag('--start', f.start, { unix: true, years: [1990, 2199] }),
    bursts: numberFlag('--bursts', f.bursts, { min: 0, integer: true }),
    burstSeconds: numberFlag('--burst-seconds', f.burstSeconds, { min: 1, integer: true }),
    dailySwing: fraction('--daily-swing', f.dailySwing),
    peakHour: numberFlag('--peak-hour', f.peakHour, { min: 0 }),
    jitter: fraction('--jitter', f.jitter),
    customers: numberFlag('--customers', f.customers, { min: 1, integer: true }),
    customerSkew: fraction('--customer-skew', f.customerSkew),
    eventNames: f.eventNames === undefined ? undefined : parseEventNames(f.eventNames),
    properties: !f.properties ? [] : f.property.length ? f.property.map(parseProperty) : undefined,
    valueMin,
    valueMax,
    valueDecimals: numberFlag('--value-decimals', f.valueDecimals, { min: 0, integer: true }),
    duplicateRate: fraction('--duplicate-rate', f.duplicateRate),
    malformedRate: fraction('--malformed-rate', f.malformedRate),
    lateRate: fraction('--late-rate', f.lateRate),
    lateMax: durationFlag('--late-max', f.lateMax),
    batchSize: numberFlag('--batch-size', f.batchSize, { min: 1, integer: true }),
    seed: numberFlag('--seed', f.seed, { min: 0, integer: true }),
    customerKey: f.customerKey,
    valueKey: f.valueKey,
    compressionLevel: numberFlag('--compression-level', f.compressionLevel, { min: 1, integer: true }),
  };
}
