import type { Store } from './store.js';
import { FOUNDATION } from './schema/001-foundation.js';
import { PROFILE_RESULTS } from './schema/002-profile.js';
import { TAIL_CHECKPOINTS } from './schema/003-tail.js';
import { REPLAY_RESULTS } from './schema/004-replay.js';
import { STRIPE_TABLES } from './schema/005-stripe.js';
import { PROFILE_RESULT_TABLES } from './schema/006-profile-results.js';
import { RUN_OWNER } from './schema/007-run-owner.js';
import { BILL_TABLES } from './schema/008-bill.js';
import { COMPACT_EVENTS } from './schema/009-compact-events.js';

export interface Migration {
  version: number;
  name: string;
  /** DDL statements; each must be idempotent (IF NOT EXISTS) so a half-applied migration can be re-run. */
  statements: string[];
}

/** Every migration, in order. Append new ones; never edit one that has shipped. */
const MIGRATIONS: Migration[] = [
  FOUNDATION,
  PROFILE_RESULTS,
  TAIL_CHECKPOINTS,
  REPLAY_RESULTS,
  STRIPE_TABLES,
  PROFILE_RESULT_TABLES,
  RUN_OWNER,
  BILL_TABLES,
  COMPACT_EVENTS,
];

/** The list of applied migrations itself. */
export const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY version`;

/** Every statement of every migration, the list of applied ones first (the golden tests render them all). */
export function allStatements(): string[] {
  return [SCHEMA_MIGRATIONS, ...MIGRATIONS.flatMap((m) => m.statements)];
}

/** Statements run as the store's layout renders them: as written on one node, ON CLUSTER on a cluster. */
async function run(store: Store, statement: string): Promise<void> {
  for (const sql of store.layout.render(statement)) await store.exec(sql);
}

export async function migrate(store: Store): Promise<number[]> {
  // Asked first: on a cluster even an idempotent CREATE … ON CLUSTER waits for every node.
  const [known] = await store.select<{ result: number }>('EXISTS TABLE schema_migrations');
  if (!Number(known?.result)) await run(store, SCHEMA_MIGRATIONS);
  const rows = await store.select<{ version: number }>('SELECT DISTINCT version FROM schema_migrations');
  const done = new Set(rows.map((r) => Number(r.version)));
  const pending = MIGRATIONS.filter((m) => !done.has(m.version));
  for (const m of pending) for (const statement of m.statements) await run(store, statement);
  // One insert for all (a fresh store applies every migration on each first command): statements are
  // idempotent, so if one fails, the earlier migrations simply run again next time.
  if (pending.length)
    await store.insertRows(
      'schema_migrations',
      pending.map((m) => ({ version: m.version, name: m.name })),
    );
  return pending.map((m) => m.version);
}
