/** Honest failure: wrong URLs, silent servers, bad credentials, closed pipes, processes that die mid-run. */
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir, sqlRows } from './support/helpers.js';
import { tailReportLine } from './support/tail-support.js';

const SECRET = 'Pw-9f8e7d6c5b';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const leaks = (text: string) =>
  [SECRET, b64(`default:${SECRET}`), b64(`default:${SECRET}`).replace(/=+$/, ''), encodeURIComponent(SECRET)].filter((f) => text.includes(f));

describe('ClickHouse server problems are one sentence', () => {
  const servers: net.Server[] = [];
  const listen = async (srv: net.Server) => {
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  };
  afterAll(() => servers.forEach((s) => s.close()));

  it('a URL without a scheme says which URL to use', async () => {
    const r = await runCli(['runs', '--clickhouse', 'localhost:8123']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('meterscope: --clickhouse / CLICKHOUSE_URL must be an http:// or https:// URL; use http://localhost:8123');
  });

  it('a server that accepts the connection but never answers times out with the limit named', async () => {
    const sockets: net.Socket[] = [];
    const url = await listen(net.createServer((s) => sockets.push(s)));
    const started = Date.now();
    const r = await runCli(['runs', '--clickhouse', url, '--ch-connect-timeout', '1.5', '--ch-password', SECRET]);
    const took = Date.now() - started;
    sockets.forEach((s) => s.destroy());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`meterscope: ClickHouse at ${url} did not answer within 1.5 s (--ch-connect-timeout / CLICKHOUSE_CONNECT_TIMEOUT)`);
    expect(took).toBeLessThan(1500 + 8000); // the limit plus process start-up, not the old hour
  });

  it('wrong credentials say authentication failed, and no form of the password leaks even when echoed', async () => {
    // Answers like ClickHouse's 516, echoing the request's Authorization header back (as some proxies do).
    const url = await listen(
      http.createServer((req, res) => {
        res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516' });
        res.end(`Code: 516. DB::Exception: default: Authentication failed (header ${req.headers.authorization}). (AUTHENTICATION_FAILED)\n`);
      }),
    );
    const r = await runCli(['runs', '--clickhouse', url, '--ch-password', SECRET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('authentication failed');
    expect(r.stderr).toContain('"default"');
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });
});

describe('a stray config.xml in the working directory', () => {
  it('does not reach the embedded engine (it would stop it from starting)', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'config.xml'), '<clickhouse><default_database>stray</default_database></clickhouse>\n');
    const r = await runCli(['profile', path.join(ROOT, 'examples/stripe-meter-events.jsonl.gz'), '--json', '--data-dir', path.join(cwd, 'store')], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).events.total).toBe(100_000);
  });
});

describe('a closed stdout', () => {
  it('`profile --json | head -c 10` ends quietly: no stack trace, the run stored', async () => {
    const dataDir = tempDir();
    const out = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const sh = spawn(
        'bash',
        ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" profile examples/stripe-meter-events.jsonl.gz --json --data-dir "${dataDir}" | head -c 10 > /dev/null`],
        { cwd: ROOT },
      );
      let stderr = '';
      sh.stderr.on('data', (d) => (stderr += d));
      sh.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    expect(out.stderr).toBe('');
    expect([0, 141]).toContain(out.code);
    const runs = JSON.parse((await runCli(['runs', '--json', '--data-dir', dataDir])).stdout);
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['done']);
  });
});

describe('a run whose process dies', () => {
  let dataDir: string;
  let input: string;
  let child: ChildProcess;
  beforeAll(async () => {
    dataDir = tempDir();
    input = path.join(tempDir(), 'events.jsonl');
    const g = await runCli(['generate', '-n', '20000', '--seed', '5', '-o', input, '--data-dir', tempDir()]);
    expect(g.code).toBe(0);
  });

  it('is marked abandoned at the next open, its partial rows deleted, and the next profile works', async () => {
    const lines = fs.readFileSync(input, 'utf8');
    // METERSCOPE_DEBUG=sql prints each statement as it completes: merges paused show the load has begun
    // (stdin is then read into a scratch file until it ends).
    child = spawn(process.execPath, [CLI, 'profile', '-', '--data-dir', dataDir], {
      cwd: ROOT,
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, METERSCOPE_DEBUG: 'sql' },
    });
    child.stdin!.on('error', () => {}); // the kill below closes the pipe under our last write
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Half the input, then a real kill -9 while the load still waits for the rest: mid-load by construction.
    child.stdin!.write(lines.slice(0, lines.length / 2));
    await waitFor(() => /SYSTEM STOP MERGES events/.test(stderr));
    // stdin is being copied to a scratch file: kill while it is half written.
    await waitFor(() => scratchFiles(dataDir).length > 0);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    // The killed process left its half-written stdin spool; the next open empties the scratch directory.
    expect(scratchFiles(dataDir).length).toBeGreaterThan(0);

    const runs = JSON.parse((await runCli(['runs', '--json', '--data-dir', dataDir])).stdout);
    expect(scratchFiles(dataDir)).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('abandoned');
    expect(runs[0].summary.note).toContain('partial rows were deleted');
    const [left] = await sqlRows<{ n: string }>(dataDir, `SELECT (SELECT count() FROM events) + (SELECT count() FROM rejects) + (SELECT count() FROM run_sources) AS n`);
    expect(Number(left.n)).toBe(0);
    const again = await runCli(['profile', input, '--json', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).events.total).toBe(lines.trim().split('\n').length);
  });
});

describe('Ctrl-C during a profile', () => {
  it('marks the run interrupted, deletes its partial rows, says so in one line and exits 130', async () => {
    const dataDir = tempDir();
    const input = path.join(tempDir(), 'events.jsonl');
    expect((await runCli(['generate', '-n', '20000', '--seed', '6', '-o', input, '--data-dir', tempDir()])).code).toBe(0);
    const lines = fs.readFileSync(input, 'utf8');
    const child = spawn(process.execPath, [CLI, 'profile', '-', '--data-dir', dataDir], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, METERSCOPE_DEBUG: 'sql' },
    });
    child.stdin!.on('error', () => {});
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => (stdout += d));
    child.stdin!.write(lines.slice(0, lines.length / 2));
    await waitFor(() => /SYSTEM STOP MERGES events/.test(stderr));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stdout).toBe('');
    const said = stderr.split('\n').filter((l) => l.startsWith('meterscope:'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^meterscope: interrupted \(SIGINT\): run \S+ marked interrupted; its partial rows were deleted$/);
    const runs = JSON.parse((await runCli(['runs', '--json', '--data-dir', dataDir])).stdout);
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['interrupted']);
    const [left] = await sqlRows<{ n: string }>(dataDir, `SELECT (SELECT count() FROM events) + (SELECT count() FROM rejects) AS n`);
    expect(Number(left.n)).toBe(0);
    expect(scratchFiles(dataDir)).toEqual([]); // the interrupted spool was removed on the way out
  });
});

describe('streamed input leaves no scratch files', () => {
  it('profile - and tail remove the files they handed to the engine', async () => {
    const dataDir = tempDir();
    const input = path.join(tempDir(), 'events.jsonl');
    expect((await runCli(['generate', '-n', '3000', '--seed', '8', '-o', input, '--data-dir', tempDir()])).code).toBe(0);
    const viaStdin = await runCli(['profile', '-', '--json', '--data-dir', dataDir], { stdin: fs.readFileSync(input) });
    expect(viaStdin.code).toBe(0);
    expect(JSON.parse(viaStdin.stdout).events.total).toBe(3000);
    expect(scratchFiles(dataDir)).toEqual([]);
    const tailed = await runCli(['tail', input, '--from', 'start', '--idle-exit', '1', '--json', '--data-dir', dataDir]);
    expect(tailed.code, tailed.stderr).toBe(0);
    const last = tailReportLine(tailed.stdout);
    expect(last.report.events.total).toBe(3000);
    expect(scratchFiles(dataDir)).toEqual([]);
  });
});

describe('stdin redirected from a file', () => {
  /** `meterscope profile - --json` with stdin being `fd` (a file opened by the test), as a shell's `< FILE` gives it. */
  const profileFromFd = (fd: number, dataDir: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'profile', '-', '--json', '--data-dir', dataDir], { cwd: ROOT, stdio: [fd, 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const rowsOf = (dataDir: string, run: string) =>
    sqlRows(dataDir, `SELECT line, identifier, event_time, value, properties FROM events WHERE run_id = {run:String} ORDER BY line, seq`, { run });

  it('is read like the file itself (same rows, named -), and from where its offset stands', async () => {
    const dataDir = tempDir();
    const input = path.join(tempDir(), 'events.jsonl.gz');
    expect((await runCli(['generate', '-n', '4000', '--seed', '9', '-o', input, '--malformed-rate', '0.01', '--data-dir', tempDir()])).code).toBe(0);
    const fromFile = await runCli(['profile', input, '--json', '--data-dir', dataDir]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const fd = fs.openSync(input, 'r');
    const redirected = await profileFromFd(fd, dataDir).finally(() => fs.closeSync(fd));
    expect(redirected.code, redirected.stderr).toBe(0);
    const [a, b] = [JSON.parse(fromFile.stdout), JSON.parse(redirected.stdout)];
    expect(b.sources.map((s: { source: string }) => s.source)).toEqual(['-']);
    expect({ ...b.sources[0], source: '', seconds: 0 }).toEqual({ ...a.sources[0], source: '', seconds: 0 });
    expect(await rowsOf(dataDir, b.runId)).toEqual(await rowsOf(dataDir, a.runId));

    // A stdin already read from (`{ head -n 1 >/dev/null; meterscope profile -; } < FILE`) gives only what follows.
    const plain = path.join(tempDir(), 'events.jsonl');
    fs.writeFileSync(plain, zlib.gunzipSync(fs.readFileSync(input)));
    const firstLine = fs.readFileSync(plain, 'utf8').indexOf('\n') + 1;
    const moved = fs.openSync(plain, 'r');
    fs.readSync(moved, Buffer.alloc(firstLine), 0, firstLine, null);
    const rest = await profileFromFd(moved, dataDir).finally(() => fs.closeSync(moved));
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout).sources[0].lines).toBe(a.sources[0].lines - 1);
  });
});

/** Files left in the embedded engine's scratch directory (streamed lines handed over as files). */
function scratchFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'scratch');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

async function waitFor(cond: () => boolean, maxMs = 30_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 25) {
    if (waited > maxMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}
