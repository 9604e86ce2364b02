/** Picks the store backend from flags and environment, opens it and brings its schema up to date. */
import { EmbeddedStore, EMBEDDED_DATABASE } from './embedded.js';
import { ServerStore } from './server.js';
import { migrate } from './migrations.js';
import type { Store } from './store.js';

export interface StoreOptions {
  /** Embedded (chDB) data directory; ignored when `url` is set. */
  dataDir?: string;
  /** ClickHouse server URL (http[s]://host:port). */
  url?: string;
  username?: string;
  password?: string;
  database?: string;
}

const DEFAULT_DATA_DIR = '.meterscope';
const DEFAULT_DATABASE = EMBEDDED_DATABASE;

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

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store: Store = opts.url
    ? await ServerStore.open({ url: opts.url, username: opts.username, password: opts.password, database: opts.database ?? DEFAULT_DATABASE })
    : await EmbeddedStore.open(opts.dataDir ?? DEFAULT_DATA_DIR);
  await migrate(store);
  return store;
}

export type { Store } from './store.js';
