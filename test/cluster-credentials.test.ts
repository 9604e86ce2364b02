/**
 * Cluster mode's failures before anything is stored, through the built CLI against the
 * ClickHouse-HTTP test front (a chDB with no cluster configured): each is one sentence, and the
 * ClickHouse password appears in none of them, whether it came by flag or environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/helpers.js';
import { startTestFront, type TestFront } from './support/test-front.js';

const PASSWORD = 'cluster-Secret-4711';
let front: TestFront | undefined;
let url = '';

beforeAll(async () => {
  front = await startTestFront(PASSWORD);
  url = front.url;
});

afterAll(() => {
  front?.stop();
});

/** One line on stderr, exit 2, and the password nowhere. */
function expectOneSentence(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(PASSWORD));
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  return r.stderr;
}

describe('cluster mode', () => {
  it('--cluster without a server says what is missing', async () => {
    const r = await runCli(['runs', '--cluster', 'analytics', '--data-dir', tempDir()]);
    expect(expectOneSentence(r)).toMatch(/--cluster \/ METERSCOPE_CLUSTER needs a ClickHouse server: add --clickhouse URL/);
  });

  it('a cluster the server does not know is named (password on the flag)', async () => {
    const r = await runCli(['runs', '--clickhouse', url, '--ch-password', PASSWORD, '--cluster', 'analytics']);
    expect(expectOneSentence(r)).toMatch(/has no cluster "analytics" \(--cluster \/ METERSCOPE_CLUSTER\)/);
  });

  it('the password in the URL is masked in the sentence', async () => {
    // (@clickhouse/client also warns on stderr that URL credentials override its options.)
    const r = await runCli(['runs', '--clickhouse', url.replace('http://', `http://default:${PASSWORD}@`), '--cluster', 'analytics']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).toMatch(/ClickHouse at http:\/\/default:\*\*\*@127\.0\.0\.1:\d+ has no cluster "analytics"/);
  });

  it('METERSCOPE_CLUSTER is read from the environment, the password from CLICKHOUSE_PASSWORD', async () => {
    const r = await runCli(['runs', '--clickhouse', url], { env: { METERSCOPE_CLUSTER: 'from_env', CLICKHOUSE_PASSWORD: PASSWORD } });
    expect(expectOneSentence(r)).toMatch(/no cluster "from_env"/);
  });

  it('a wrong password is one sentence, before the cluster is looked at', async () => {
    const r = await runCli(['runs', '--clickhouse', url, '--cluster', 'analytics'], { env: { CLICKHOUSE_PASSWORD: `${PASSWORD}-wrong` } });
    const line = expectOneSentence(r);
    expect(line).toMatch(/authentication failed/);
    expect(line).not.toContain(`${PASSWORD}-wrong`);
  });

  it('a cluster name that is not an identifier is refused before any SQL', async () => {
    const r = await runCli(['runs', '--clickhouse', url, '--cluster', "x'; DROP TABLE runs; --"], { env: { CLICKHOUSE_PASSWORD: PASSWORD } });
    expect(expectOneSentence(r)).toMatch(/--cluster \/ METERSCOPE_CLUSTER: cluster name .* must be letters, digits/);
  });
});
