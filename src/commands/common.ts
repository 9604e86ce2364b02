/** Options and plumbing shared by the commands: the store flags, field mappings, error exits. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { openStore, resolveStoreOptions, type Store } from '../store/open.js';
import { DEFAULT_MAPPING, FORMATS, isFormat, type FieldMapping, type FormatName } from '../ingest/formats.js';
import { Interrupted, UserError } from '../errors.js';
import { numberFlag } from './flags.js';

export interface StoreFlags {
  dataDir?: string;
  clickhouse?: string;
  cluster?: string;
  chUser?: string;
  chPassword?: string;
  chDatabase?: string;
  chConnectTimeout?: string;
  chTimeout?: string;
}

/** `dataDirDefault` says what a command without --data-dir uses when it is not ./.meterscope. */
export function addStoreOptions(cmd: Command, dataDirDefault = './.meterscope'): Command {
  return cmd
    .option('--data-dir <dir>', `embedded store directory (env METERSCOPE_DATA_DIR; default ${dataDirDefault})`)
    .option('--clickhouse <url>', 'use a ClickHouse server instead of the embedded engine (env CLICKHOUSE_URL)')
    .option('--cluster <name>', 'with --clickhouse: shard the tables across this cluster of the server (env METERSCOPE_CLUSTER)')
    .option('--ch-user <name>', 'ClickHouse user (env CLICKHOUSE_USER)')
    .option('--ch-password <password>', 'ClickHouse password (env CLICKHOUSE_PASSWORD; prefer the env var)')
    .option('--ch-database <name>', 'ClickHouse database (env CLICKHOUSE_DATABASE; default meterscope)')
    .option('--ch-connect-timeout <s>', 'seconds to wait for the ClickHouse server to answer at all (env CLICKHOUSE_CONNECT_TIMEOUT; default 10)')
    .option('--ch-timeout <s>', 'seconds a ClickHouse request may go without a byte from the server (env CLICKHOUSE_TIMEOUT; default 300)');
}

/** Opens the store the flags name, runs `fn`, always closes; an aborted `signal` cancels the store's running statements. */
export async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const store = await openStore(
    resolveStoreOptions({
      dataDir: flags.dataDir,
      url: flags.clickhouse,
      cluster: flags.cluster,
      username: flags.chUser,
      password: flags.chPassword,
      database: flags.chDatabase,
      connectTimeoutS: numberFlag('--ch-connect-timeout', flags.chConnectTimeout, { above: 0 }),
      timeoutS: numberFlag('--ch-timeout', flags.chTimeout, { above: 0 }),
    }),
  );
  const cancel = () => void store.cancelRunning();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await fn(store);
  } finally {
    signal?.removeEventListener('abort', cancel);
    await store.close();
  }
}

/**
 * withStore for a command that stores nothing: when no store is named (no --data-dir, --clickhouse
 * or their environment variables), the embedded engine gets a temporary directory, removed afterwards.
 */
export async function withScratchStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const named = flags.dataDir || flags.clickhouse || process.env.METERSCOPE_DATA_DIR || process.env.CLICKHOUSE_URL;
  if (named) return withStore(flags, fn);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-scratch-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  try {
    return await withStore({ ...flags, dataDir: dir }, fn);
  } finally {
    remove();
    process.off('exit', remove);
  }
}

export interface MappingFlags {
  format?: string;
  customerKey?: string;
  valueKey?: string;
  timestampField?: string;
  eventField?: string;
  customerField?: string;
  idField?: string;
  propertiesField?: string;
  eventName?: string;
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--format <name>', `input format, detected when omitted: ${FORMATS.join(', ')}`)
    .option('--customer-key <key>', "payload key holding the customer (the meter's customer mapping)", DEFAULT_MAPPING.customerKey)
    .option('--value-key <key>', "payload key holding the numeric value (the meter's value settings)", DEFAULT_MAPPING.valueKey)
    .option('--timestamp-field <path>', 'generic JSON/CSV: field holding the timestamp (dotted path)')
    .option('--event-field <path>', 'generic JSON/CSV: field holding the event name')
    .option('--customer-field <path>', 'generic JSON/CSV: field holding the customer')
    .option('--id-field <path>', 'generic JSON/CSV: field holding the unique identifier')
    .option('--properties-field <path>', 'generic JSON: object holding the payload properties')
    .option('--event-name <name>', 'generic JSON/CSV: event name for inputs that have none');
}

/** An input format name, or a sentence listing them. */
export function inputFormat(name: string): FormatName {
  if (!isFormat(name)) throw new UserError(`unknown format "${name}"; use one of: ${FORMATS.join(', ')}`);
  return name;
}

export function mappingFrom(flags: MappingFlags): { format?: FormatName; mapping: FieldMapping } {
  return {
    format: flags.format === undefined ? undefined : inputFormat(flags.format),
    mapping: {
      customerKey: flags.customerKey ?? DEFAULT_MAPPING.customerKey,
      valueKey: flags.valueKey ?? DEFAULT_MAPPING.valueKey,
      timestampField: flags.timestampField,
      eventField: flags.eventField,
      customerField: flags.customerField,
      idField: flags.idField,
      propertiesField: flags.propertiesField,
      eventName: flags.eventName,
    },
  };
}

/** Prints a value as indented JSON on stdout (the --json output of the commands). */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// Kept here for src/commands/tail.ts, which imports it from this module.

/**
 * Runs `fn` with an AbortSignal that SIGINT/SIGTERM abort (with an Interrupted reason); the
 * listeners are removed when `fn` settles. Engines take the signal; only the CLI touches `process`.
 * A second signal while stopping leaves at once with exit 130.
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>, onSecond?: () => void): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      onSecond?.();
      process.exit(130);
    }
    ac.abort(new Interrupted(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Help text of --allow-incomplete, shared by the commands that read a stored run. */
export const ALLOW_INCOMPLETE = 'use the run even if it did not finish (interrupted, abandoned, failed): its figures are partial';
