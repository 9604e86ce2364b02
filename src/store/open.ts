/** Picks the store backend from flags and environment, opens it and brings its schema up to date. */
import { EmbeddedStore, EMBEDDED_DATABASE } from './embedded.js';
import { ServerStore } from './server.js';
import { migrate } from './migrations.js';
import { reapAbandoned } from './abandoned.js';
import type { Store } from './store.js';
import { UserError } from '../errors.js';

export interface StoreOptions {
  /** Embedded (chDB) data directory; ignored when `url` is set. */
  dataDir?: string;
  /** ClickHouse server URL (http[s]://host:port). */
  url?: string;
  username?: string;
  password?: string;
  database?: string;
  /** Server mode: seconds to wait for the first answer (default 10). */
  connectTimeoutS?: number;
  /** Server mode: seconds a request may go without any byte from the server (default 300). */
  timeoutS?: number;
  /** Server mode: a cluster of the server's remote_servers to shard the tables across (--cluster). */
  cluster?: string;
  /**
   * Embedded mode: the engine's configuration (XML text), given before it starts; the
   * doubling-cluster test declares an in-process cluster with it. Without it the engine uses none.
   */
  engineConfig?: string;
}

const DEFAULT_DATA_DIR = '.meterscope';
const DEFAULT_DATABASE = EMBEDDED_DATABASE;
export const DEFAULT_CONNECT_TIMEOUT_S = 10;
export const DEFAULT_TIMEOUT_S = 300;

/** Resolves flags first, then environment variables, then defaults. */
export function resolveStoreOptions(flags: Partial<StoreOptions>, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  const url = flags.url ?? env.CLICKHOUSE_URL ?? undefined;
  return {
    url,
    username: flags.username ?? env.CLICKHOUSE_USER ?? undefined,
    password: flags.password ?? env.CLICKHOUSE_PASSWORD ?? undefined,
    database: flags.database ?? env.CLICKHOUSE_DATABASE ?? undefined,
    dataDir: flags.dataDir ?? env.METERSCOPE_DATA_DIR ?? DEFAULT_DATA_DIR,
    connectTimeoutS: flags.connectTimeoutS ?? seconds('CLICKHOUSE_CONNECT_TIMEOUT', env.CLICKHOUSE_CONNECT_TIMEOUT),
    timeoutS: flags.timeoutS ?? seconds('CLICKHOUSE_TIMEOUT', env.CLICKHOUSE_TIMEOUT),
    // METERSCOPE_CLUSTER applies to a server only (an embedded store ignores it); --cluster without a server is refused.
    cluster: flags.cluster ?? (url ? env.METERSCOPE_CLUSTER || undefined : undefined),
  };
}

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!(n > 0)) throw new UserError(`${name} must be a number of seconds above 0, got "${v}"`);
  return n;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  if (opts.cluster && !opts.url) {
    throw new UserError('--cluster / METERSCOPE_CLUSTER needs a ClickHouse server: add --clickhouse URL (one node of the cluster) or set CLICKHOUSE_URL');
  }
  const store: Store = opts.url
    ? await ServerStore.open({
        url: opts.url,
        username: opts.username,
        password: opts.password,
        database: opts.database ?? DEFAULT_DATABASE,
        connectTimeoutS: opts.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S,
        timeoutS: opts.timeoutS ?? DEFAULT_TIMEOUT_S,
        cluster: opts.cluster || undefined,
      })
    : await EmbeddedStore.open(opts.dataDir ?? DEFAULT_DATA_DIR, opts.engineConfig);
  await migrate(store);
  await reapAbandoned(store);
  return store;
}

export type { Store } from './store.js';
