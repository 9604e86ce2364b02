import type { Command } from 'commander';
import { addStoreOptions, withStore, writeJson, type StoreFlags } from './common.js';
import { addWidthOption, textLayout, type WidthFlags } from './report-output.js';
import { durationFlag, numberFlag } from './flags.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import { Runs } from '../store/runs.js';
import { runSizes } from '../store/run-sizes.js';
import { removeRuns, runsToPrune, runsToRemove, type StoredRun } from '../store/run-removal.js';
import { renderRemoval, renderRunsTable } from '../report/runs-table.js';

type ListFlags = StoreFlags & WidthFlags & { limit: string; json?: boolean };

/** `runs` lists; its subcommands `rm` and `prune` remove. Store flags belong to `runs` and reach the subcommands as globals. */
export function registerRuns(program: Command): void {
  const runs = addStoreOptions(
    addWidthOption(
      program
        .command('runs')
        .description('list stored runs, newest first, with the disk space each takes; remove them with runs rm / runs prune')
        .option('-n, --limit <n>', 'how many runs to list', '50')
        .option('--json', 'print the runs as JSON'),
    ),
  ).configureHelp({ showGlobalOptions: true });
  runs.action(async (opts: ListFlags) => {
    const limit = numberFlag('--limit', opts.limit, { min: 1, max: 1_000_000, integer: true });
    const layout = textLayout(opts);
    await withStore(opts, async (store) => {
      const list = await new Runs(store).list(limit);
      const sizes = await runSizes(
        store,
        list.map((r) => r.run_id),
      );
      const withSizes = list.map((r) => ({ ...r, bytes: sizes.get(r.run_id) ?? 0 }));
      if (opts.json) writeJson(withSizes);
      else process.stdout.write(renderRunsTable(withSizes, store.label, await store.diskBytes(), layout));
    });
  });

  runs
    .command('rm')
    .description('remove runs: their rows in every table, their runs entry, and the disk space they took')
    .argument('<run-id...>', 'ids of the runs to remove (see: meterscope runs)')
    .option('--force', 'remove a run even if it is recorded as still running')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<StoreFlags & { force?: boolean; json?: boolean }>();
      await withStore(flags, async (store) => remove(store, await runsToRemove(store, ids, flags.force), false, flags.json));
    });

  runs
    .command('prune')
    .description('remove old runs: all but the newest --keep N, or those started more than --older-than ago (with both: only runs neither rule keeps)')
    .option('--keep <n>', 'keep the newest n runs')
    .option('--older-than <age>', 'remove runs started longer ago than this (e.g. 30d, 12h)')
    .option('--dry-run', 'list the runs that would be removed, remove nothing')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<StoreFlags & { keep?: string; olderThan?: string; dryRun?: boolean; json?: boolean }>();
      const keep = numberFlag('--keep', flags.keep, { min: 0, integer: true });
      const olderThanS = durationFlag('--older-than', flags.olderThan);
      if (keep === undefined && olderThanS === undefined) throw new UserError('runs prune needs --keep N or --older-than AGE (e.g. --keep 10, --older-than 30d)');
      await withStore(flags, async (store) => {
        const { remove: chosen, running } = await runsToPrune(store, { keep, olderThanS });
        await remove(store, chosen, !!flags.dryRun, flags.json, running);
      });
    });
}

async function remove(store: Store, runs: StoredRun[], dryRun: boolean, json: boolean | undefined, running = 0): Promise<void> {
  const sizes = await runSizes(
    store,
    runs.map((r) => r.run_id),
  );
  const listed = runs.map((r) => ({ run_id: r.run_id, command: r.command, status: r.status, started_at: r.started_at, bytes: sizes.get(r.run_id) ?? 0 }));
  const before = await store.diskBytes();
  const removal = dryRun
    ? undefined
    : await removeRuns(
        store,
        runs.map((r) => r.run_id),
      );
  const summary = { runs: listed, dryRun, rows: removal?.rows, spaceFreed: removal?.spaceFreed, before, after: dryRun ? before : await store.diskBytes(), running };
  if (json) writeJson(summary);
  else process.stdout.write(renderRemoval(summary));
}
