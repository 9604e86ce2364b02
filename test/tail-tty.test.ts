/**
 * The live view in a real pseudo-terminal (util-linux `script`): frames drawn on the alternate
 * screen, the figures a person reads, untrusted event names shown escaped (never as terminal
 * control sequences), and the final frame + report on the normal screen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from './support/helpers.js';
import { runWriter, waitFor } from './support/tail-support.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `command` in a pseudo-terminal: its output so far, and all of it once it exits 0. */
function inPty(command: string): { output: () => string; done: Promise<string> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CLICKHOUSE_URL;
  delete env.METERSCOPE_DATA_DIR;
  const child = spawn('script', ['-q', '-e', '-c', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${code}: ${out.slice(-2000)}`));
    });
  });
  return { output: () => out, done };
}

describe.runIf(hasScript)('tail live view in a terminal', () => {
  it('redraws a frame with the live figures, escapes payload text, ends with the report', async () => {
    const dir = tempDir('meterscope-tty-');
    const file = path.join(dir, 'events.log');
    const data = path.join(dir, 'store');
    // A hostile event name: it must reach the screen as text, not as "clear screen".
    fs.writeFileSync(file, `${JSON.stringify({ identifier: 'evil-1', timestamp: 1795600000, event_name: '\u001b[2Jevil', payload: { stripe_customer_id: 'cus_1' } })}\n`);
    const screen = inPty(`${shq(process.execPath)} ${shq(CLI)} tail ${shq(file)} --from start --idle-exit 2 --interval 0.2 --data-dir ${shq(data)}`);
    // The live view opens once the file is being followed: from then on the writer's lines are arrivals.
    await waitFor(() => screen.output().includes('\x1b[?1049h'), 'the live view on the alternate screen');
    const writer = await runWriter(['--file', file, '--rate', '1000', '--count', '3000']);
    const raw = await screen.done;

    const enter = raw.indexOf('\x1b[?1049h');
    const leave = raw.indexOf('\x1b[?1049l');
    expect(enter).toBeGreaterThanOrEqual(0);
    expect(leave).toBeGreaterThan(enter);
    const frames = raw.slice(enter, leave).split('\x1b[H').slice(1).map(stripAnsi);
    expect(frames.length).toBeGreaterThanOrEqual(10); // five a second for the writer's 3 s and the 2 s idle (real time: a floor)
    const busy = frames.find((f) => /totals\s+[1-9][\d,]* events/.test(f) && /arrival\s+now [1-9]/.test(f));
    expect(busy, frames.join('\n----\n')).toBeDefined();
    for (const label of ['arrival', 'event time', 'totals', 'top events', 'keys (', 'fit', 'Stripe v1 meter events 1,000/s']) expect(busy).toContain(label);

    const live = raw.slice(0, raw.indexOf('meterscope profile'));
    expect(live).not.toContain('\x1b[2Jevil');
    expect(stripAnsi(live)).toContain('\\x1b[2Jevil');

    // After the alternate screen: the last frame, then the same report as profile, then the tail summary.
    const after = stripAnsi(raw.slice(leave));
    expect(after).toMatch(new RegExp(`totals\\s+${(writer.written + 1).toLocaleString('en-US')} events\\s+0 rejects`));
    expect(after).toContain(`${(writer.written + 1).toLocaleString('en-US')} accepted`);
    expect(after).toContain('LIVE TAIL');
    expect(after).toContain('stopped     idle');
  });
});
