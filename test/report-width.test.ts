/**
 * Every terminal report laid out for the terminal it is printed on: profile, tail, replay (and its
 * comparison), stripe meters / check / reconcile and the runs listing, each in a real pseudo-terminal
 * (util-linux `script`) 80 and 120 columns wide, on input made to be awkward (long and wide-character
 * event names, long customers, keys and values, a long malformed line). No line may be wider than the
 * terminal, counted in display columns (a box-drawing character is one, a CJK character two).
 * Also the labels that used to lie: the tail report's heading, n/a peaks for short runs, duplicates
 * across files, where the customers come from, and file order as a note rather than a problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir } from './support/helpers.js';
import { startSink, type Sink } from '../src/sink/server.js';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe.js';
import { CUSTOMERS, METERS, RECEIVED, logLines } from './support/stripe-fixture.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const KEY = 'sk_test_51WidthTestKey000111222';
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/** Display columns, counted independently of the renderers: CJK and full-width forms take two. */
function columns(line: string): number {
  let w = 0;
  for (const ch of line) {
    const cp = ch.codePointAt(0)!;
    w += (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xff00 && cp <= 0xff60) ? 2 : 1;
  }
  return w;
}

const dir = tempDir('meterscope-width-');
const dataDir = path.join(dir, 'store');
const LONG_NAME = 'very_long_event_name_for_a_metered_feature_that_goes_on_and_on';
const WIDE_NAME = '画像生成イベント';
const BROKEN = `{"identifier":"broken","timestamp":1709510400,"event_name":"api_request","payload":{"note":"${'x'.repeat(260)}`;
const T0 = Math.floor(Date.now() / 1000) - 6 * 3600;

let fake: FakeStripe;
let sink: Sink;
const run: Record<'profile' | 'tail' | 'stripe' | 'replay', string> = { profile: '', tail: '', stripe: '', replay: '' };
const shown: Record<number, Record<string, string>> = {};

/** 1,210 events over 40 minutes: awkward names, customers, keys and values; one line broken; some out of order. */
function writeInputs(): { a: string; b: string; short: string } {
  const lines: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const name = [WIDE_NAME, LONG_NAME, 'api_request', 'tokens'][i % 4];
    const customer = i % 9 === 0 ? `customer_with_a_rather_long_identifier_${i % 3}_0123456789abcdef` : `cus_${i % 40}`;
    const back = i % 50 === 49 ? 100 : 0;
    const payload = {
      stripe_customer_id: customer,
      value: String((i % 7) + 1),
      region: ['eu-west-1', 'us-east-1', 'ap-southeast-2'][i % 3],
      a_rather_long_payload_key_name_for_testing_layout: `option ${i % 5}`,
      note: `free text that goes on for a while number ${i % 13} with spaces in it`,
    };
    lines.push(JSON.stringify({ identifier: `a-${i}`, timestamp: T0 + i * 2 - back, event_name: name, payload }));
    if (i === 600) lines.push(BROKEN);
  }
  const a = path.join(dir, 'A.jsonl');
  fs.writeFileSync(a, `${lines.join('\n')}\n`);
  // B repeats A's identifier a-5 (A line 6) on its line 3, an hour later: a duplicate across files.
  const b = path.join(dir, 'B.jsonl');
  const bl = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({ identifier: i === 2 ? 'a-5' : `b-${i}`, timestamp: T0 + 3600 + i, event_name: 'tokens', payload: { stripe_customer_id: 'cus_1', value: '1' } }),
  );
  fs.writeFileSync(b, `${bl.join('\n')}\n`);
  // A short log for tail: 5 seconds of event time, so the 10 s and 60 s peaks are n/a.
  const short = path.join(dir, 'short.jsonl');
  const sl = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ identifier: `s-${i}`, timestamp: T0 + Math.floor(i / 10), event_name: 'api_request', payload: { stripe_customer_id: `cus_${i % 4}`, value: '1' } }),
  );
  fs.writeFileSync(short, `${sl.join('\n')}\n`);
  return { a, b, short };
}

async function cliJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, any>> {
  const r = await runCli([...args, '--data-dir', dataDir], { env });
  expect(r.code, r.stderr).toBe(0);
  // One JSON document (profile, replay), or JSON lines ending with the report (tail).
  return r.stdout.startsWith('{\n') ? JSON.parse(r.stdout) : JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Runs `commands` (name → shell command) one after another in a pseudo-terminal `width` columns wide. */
function inPty(width: number, commands: Record<string, string>): Promise<Record<string, string>> {
  const script = [`stty cols ${width} rows 50`, ...Object.entries(commands).map(([name, c]) => `printf '\\n@@@ %s\\n' ${shq(name)}; ${c}`)].join('; ');
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, STRIPE_API_KEY: KEY };
    for (const k of ['CLICKHOUSE_URL', 'METERSCOPE_DATA_DIR', 'COLUMNS', 'LINES']) delete env[k];
    const child = spawn('script', ['-q', '-e', '-c', script, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Decoded once at the end: a chunk may end inside a multi-byte character.
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const out = Buffer.concat(chunks).toString('utf8');
      if (code !== 0) return reject(new Error(`exit ${code}: ${stripAnsi(out).slice(-3000)}`));
      const parts: Record<string, string> = {};
      for (const chunk of stripAnsi(out).split('\n@@@ ').slice(1)) {
        const nl = chunk.indexOf('\n');
        parts[chunk.slice(0, nl)] = chunk.slice(nl + 1);
      }
      resolve(parts);
    });
  });
}

const ms = (args: string) => `${shq(process.execPath)} ${shq(CLI)} ${args} --data-dir ${shq(dataDir)}`;

beforeAll(async () => {
  if (!hasScript) return;
  const { a, b, short } = writeInputs();
  run.profile = (await cliJson(['profile', '--json', a, b])).runId;
  run.tail = (await cliJson(['tail', short, '--from', 'start', '--idle-exit', '1'])).runId;
  const stripeLog = path.join(dir, 'meter-events.jsonl');
  fs.writeFileSync(stripeLog, logLines());
  run.stripe = (await cliJson(['profile', '--json', stripeLog])).runId;
  fake = await startFakeStripe({ meters: METERS, events: RECEIVED, keys: [KEY], customers: CUSTOMERS });
  sink = await startSink({ port: 0 });
  run.replay = (
    await cliJson(['replay', run.profile, '--target', sink.url, '--protocol', 'stripe-v1', '--max', '--limit', '300', '--json'], { STRIPE_API_KEY: KEY })
  ).runId;
  const stripe = `--stripe-base-url ${shq(fake.url)}`;
  for (const width of [80, 120]) {
    shown[width] = await inPty(width, {
      profile: ms(`report ${run.profile}`),
      tail: ms(`report ${run.tail}`),
      'tail run': ms(`tail ${shq(short)} --from start --idle-exit 1`),
      replay: ms(`report ${run.replay}`),
      'replay run': `${ms(`replay ${run.profile} --target ${shq(sink.url)} --protocol stripe-v1 --max --limit 200 --compare ${run.replay}`)} 2>/dev/null`,
      runs: ms('runs'),
      meters: `${shq(process.execPath)} ${shq(CLI)} stripe meters ${stripe}`,
      check: ms(`stripe check ${run.stripe} ${stripe}`),
      reconcile: `${ms(`stripe reconcile ${run.stripe} --window hour ${stripe}`)} 2>/dev/null`,
      // bill exits 4 when Stripe differs (this fixture does, on purpose): the layout is what counts here.
      bill: `${ms(`bill ${run.stripe} --period hour --stripe ${stripe}`)} 2>/dev/null || true`,
    });
  }
}, 600_000);
afterAll(async () => {
  await fake?.close();
  await sink?.close();
});

/** Lines that continue a wrapped line (deeper indent) joined onto it. */
const unwrap = (text: string) => text.replace(/\n {4,}(?=\S)/g, ' ');

describe.runIf(hasScript)('terminal reports at the terminal width', () => {
  for (const width of [80, 120]) {
    it(`${width} columns: no line of any report is wider than the terminal`, () => {
      const kinds = Object.keys(shown[width]);
      expect(kinds).toEqual(['profile', 'tail', 'tail run', 'replay', 'replay run', 'runs', 'meters', 'check', 'reconcile', 'bill']);
      for (const kind of kinds) {
        const text = shown[width][kind];
        expect(text.trim().length, kind).toBeGreaterThan(50);
        const wide = text.split('\n').filter((l) => columns(l) > width);
        expect(wide, `${kind} at ${width} columns`).toEqual([]);
      }
    });
  }

  it('uses the room it has: at 120 columns the profile tables keep the columns 80 leaves out', () => {
    const head = (w: number) => shown[w].profile.split('\n').find((l) => /^ *│ key +│ class/.test(l))!;
    expect(head(120)).toContain('types');
    expect(head(80)).not.toContain('types');
    expect(Math.max(...shown[120].profile.split('\n').map(columns))).toBeGreaterThan(100);
  });

  it('says what each report is and keeps its labels true', () => {
    const p = shown[80].profile;
    expect(p).toMatch(/^meterscope profile · run /m);
    // The duplicate's second sighting is in another file: that file is named.
    expect(p).toContain('    a-5: A.jsonl:6 then B.jsonl:3, 59m 52s later\n');
    // File order is a note in VOLUME, not a problem.
    const problems = p.slice(p.indexOf('\nPROBLEMS'));
    expect(problems).not.toMatch(/order/);
    expect(unwrap(p.slice(0, p.indexOf('\nRATES')))).toMatch(/file order +24 events \(2\.0%\) earlier than a line before them/);
    // Enough of a rejected line to see what is wrong with it: at least 160 characters.
    const at = p.indexOf('A.jsonl:602: invalid JSON:');
    expect(at).toBeGreaterThan(0);
    const folded = p
      .slice(at)
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('      '))
      .map((l) => l.trim())
      .join('');
    expect(folded.startsWith(BROKEN.slice(0, 159))).toBe(true);

    const t = shown[80].tail;
    expect(t).toMatch(/^meterscope tail · run /m);
    expect(t).not.toMatch(/^meterscope profile/m);
    expect(t).toMatch(/peak 10s +n\/a \(the run spans 5 s\)/);
    expect(t).toMatch(/peak 60s +n\/a \(the run spans 5 s\)/);
    expect(t).toMatch(/stopped +idle; 50 lines read in 1 batch\n/);
    // The tail command itself, after its live view: the same report, laid out for the terminal.
    const live = shown[80]['tail run'];
    expect(live).toMatch(/^meterscope tail · run /m);
    expect(live).toContain('LIVE TAIL');
  });

  it('writes numbers with separators, plurals right and rates as rates', () => {
    expect(shown[120].runs).toMatch(/│ +1,210 │/);
    expect(shown[120].replay).toMatch(/\d acknowledged\/s\)/);
    expect(shown[120].replay).toMatch(/^input: run \S+ · 300 events$/m);
  });
});

describe('the customer column of generic logs', () => {
  it('--customer-field: the report names the field and does not offer it as a pricing key', async () => {
    const csv = path.join(dir, 'usage.csv');
    const rows = ['ts,kind,acct,region,id'];
    for (let i = 0; i < 300; i++) rows.push(`${new Date((T0 + i) * 1000).toISOString()},api,acct_${i % 7},${['eu', 'us'][i % 2]},x${i}`);
    fs.writeFileSync(csv, `${rows.join('\n')}\n`);
    const flags = ['--timestamp-field', 'ts', '--event-field', 'kind', '--customer-field', 'acct', '--id-field', 'id'];
    const r = await runCli(['profile', csv, ...flags, '--data-dir', dataDir, '--width', '120']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('customers 7 distinct (acct)');
    expect(r.stdout).not.toContain('stripe_customer_id');
    const candidates = r.stdout.slice(r.stdout.indexOf('DIMENSION CANDIDATES'), r.stdout.indexOf('PROPERTIES'));
    expect(candidates).toMatch(/│ region /);
    expect(candidates).not.toMatch(/acct/);
    const json = JSON.parse((await runCli(['profile', csv, ...flags, '--data-dir', dataDir, '--json'])).stdout);
    expect(json.customers.key).toBe('acct');
    expect(json.sources[0].customerField).toBe('acct');
    expect(json.properties.map((p: { key: string }) => p.key).sort()).toEqual(['region']);
  });
});
