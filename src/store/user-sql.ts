/**
 * `meterscope sql`: SQL a user typed, run as written against whichever store is open. A script is
 * split into statements at top-level semicolons (a ClickHouse server takes one statement per
 * request); each runs through Store.runStatement, so anything the engine accepts runs, and its output
 * is written in the chosen format unless the statement names its own FORMAT.
 */
import type { Writable } from 'node:stream';
import type { Settings, Store } from './store.js';

export const SQL_FORMATS = ['pretty', 'csv', 'json', 'tsv'] as const;
export type SqlFormat = (typeof SQL_FORMATS)[number];

const ENGINE_FORMAT: Record<SqlFormat, { format: string; settings: Settings }> = {
  // One table per result (up to 10,000 rows, ClickHouse's Pretty limit), no colours (the output may be
  // a file), no "-- 1.73 million" tips beside large numbers.
  pretty: { format: 'PrettyCompactMonoBlock', settings: { output_format_pretty_color: 0, output_format_pretty_single_large_number_tip_threshold: 0 } },
  csv: { format: 'CSVWithNames', settings: {} },
  tsv: { format: 'TSVWithNames', settings: {} },
  // One JSON array of row objects; 64-bit integers as numbers, as jq and spreadsheets expect.
  json: { format: 'JSONEachRow', settings: { output_format_json_array_of_rows: 1, output_format_json_quote_64bit_integers: 0 } },
};

/** Runs the statements (see splitStatements) in order, writing their outputs to `out` (left open). */
export async function runUserSql(store: Store, statements: string[], format: SqlFormat, out: Writable): Promise<void> {
  const { format: engineFormat, settings: wanted } = ENGINE_FORMAT[format];
  const settings = await knownSettings(store, wanted);
  for (const sql of statements) {
    const result = await store.runStatement(sql, engineFormat, settings);
    for await (const chunk of result) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    }
  }
}

/** The settings this engine knows: an older server refuses a setting it has never heard of. */
async function knownSettings(store: Store, settings: Settings): Promise<Settings> {
  const names = Object.keys(settings);
  if (names.length === 0) return settings;
  const known = await store.select<{ name: string }>('SELECT name FROM system.settings WHERE name IN {names:Array(String)}', { names });
  return Object.fromEntries(known.map(({ name }) => [name, settings[name]]));
}

/**
 * The statements of a script, split at semicolons outside quotes ('…', "…", `…`, $$…$$) and
 * comments (-- …, /* … *\/); statements holding only comments and blanks are dropped.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let meaningful = false;
  let i = 0;
  const push = (end: number) => {
    const stmt = text.slice(start, end).trim();
    if (meaningful && stmt) out.push(stmt);
    meaningful = false;
  };
  while (i < text.length) {
    const c = text[i];
    const two = text.slice(i, i + 2);
    if (two === '--') i = endOf(text, '\n', i + 2);
    else if (two === '/*') i = endOf(text, '*/', i + 2);
    else if (two === '$$') {
      i = endOf(text, '$$', i + 2);
      meaningful = true;
    } else if (c === "'" || c === '"' || c === '`') {
      i = endOfQuoted(text, c, i + 1);
      meaningful = true;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else {
      if (!/\s/.test(c)) meaningful = true;
      i++;
    }
  }
  push(text.length);
  return out;
}

/** Index just past `close` searched from `from` (the text's end when it never comes). */
function endOf(text: string, close: string, from: number): number {
  const at = text.indexOf(close, from);
  return at < 0 ? text.length : at + close.length;
}

/** Index just past the quote closing at or after `from`: a backslash escapes the next character, a doubled quote is one quote. */
function endOfQuoted(text: string, quote: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}
