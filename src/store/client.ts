import path from 'node:path';
import fs from 'node:fs';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { UserError, firstLine } from '../errors.js';
import { migrate } from './migrations.js';

export interface StoreOptions {
  /** Embedded (chDB) data directory; ignored when `url` is set. */
  dataDir?: string;
  /** ClickHouse server URL (http[s]://host:port). */
  url?: string;
  username?: string;
  password?: string;
  database?: string;
}

export interface Store {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  database: string;
  /** Where the embedded engine keeps its data (embedded mode only). */
  dataDir?: string;
  /** True when the engine runs in this process and can read local files with file(). */
  readsLocalFiles: boolean;
  /** A description safe to print: never contains the password. */
  label: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.meterscope';
export const DEFAULT_DATABASE = 'meterscope';

/** Resolves flags first, then environment variables, then defaults. */
export function resolveStoreOptions(flags: Partial<StoreOptions>, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return {
    url: flags.url ?? env.CLICKHOUSE_URL ?? undefined,
    username: flags.username ?? env.CLICKHOUSE_USER ?? undefined,
    password: flags.password ?? env.CLICKHOUSE_PASSWORD ?? undefined,
    database: flags.database ?? env.CLICKHOUSE_DATABASE ?? undefined,
    dataDir: flags.dataDir ?? env.METERSCOPE_DATA_DIR ?? DEFAULT_DATA_DIR,
  };
}

/** Strips credentials from a URL so it can be shown in messages and stored in rows. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

const EMBEDDED_SPILL_BYTES = 256 * 1024 * 1024;

// chDB is one engine per process; reuse it when a second store is opened on the same path.
let embedded: { dir: string; client: ClickHouseClient; refs: number } | undefined;

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = opts.url ? await openServer(opts) : await openEmbedded(opts.dataDir ?? DEFAULT_DATA_DIR);
  await migrate(store.client);
  return store;
}

async function openEmbedded(dataDirOpt: string): Promise<Store> {
  const dir = path.resolve(dataDirOpt);
  if (embedded && embedded.dir !== dir) {
    throw new UserError(`the embedded store is already open at ${embedded.dir}; one data directory per process`);
  }
  if (!embedded) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new UserError(`cannot use data directory ${dir}: it is not a writable directory (set --data-dir or METERSCOPE_DATA_DIR)`);
    }
    claimDataDir(dir);
    const { createChdbConnection } = await import('chdb/connection');
    const client = createClient({ connection: createChdbConnection({ path: dir }) } as Parameters<typeof createClient>[0]);
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${DEFAULT_DATABASE}` });
    await client.command({ query: `USE ${DEFAULT_DATABASE}` });
    // Large GROUP BYs and sorts (identifiers, per-value counts) spill to disk past 256 MiB instead of
    // growing with the input: peak RSS stays under 1 GiB at 20M events (bench/RESULTS.md).
    for (const setting of ['max_bytes_before_external_group_by', 'max_bytes_before_external_sort']) {
      await client.command({ query: `SET ${setting} = ${EMBEDDED_SPILL_BYTES}` });
    }
    embedded = { dir, client, refs: 0 };
  }
  embedded.refs++;
  const shared = embedded;
  return {
    client: shared.client,
    mode: 'embedded',
    database: DEFAULT_DATABASE,
    dataDir: dir,
    readsLocalFiles: true,
    label: `embedded chDB at ${dir}`,
    async close() {
      // The engine stays alive for the life of the process: chDB cannot reopen a path once closed
      // in some versions, and tests open several stores in one process.
      shared.refs--;
    },
  };
}

/**
 * The embedded engine locks its directory; a second process would fail inside chDB with a native
 * message. A pid file lets us say what is going on first (stale files from dead processes are taken over).
 */
function claimDataDir(dir: string): void {
  const lock = path.join(dir, 'meterscope.pid');
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new UserError(`the embedded store at ${dir} is in use by another meterscope process (pid ${pid}); wait for it to finish or pass another --data-dir`);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
  fs.writeFileSync(lock, String(process.pid));
  process.once('exit', () => {
    try {
      if (fs.readFileSync(lock, 'utf8') === String(process.pid)) fs.unlinkSync(lock);
    } catch {
      /* already gone */
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openServer(opts: StoreOptions): Promise<Store> {
  const url = opts.url!;
  const safe = redactUrl(url);
  if (safe === '(invalid URL)') throw new UserError(`--clickhouse / CLICKHOUSE_URL is not a valid URL`);
  const database = opts.database ?? DEFAULT_DATABASE;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new UserError(`database name "${database}" must be letters, digits and underscores`);
  const base = {
    url,
    username: opts.username ?? 'default',
    password: opts.password ?? '',
    request_timeout: 3_600_000,
    // Progress headers keep long INSERT…SELECTs from being cut by idle proxies.
    clickhouse_settings: { send_progress_in_http_headers: 1 as const, http_headers_progress_interval_ms: '10000' },
    // The client logs request errors itself; ours are reported once, as a sentence.
    log: { level: ClickHouseLogLevel.OFF },
  };
  const admin = createClient(base);
  try {
    const ping = await admin.ping();
    if (!ping.success) throw ping.error;
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } catch (err) {
    await admin.close().catch(() => {});
    const e = err as { code?: string; message?: string };
    const msg = firstLine(e.message ?? String(err));
    const why = (e.code && !/^\d+$/.test(e.code) ? e.code : msg).replaceAll(opts.password || '\u0000', '***');
    throw new UserError(`cannot reach ClickHouse at ${safe}: ${why}`);
  }
  await admin.close();
  const client = createClient({ ...base, database });
  return {
    client,
    mode: 'server',
    database,
    readsLocalFiles: false,
    label: `ClickHouse server ${safe} database ${database}`,
    close: () => client.close(),
  };
}
