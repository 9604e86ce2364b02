/**
 * Frees the disk space of outdated parts now, in a store that is ours alone. A DELETE or a merge
 * writes new parts; the parts they replace stay on disk for `old_parts_lifetime` (480 s) and are
 * removed by a cleanup task that first runs ~30 s after the engine starts, then every 30–300 s. A
 * meterscope command rarely lives that long, so replaced parts piled up across invocations: measured
 * on three stored profiles, deleting one (ALTER … DELETE, or DELETE + OPTIMIZE FINAL) made the data
 * directory 5 % (resp. 68 %) larger, and reopening the store removed nothing.
 * Here the lifetime is set to 0 for a moment and the cleanup task restarted (SYSTEM START CLEANUP
 * runs it at once), until no outdated part is left or `waitMs` has passed; then the setting is reset.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from './store.js';

export async function reclaimOutdatedParts(store: Store, waitMs = 10_000): Promise<void> {
  const rows = await store.select<{ name: string }>(`SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree'`);
  const tables = rows.map((r) => `\`${r.name.replace(/`/g, '``')}\``);
  for (const t of tables) await store.exec(`ALTER TABLE ${t} MODIFY SETTING old_parts_lifetime = 0`);
  try {
    const until = Date.now() + waitMs;
    for (;;) {
      for (const t of tables) {
        await store.exec(`SYSTEM STOP CLEANUP ${t}`);
        await store.exec(`SYSTEM START CLEANUP ${t}`);
      }
      if ((await outdatedParts(store)) === 0 || Date.now() >= until) break;
      // Parts outdated before this process started are loaded in the background first.
      await sleep(250);
    }
  } finally {
    for (const t of tables) await store.exec(`ALTER TABLE ${t} RESET SETTING old_parts_lifetime`);
  }
}

async function outdatedParts(store: Store): Promise<number> {
  const [row] = await store.select<{ n: string }>('SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND NOT active');
  return Number(row?.n ?? 0);
}
