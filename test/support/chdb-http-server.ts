/**
 * A minimal ClickHouse HTTP interface over chDB, for the server-mode suite when no real
 * ClickHouse server is available (CI has none). It runs real ClickHouse SQL in a separate
 * process, so meterscope's server path is exercised for real: the HTTP client, URL-bound
 * query parameters and settings, the `database` parameter, gzip request bodies, streamed
 * TabSeparated/JSONEachRow inserts (parsed as the body arrives, as a server does).
 * It is NOT a ClickHouse server: one request at a time, no auth beyond a fixed password check,
 * no sessions, no response compression.
 * Point CLICKHOUSE_URL at a real server to test against one.
 *
 * Usage: tsx test/support/chdb-http-server.ts <data-dir> [password]  -> prints "listening <port>"
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
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

// Insert bodies go to chDB's own parser through named pipes: as a SQL literal an 8 MiB batch would
// pass the 256 KiB query-size limit, and the bytes would be re-encoded on the way.
const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'chdb-http-body-'));
let spooled = 0;

/** URL parameters that are not settings, and settings of the HTTP exchange only (nothing to apply). */
const NOT_APPLIED = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'role',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
]);
/** chDB's settings and their values at start, to put a request's settings back. */
let defaults: Map<string, string> | undefined;

/** The request's settings that chDB knows, as a server applies URL settings to that request only. */
async function settingsOf(search: URLSearchParams): Promise<[string, string][]> {
  defaults ??= new Map(
    text(await session.queryAsync('SELECT name, value FROM system.settings', { format: 'TSVRaw' }))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  );
  return [...search].filter(([k]) => !NOT_APPLIED.has(k) && !k.startsWith('param_') && defaults!.has(k));
}

/** Runs `work` with the request's database, parameters and settings; the settings are put back after. */
async function scoped<T>(url: URL, work: () => Promise<T>): Promise<T> {
  const db = url.searchParams.get('database') ?? 'default';
  await run(`USE ${db.replace(/[^A-Za-z0-9_]/g, '')}`);
  for (const [k, v] of url.searchParams) if (k.startsWith('param_')) await run(`SET ${k} = ${literal(v)}`);
  const settings = await settingsOf(url.searchParams);
  for (const [k, v] of settings) await run(`SET ${k} = ${literal(v)}`);
  try {
    return await work();
  } finally {
    for (const [k] of settings) await run(`SET ${k} = ${literal(defaults!.get(k)!)}`);
  }
}

/** "INSERT INTO t [(cols)] FORMAT F" in the URL, data in the body. */
const INSERT = /^\s*INSERT\s+INTO\s+([`\w.]+)\s*(\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/i;

/** The insert's target columns and the structure its rows are read with. */
async function insertTarget(table: string, colList: string | undefined): Promise<{ columns: string; structure: string }> {
  const described = JSON.parse(
    `[${text(await session.queryAsync(`DESCRIBE TABLE ${table} FORMAT JSONEachRow`))
      .trim()
      .split('\n')
      .join(',')}]`,
  ) as { name: string; type: string; default_type: string }[];
  const wanted = colList
    ? colList.split(',').map((c) => c.trim().replace(/`/g, ''))
    : described.filter((c) => c.default_type !== 'MATERIALIZED' && c.default_type !== 'ALIAS').map((c) => c.name);
  return {
    columns: wanted.map((n) => `\`${n}\``).join(', '),
    structure: wanted.map((n) => `\`${n}\` ${described.find((c) => c.name === n)!.type}`).join(', '),
  };
}

/**
 * A streamed insert, taken as a server takes one: chDB reads the rows from a named pipe while the
 * body still arrives (parsing overlaps receiving, blocks squashed into parts as on a server).
 */
async function streamInsert(m: RegExpExecArray, body: Readable): Promise<string> {
  const [, table, , colList, format] = m;
  const target = await insertTarget(table, colList);
  const fifo = path.join(spool, `body-${spooled++}`);
  execFileSync('mkfifo', [fifo]);
  try {
    const insert = run(
      `INSERT INTO ${table} (${target.columns}) SELECT * FROM file(${literal(fifo)}, ${format}, ${literal(target.structure)}) SETTINGS storage_file_read_method = 'read'`,
    );
    // An insert that fails stops the feeding, and lets the pipe's opening below return if chDB never opened it.
    insert.catch(() => {
      body.destroy();
      fs.closeSync(fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    });
    // Opening for writing waits (on a pool thread) until chDB opens the pipe, so no byte is written to a pipe nobody reads.
    const pipe = new net.Socket({ fd: await openForWriting(fifo, 'w'), readable: false, writable: true });
    openPipes.add(pipe);
    const feed = pipeline(body, pipe).finally(() => {
      pipe.destroy(); // closing the pipe ends chDB's input
      openPipes.delete(pipe);
    });
    const [inserted, fed] = await Promise.allSettled([insert, feed]);
    if (inserted.status === 'rejected') throw inserted.reason;
    if (fed.status === 'rejected') throw fed.reason;
    return '';
  } finally {
    fs.rmSync(fifo, { force: true });
  }
}

const openForWriting = promisify(fs.open) as (file: string, flags: string) => Promise<number>;

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** A plain statement in `default_format` (CSV when absent, as chDB's). */
async function statement(sql: string, search: URLSearchParams): Promise<string> {
  const format = search.get('default_format') ?? undefined;
  return text(await session.queryAsync(sql, format ? { format } : undefined));
}

async function handle(url: URL, body: Readable): Promise<string> {
  const urlQuery = url.searchParams.get('query');
  if (!urlQuery) {
    const sql = await readAll(body);
    return scoped(url, () => statement(sql, url.searchParams));
  }
  const m = INSERT.exec(urlQuery);
  if (!m) throw new Error(`unsupported URL query: ${urlQuery}`);
  return scoped(url, () => streamInsert(m, body));
}

/** The request body, gunzipped when the client compressed it (compression: { request: true }). */
function bodyOf(req: http.IncomingMessage): Readable {
  if (req.headers['content-encoding'] !== 'gzip') return req;
  const gunzip = zlib.createGunzip();
  req.on('error', (e) => gunzip.destroy(e));
  return req.pipe(gunzip);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/ping') {
    req.resume();
    res.end('Ok.\n');
    return;
  }
  const auth = req.headers.authorization ?? '';
  const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':').slice(1).join(':') : '';
  if (given !== password) {
    req.resume();
    res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516' });
    res.end('Code: 516. DB::Exception: default: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)\n');
    return;
  }
  const body = bodyOf(req);
  body.on('error', () => {}); // a client that goes away mid-body: the job reading it fails, the front lives on
  const job = queue.then(() => handle(url, body));
  queue = job.catch(() => {});
  job.then(
    (out) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Summary': '{}' });
      res.end(out);
    },
    (err: Error) => {
      body.destroy();
      const msg = String(err.message ?? err);
      const code = /Code: (\d+)/.exec(msg)?.[1] ?? '1';
      res.writeHead(500, { 'X-ClickHouse-Exception-Code': code });
      res.end(msg.includes('DB::Exception') ? msg : `Code: ${code}. DB::Exception: ${msg}`);
    },
  );
});
process.on('exit', () => fs.rmSync(spool, { recursive: true, force: true }));
// Killed mid-insert: the pipes are closed first, or chDB's reader would wait on them as the process exits.
const openPipes = new Set<net.Socket>();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    for (const p of openPipes) p.destroy();
    setTimeout(() => process.exit(0), 100);
  });
}
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
