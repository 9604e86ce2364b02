import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, runCli, tempDir } from './support/helpers.js';

/** A small Stripe JSONL log with two malformed lines; expectations computed from the same arrays. */
function makeLog(n: number): { text: string; good: number; bad: number[] } {
  const lines: string[] = [];
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 97 === 13) {
      lines.push(`{"identifier":"e${i}","timestamp":17000`); // truncated
      bad.push(i + 1);
      continue;
    }
    lines.push(
      JSON.stringify({
        identifier: `e${i}`,
        timestamp: 1_700_000_000 + Math.floor(i / 7),
        event_name: i % 3 ? 'api_call' : 'tokens',
        payload: { stripe_customer_id: `cus_${i % 11}`, value: String(i % 5) },
      }),
    );
  }
  return { text: `${lines.join('\n')}\n`, good: n - bad.length, bad };
}

describe('CLI foundation', () => {
  const dir = tempDir();
  const data = path.join(dir, 'store');
  const log = makeLog(1000);
  const plainFile = path.join(dir, 'events.jsonl');
  const gzFile = path.join(dir, 'events.jsonl.gz');
  const zstFile = path.join(dir, 'events.jsonl.zst');

  beforeAll(async () => {
    fs.writeFileSync(plainFile, log.text);
    fs.writeFileSync(gzFile, zlib.gzipSync(log.text));
    // Node 20 cannot write zstd; the test's own engine can.
    const store = await openTestStore();
    await store.exec(`INSERT INTO FUNCTION file({p:String}, 'LineAsString', 'l String', 'zstd') SELECT arrayJoin(splitByChar('\\n', trimRight({t:String})))`, {
      p: zstFile,
      t: log.text,
    });
  });

  const profileJson = async (args: string[], stdin?: Buffer | string) => {
    const r = await runCli(['profile', ...args, '--json', '--data-dir', data], { stdin });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('loads plain, gzip and zstd files and stdin to the same counts', async () => {
    for (const [args, stdin] of [[[plainFile]], [[gzFile]], [[zstFile]], [['-'], log.text], [['-'], fs.readFileSync(gzFile)]] as [string[], (string | Buffer)?][]) {
      const rep = await profileJson(args, stdin);
      expect(rep.events.total, args.join(' ')).toBe(log.good);
      expect(rep.rejects.total, args.join(' ')).toBe(log.bad.length);
      expect(rep.rejects.examples.map((e: { line: number }) => e.line)).toEqual(log.bad.slice(0, rep.rejects.examples.length));
    }
  });

  it('keeps runs across invocations of the embedded store', async () => {
    const r = await runCli(['runs', '--json', '--data-dir', data]);
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout) as { status: string; command: string }[];
    expect(runs.length).toBe(5); // the five loads of the test above
    expect(runs.every((x) => x.command === 'profile' && x.status === 'done')).toBe(true);
  });

  it('fails with one sentence and a non-zero exit on bad input or setup', async () => {
    const cases: [string[], RegExp][] = [
      [['profile', path.join(dir, 'missing.jsonl'), '--data-dir', data], /missing\.jsonl: no such file/],
      [['profile', plainFile, '--format', 'xml', '--data-dir', data], /unknown format "xml"/],
      [['profile', path.join(dir, 'nothing-*.jsonl'), '--data-dir', data], /no file matches/],
      [['profile', plainFile, '--clickhouse', 'http://127.0.0.1:9'], /cannot reach ClickHouse at http:\/\/127\.0\.0\.1:9/],
    ];
    const garbage = path.join(dir, 'garbage.txt');
    fs.writeFileSync(garbage, 'hello world\nthis is not a meter event log\n');
    cases.push([['profile', garbage, '--data-dir', data], /garbage\.txt: unknown format/]);
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('never prints or stores a ClickHouse password', async () => {
    const r = await runCli(['profile', plainFile, '--clickhouse', 'http://user:s3cr3t-pw@127.0.0.1:9', '--ch-password', 's3cr3t-pw']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).not.toContain('s3cr3t-pw');
  });
});
