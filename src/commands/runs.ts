import type { Command } from 'commander';
import { addStoreOptions, withStore, type StoreFlags } from './common.js';
import { table as textTable } from '../report/terminal-parts.js';
import { Runs } from '../store/runs.js';

export function registerRuns(program: Command): void {
  addStoreOptions(
    program
      .command('runs')
      .description('list stored runs, newest first')
      .option('-n, --limit <n>', 'how many runs to list', '50')
      .option('--json', 'print the runs as JSON'),
  ).action(async (opts: StoreFlags & { limit: string; json?: boolean }) => {
    await withStore(opts, async (store) => {
      const runs = await new Runs(store).list(Number(opts.limit) || 50);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs yet in ${store.label}\n`);
        return;
      }
      const table = textTable(['run id', 'command', 'status', 'started (UTC)', 'events', 'sources'], { rules: 'grid' });
      for (const r of runs) {
        table.push([
          r.run_id,
          r.command,
          r.status,
          r.started_at.replace('T', ' ').slice(0, 19),
          String((r.summary as { events?: number }).events ?? ''),
          r.sources.map((s) => s.split('/').pop()).join(', ').slice(0, 40),
        ]);
      }
      process.stdout.write(`${table.toString()}\n`);
    });
  });
}
