import type { Command } from 'commander';
import { addStoreOptions, withStore, type StoreFlags } from './common.js';
import { choiceFlag } from './flags.js';
import { UserError } from '../errors.js';
import { SQL_FORMATS, runUserSql, splitStatements } from '../store/user-sql.js';

interface SqlFlags extends StoreFlags {
  format: string;
}

export function registerSql(program: Command): void {
  addStoreOptions(
    program
      .command('sql')
      .description('run SQL against the store (embedded, or the server of --clickhouse) and print the result; tables: README "Querying the store"')
      .argument('[query]', 'the SQL to run; without it, SQL is read from stdin (statements separated by ;)')
      .option('--format <name>', `output format: ${SQL_FORMATS.join(' | ')} (a FORMAT clause in the query wins)`, 'pretty'),
  ).action(async (query: string | undefined, flags: SqlFlags) => {
    const format = choiceFlag('--format', flags.format, SQL_FORMATS, { ignoreCase: true });
    const statements = splitStatements(query ?? (await readStdin()));
    if (statements.length === 0) {
      throw new UserError(
        query === undefined ? 'no SQL on stdin: give a query (meterscope sql "SELECT …") or pipe one in' : 'the query holds no statement, only blanks or comments',
      );
    }
    await withStore(flags, (store) => runUserSql(store, statements, format, process.stdout));
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UserError('give a query (meterscope sql "SELECT …") or pipe SQL on stdin (meterscope sql < queries.sql)');
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
