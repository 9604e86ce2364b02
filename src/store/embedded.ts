/**
 * The embedded backend: chDB in this process, plugged into @clickhouse/client. It reads local files
 * itself, and it is ours alone, so merges may be paused during a load.
 *
 * chDB refuses inline insert bodies when the process's stdin is piped ("external data") and
 * materializes a whole body as one string, so inserts travel as a query parameter read by format().
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { UserError } from '../errors.js';
import { ClientStore } from './client-store.js';
import { isAlive } from './abandoned.js';
import { reclaimOutdatedParts } from './reclaim.js';
import type { Capabilities } from './store.js';
import { SINGLE_NODE } from './layout.js';

export const EMBEDDED_DATABASE = 'meterscope';
const SPILL_BYTES = 256 * 1024 * 1024;
/** Subdirectory of the data directory for files handed to the engine (see Store.scratchDir). */
const SCRATCH = 'scratch';

// chDB is one engine per process; a second store opened on the same path shares it.
let engine: { dir: string; client: ClickHouseClient } | undefined;

export class EmbeddedStore extends ClientStore {
  readonly capabilities: Capabilities = { readsLocalFiles: true, pausesMerges: true, readsObjectStorage: true, readsUrls: true, isCluster: false };
  readonly layout = SINGLE_NODE;
  readonly label: string;
  readonly scratchDir: string;
  private readonly columnTypes = new Map<string, Map<string, string>>();

  private constructor(
    client: ClickHouseClient,
    readonly dataDir: string,
  ) {
    super(client);
    this.label = `embedded chDB at ${dataDir}`;
    this.scratchDir = path.join(dataDir, SCRATCH);
  }

  /** `config`: the engine's configuration (XML text), only taken by the first open in the process. */
  static async open(dataDir: string, config?: string): Promise<EmbeddedStore> {
    const dir = path.resolve(dataDir);
    if (engine && engine.dir !== dir) {
      throw new UserError(`the embedded store is already open at ${engine.dir}; one data directory per process`);
    }
    if (!engine) engine = { dir, client: await startEngine(dir, config) };
    return new EmbeddedStore(engine.client, dir);
  }

  protected async writeRows(table: string, rows: Record<string, unknown>[]): Promise<void> {
    const types = await this.typesOf(table);
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => types.has(k));
    const structure = names.map((n) => `\`${n}\` ${types.get(n)}`).join(', ');
    const cols = names.map((n) => `\`${n}\``).join(', ');
    await this.exec(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM format(JSONEachRow, {structure:String}, {data:String})`, {
      structure,
      data: rows.map((r) => JSON.stringify(r)).join('\n'),
    });
  }

  async insertTsv(table: string, columns: string, tsv: string): Promise<void> {
    if (tsv.length === 0) return;
    await this.exec(`INSERT INTO ${table} SELECT * FROM format(TabSeparated, {columns:String}, {data:String})`, { columns, data: tsv });
  }

  /**
   * Every insert block becomes a part, and background merges rewrite those parts while the parser
   * needs both cores: on 5M lines merges during the load cost ~20 % more CPU and ~200 MB of RSS.
   */
  async pauseMerges(table: string): Promise<void> {
    await this.exec(`SYSTEM STOP MERGES ${table}`);
  }

  async resumeMerges(table: string): Promise<void> {
    await this.exec(`SYSTEM START MERGES ${table}`);
  }

  async reclaimSpace(): Promise<boolean> {
    await reclaimOutdatedParts(this);
    return true;
  }

  /** Everything in the data directory (hard-linked files counted once, as du does). */
  async diskBytes(): Promise<number> {
    return directoryBytes(this.dataDir);
  }

  /** The engine lives as long as the process: chDB cannot reopen a path once closed, and tests open several stores. */
  async close(): Promise<void> {}

  private async typesOf(table: string): Promise<Map<string, string>> {
    let cols = this.columnTypes.get(table);
    if (!cols) {
      const rows = await this.select<{ name: string; type: string }>(`DESCRIBE TABLE ${table}`);
      cols = new Map(rows.map((c) => [c.name, c.type]));
      this.columnTypes.set(table, cols);
    }
    return cols;
  }
}

async function startEngine(dir: string, config: string | undefined): Promise<ClickHouseClient> {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`cannot use data directory ${dir}: it is not a writable directory (set --data-dir or METERSCOPE_DATA_DIR)`);
  }
  claimDataDir(dir);
  // The directory is ours now (claimed above): what is in its scratch files a killed process left.
  fs.rmSync(path.join(dir, SCRATCH), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, SCRATCH));
  const { createChdbConnection } = await import('chdb/connection');
  // The engine reads ./config.xml from the working directory when it starts: a stray one in the
  // user's folder would change (or break) it. It starts inside its own data directory instead.
  const cwd = process.cwd();
  let connection: ReturnType<typeof createChdbConnection>;
  process.chdir(dir);
  try {
    if (config !== undefined) await startConfigured(dir, config);
    connection = createChdbConnection({ path: dir });
  } finally {
    process.chdir(cwd);
  }
  const client = createClient({ connection } as Parameters<typeof createClient>[0]);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${EMBEDDED_DATABASE}` });
  await client.command({ query: `USE ${EMBEDDED_DATABASE}` });
  // Large GROUP BYs and sorts (identifiers, per-value counts) spill to disk past 256 MiB instead of
  // growing with the input: peak RSS stays under 1 GiB at 20M events (bench/RESULTS.md). The same bound
  // also as a share of the machine's memory: those weigh the whole query, the byte settings only the
  // block being sorted or aggregated (a window's sort over 100M events held 2.3 GiB under them alone).
  const share = Math.min(0.5, SPILL_BYTES / os.totalmem()).toFixed(6);
  for (const kind of ['group_by', 'sort']) {
    await client.command({ query: `SET max_bytes_before_external_${kind} = ${SPILL_BYTES}` });
    await client.command({ query: `SET max_bytes_ratio_before_external_${kind} = ${share}` });
  }
  return client;
}

/**
 * Starts the engine with a configuration file. chDB starts one engine per process, with the argv of
 * the first session opened on the directory; the client's connection, opened next on the same
 * directory, shares it. The session stays open as long as the process.
 */
const configured: unknown[] = [];
async function startConfigured(dir: string, config: string): Promise<void> {
  const file = path.join(dir, 'engine-config.xml');
  fs.writeFileSync(file, config);
  const { Session } = await import('chdb');
  configured.push(new Session(dir, { connectionArgs: [`--config-file=${file}`] }));
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

function directoryBytes(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      const st = fs.lstatSync(full);
      const inode = `${st.dev}:${st.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += st.size;
      if (entry.isDirectory()) total += directoryBytes(full, seen);
    } catch {
      // A part removed while we walk: no longer on disk.
    }
  }
  return total;
}
