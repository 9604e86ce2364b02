/**
 * A minimal ClickHouse HTTP interface over chDB, for the server-mode suite when no real
 * ClickHouse server is available (CI has none). It runs real ClickHouse SQL in a separate
 * process, so meterscope's server path is exercised for real: the HTTP client, URL-bound
 * query parameters, the `database` parameter, streamed TabSeparated/JSONEachRow inserts.
 * It is NOT a ClickHouse server: one request at a time, no auth beyond a fixed password check,
 * no compression, no sessions; of the settings only default_format and output_format_* are applied.
 * Point CLICKHOUSE_URL at a real server to test against one.
 *
 * Usage: tsx test/support/chdb-http-server.ts <data-dir> [password]  -> prints "listening <port>"
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { Session } from 'chdb';

const dataDir = process.argv[2];
const password = process.argv[3] ?? '';
const session = new Session(dataDir);
let queue: Promise<unknown> = Promise.resolve();

const text = (r: unknown): string => {
  const x = r as { text?: (() => string) | string };
  return typeof x.text === 'function' ? x.text() : String(x.text ?? '');
};
/** A value as it arrived in the URL (already in ClickHouse's escaped text form) -> SQL string literal. */
const literal = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function run(sql: string): Promise<string> {
  return text(await session.queryAsync(sql));
}

// Insert bodies go to chDB's own parser through a file: as a SQL literal an 8 MiB batch would pass
// the 256 KiB query-size limit, and the bytes would be re-encoded on the way.
const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'chdb-http-body-'));
let spooled = 0;

async function handle(url: URL, raw: Buffer): Promise<string> {
  const body = raw.toString('utf8');
  const db = url.searchParams.get('database') ?? 'default';
  await run(`USE ${db.replace(/[^A-Za-z0-9_]/g, '')}`);
  for (const [k, v] of url.searchParams) if (k.startsWith('param_')) await run(`SET ${k} = ${literal(v)}`);
  const urlQuery = url.searchParams.get('query');
  if (urlQuery) {
    // insert: "INSERT INTO t [(cols)] FORMAT F" in the URL, data in the body
    const m = /^\s*INSERT\s+INTO\s+([`\w.]+)\s*(\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/i.exec(urlQuery);
    if (!m) throw new Error(`unsupported URL query: ${urlQuery}`);
    const [, table, , colList, format] = m;
    const described = JSON.parse(
      `[${text(await session.queryAsync(`DESCRIBE TABLE ${table} FORMAT JSONEachRow`))
        .trim()
        .split('\n')
        .join(',')}]`,
    ) as { name: string; type: string; default_type: string }[];
    const wanted = colList
      ? colList.split(',').map((c) => c.trim().replace(/`/g, ''))
      : described.filter((c) => c.default_type !== 'MATERIALIZED' && c.default_type !== 'ALIAS').map((c) => c.name);
    const structure = wanted.map((n) => `\`${n}\` ${described.find((c) => c.name === n)!.type}`).join(', ');
    const file = path.join(spool, `body-${spooled++}`);
    fs.writeFileSync(file, raw);
    try {
      return await run(`INSERT INTO ${table} (${wanted.map((n) => `\`${n}\``).join(', ')}) SELECT * FROM file(${literal(file)}, ${format}, ${literal(structure)})`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
  return runWithOutputSettings(body, url.searchParams);
}

/**
 * A plain statement in `default_format` (CSV when absent, as chDB's), with the request's
 * output_format_* settings applied for this request only, as a server scopes URL settings.
 */
async function runWithOutputSettings(sql: string, search: URLSearchParams): Promise<string> {
  const format = search.get('default_format') ?? undefined;
  const settings = [...search].filter(([k]) => /^output_format_\w+$/.test(k));
  const names = settings.map(([k]) => literal(k)).join(', ');
  const saved = settings.length ? text(await session.queryAsync(`SELECT name, value FROM system.settings WHERE name IN (${names})`, { format: 'TSV' })) : '';
  for (const [k, v] of settings) await run(`SET ${k} = ${literal(v)}`);
  try {
    return text(await session.queryAsync(sql, format ? { format } : undefined));
  } finally {
    for (const line of saved.split('\n').filter(Boolean)) {
      const [k, v] = line.split('\t');
      await run(`SET ${k} = ${literal(v)}`);
    }
  }
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ping') {
      res.end('Ok.\n');
      return;
    }
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':').slice(1).join(':') : '';
    if (given !== password) {
      res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516' });
      res.end('Code: 516. DB::Exception: default: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)\n');
      return;
    }
    const job = queue.then(() => handle(url, Buffer.concat(chunks)));
    queue = job.catch(() => {});
    job.then(
      (out) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Summary': '{}' });
        res.end(out);
      },
      (err: Error) => {
        const msg = String(err.message ?? err);
        const code = /Code: (\d+)/.exec(msg)?.[1] ?? '1';
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': code });
        res.end(msg.includes('DB::Exception') ? msg : `Code: ${code}. DB::Exception: ${msg}`);
      },
    );
  });
});
process.on('exit', () => fs.rmSync(spool, { recursive: true, force: true }));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
