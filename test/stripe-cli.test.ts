/**
 * The built CLI's Stripe commands against the local Stripe-shaped server: profile --stripe,
 * stripe meters / check / reconcile, one-sentence errors, and the key never appearing in any
 * output or stored row. Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from './support/helpers.js';
import { openStore, type Store } from '../src/store/open.js';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe.js';
import { CUSTOMERS, METERS, RECEIVED, logLines } from './support/stripe-fixture.js';

const KEY = 'sk_test_51CliSecretKeyMeterscopeXYZ7788';
/** Distinctive pieces of the key, so a partly printed key is caught too. */
const KEY_PARTS = [KEY, 'CliSecretKey', 'XYZ7788'];

let fake: FakeStripe;
let dataDir: string;
let file: string;
let runId: string;
const outputs: CliResult[] = [];

async function cli(args: string[], env: NodeJS.ProcessEnv = { STRIPE_API_KEY: KEY }): Promise<CliResult> {
  // `stripe meters` has no store; everything else gets this test's data dir.
  const store = args[0] === 'stripe' && args[1] === 'meters' ? [] : ['--data-dir', dataDir];
  const res = await runCli([...args, ...store], { env });
  outputs.push(res);
  return res;
}
const withBase = (args: string[]) => [...args, '--stripe-base-url', fake.url];

beforeAll(async () => {
  fake = await startFakeStripe({ meters: METERS, events: RECEIVED, keys: [KEY], customers: CUSTOMERS, maxPage: 2 });
  const dir = tempDir();
  dataDir = path.join(dir, 'store');
  file = path.join(dir, 'meter-events.jsonl');
  fs.writeFileSync(file, logLines());
});
afterAll(() => fake?.close());

describe('stripe CLI', () => {
  it('profile --stripe attaches the meters and the check to the report and stores them', async () => {
    // The key given as a flag here (stored run options must redact it).
    const res = await cli(withBase(['profile', '--json', '--stripe', '--api-key', KEY, file]), {});
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    runId = report.runId;
    expect(report.stripe.source).toBe('api');
    expect(report.stripe.meters.map((m: { id: string }) => m.id)).toEqual(['mtr_api', 'mtr_storage', 'mtr_login', 'mtr_idle', 'mtr_old']);
    expect(report.stripe.meters[1]).toMatchObject({ eventName: 'storage_gb', customerKey: 'account', valueKey: 'gb', metronomeAggregation: 'LATEST' });
    expect(report.stripe.check.unmetered.map((u: { eventName: string; events: number }) => [u.eventName, u.events])).toEqual([
      ['debug_trace', 3],
      ['legacy_ping', 2],
    ]);
    expect(report.stripe.check.idleMeters).toEqual(['mtr_idle']);

    // The stored model re-renders with the Stripe meters behind the billable-metric drafts.
    const md = await cli(['report', runId, '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/aggregation from Stripe meter mtr\\?_storage/);
  });

  it('stripe meters lists every page, as text and JSON', async () => {
    const text = await cli(withBase(['stripe', 'meters']));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('5 meters (4 active)');
    for (const m of METERS) expect(text.stdout).toContain(m.id);
    const json = await cli(withBase(['stripe', 'meters', '--json']));
    const meters = JSON.parse(json.stdout);
    expect(meters).toHaveLength(5);
    expect(meters[0]).toMatchObject({
      id: 'mtr_api',
      formula: 'sum',
      dimensionKeys: ['region'],
      metronome: { aggregationType: 'SUM', aggregationKey: 'value', groupKeys: ['region'] },
    });
    fs.writeFileSync(path.join(path.dirname(file), 'meters.json'), json.stdout);
  });

  it('stripe check prints the findings with file and line, and --meters works without a key', async () => {
    const res = await cli(withBase(['stripe', 'check', runId]));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('5 events under 2 event names match no active meter');
    expect(res.stdout).toContain('meter mtr_old is inactive');
    // Findings wrap at the width (80 in a pipe): read them as one line each.
    const flat = res.stdout.replace(/\n\s+/g, ' ');
    expect(flat).toMatch(/mtr_api \(api_call\): 1 event without the customer key "stripe_customer_id".*meter-events\.jsonl line 6/);
    expect(flat).toMatch(/mtr_storage \(storage_gb\): 1 event without the customer key "account".*line 14/);
    expect(res.stdout).toContain('mtr_idle (export_run): no events');
    const offline = await cli(['stripe', 'check', runId, '--json', '--meters', path.join(path.dirname(file), 'meters.json')], {});
    expect(offline.code, offline.stderr).toBe(0);
    const { check } = JSON.parse(offline.stdout);
    expect(check.meters.map((c: { meterId: string; billableEvents: number }) => [c.meterId, c.billableEvents])).toEqual([
      ['mtr_api', 7],
      ['mtr_storage', 4],
      ['mtr_login', 4],
      ['mtr_idle', 0],
    ]);
  });

  it('stripe reconcile prints and stores the customer whose totals differ', async () => {
    const res = await cli(withBase(['stripe', 'reconcile', runId, '--window', 'hour', '--max-rps', '50']));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('2 differences (of 9 windows compared)');
    // In 80 columns the events column gives way; with room, every column is there.
    expect(res.stdout).toMatch(/\nmtr_api +cus_B +2024-06-03 11:00 +6 +2 +-4 +differs\n/);
    expect(res.stdout.replace(/\n\s+/g, ' ')).toMatch(/cus_Z.*error: No such customer: 'cus_Z'/);
    const wide = await cli(withBase(['stripe', 'reconcile', runId, '--window', 'hour', '--width', '160']));
    expect(wide.stdout).toMatch(/\nmtr_api +api_call +sum +2 +1 +20 +16 +3 +1\n/);
    expect(wide.stdout).toMatch(/\nmtr_api +cus_B +2024-06-03 11:00 +3 +6 +2 +-4 +differs\n/);
    expect(wide.stdout).toMatch(/\nmtr_login +cus_Z +2024-06-03 10:00 +1 +1 +- +-1 +error: No such customer: 'cus_Z'\n/);
    const json = await cli(withBase(['stripe', 'reconcile', runId, '--json', '--meter', 'api_call']));
    const r = JSON.parse(json.stdout);
    expect(r.meters.map((m: { meterId: string }) => m.meterId)).toEqual(['mtr_api']);
    expect(
      r.rows
        .filter((x: { status: string }) => x.status !== 'match')
        .map((x: { customer: string; logValue: number; stripeValue: number }) => [x.customer, x.logValue, x.stripeValue]),
    ).toEqual([['cus_B', 6, 2]]);
  });

  it('bad keys, missing keys, bad flags and unknown runs are one sentence each', async () => {
    const wrong = await cli(withBase(['stripe', 'meters', '--api-key', 'sk_test_51WrongCliKey00001111']));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'meterscope: Stripe rejected the API key while listing Billing Meters (authentication failed); check STRIPE_API_KEY or --api-key (request req_fake' +
        wrong.stderr.split('req_fake')[1],
    );
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).not.toMatch(/WrongCliKey|1111|sk_test_/); // Stripe's own 401 text quotes the key's prefix and last 4

    const none = await cli(['stripe', 'meters'], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^meterscope: no Stripe API key: set STRIPE_API_KEY/);

    const noKeyProfile = await cli(['profile', '--stripe', file], {});
    expect(noKeyProfile.code).toBe(2);
    expect(noKeyProfile.stderr).toMatch(/no Stripe API key/);

    const rps = await cli(withBase(['stripe', 'meters', '--max-rps', '0']));
    expect(rps.stderr).toMatch(/--max-rps must be above 0/);
    const win = await cli(withBase(['stripe', 'reconcile', runId, '--window', 'week']));
    expect(win.stderr).toMatch(/--window must be one of span, hour, day/);
    const meter = await cli(withBase(['stripe', 'reconcile', runId, '--meter', 'nope']));
    expect(meter.stderr).toMatch(/--meter: no meter with id or event name "nope"/);
    const run = await cli(withBase(['stripe', 'check', 'no-such-run']));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no run with id no-such-run/);
    const down = await cli(['stripe', 'meters', '--stripe-base-url', 'http://127.0.0.1:1']);
    expect(down.stderr).toMatch(/^meterscope: cannot reach Stripe at 127\.0\.0\.1:1/);
    for (const r of [wrong, none, rps, win, meter, run, down]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the key appears in no output and no stored row', async () => {
    expect(outputs.length).toBeGreaterThan(10); // every CLI call of this file so far (a floor: the file grows)
    for (const o of outputs) for (const part of KEY_PARTS) expect(`${o.stdout}\n${o.stderr}`).not.toContain(part);
    // Every request did carry it, so the absence above is not because it was never used.
    expect(fake.requests.some((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    const store: Store = await openStore({ dataDir });
    try {
      const tables = (
        await store.select<{ name: string }>(`SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('Null', 'MaterializedView', 'View')`)
      ).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['runs', 'reports', 'stripe_meters', 'stripe_checks', 'stripe_reconcile']));
      let scanned = 0;
      for (const t of tables) {
        const dump = JSON.stringify(await store.select(`SELECT * FROM \`${t}\``));
        scanned += dump.length;
        for (const part of KEY_PARTS) expect(dump, `table ${t}`).not.toContain(part);
      }
      expect(scanned).toBeGreaterThan(1000);
      const opts = await store.select<{ options: string }>(`SELECT options FROM runs FINAL WHERE run_id = {id:String}`, { id: runId });
      expect(JSON.parse(opts[0].options).apiKey).toBe('***');
      const rec = await store.select<{ n: string }>(`SELECT count() AS n FROM stripe_reconcile WHERE run_id = {id:String} AND status = 'differs'`, { id: runId });
      expect(Number(rec[0].n)).toBe(3); // cus_B's hour (two hour runs) and cus_B's span (--meter api_call run)
    } finally {
      await store.close();
    }
  });
});
