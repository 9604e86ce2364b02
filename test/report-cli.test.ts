/**
 * The built CLI's report outputs: `report <run-id> --format text|json|md|html [--out FILE]`,
 * `profile … --report-format/--out` (profile's --format names the input format), `tail … --out`,
 * `--json` still an alias of JSON output, and bad choices refused with one sentence.
 * Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/helpers.js';
import { charts, facts, generateEvents, writeEvents, type Ev } from './support/report-support.js';
import type { ProfileReport } from '../src/profile/model.js';

let dir: string;
let dataDir: string;
let file: string;
let evs: Ev[];
let runId: string;
let model: ProfileReport;

beforeAll(async () => {
  dir = tempDir();
  dataDir = path.join(dir, 'store');
  evs = generateEvents().slice(0, 1500);
  file = writeEvents(evs, dir);
  const res = await runCli(['profile', '--json', '--data-dir', dataDir, file]);
  expect(res.code, res.stderr).toBe(0);
  model = JSON.parse(res.stdout) as ProfileReport;
  runId = model.runId;
}, 120_000);

describe('report outputs from the CLI', () => {
  it('profile --json still prints the model, and --report-format md --out writes the questionnaire', async () => {
    expect(model.events.total).toBe(facts(evs).total);
    const out = path.join(dir, 'profile.md');
    const res = await runCli(['profile', '--report-format', 'md', '--out', out, '--data-dir', dataDir, file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`md report written to ${out}`);
    const md = fs.readFileSync(out, 'utf8');
    expect(md).toContain('## Metering');
    expect(md).toContain(`**Answer:** ${facts(evs).names.size} event names in the log`);
  }, 120_000);

  it('report <run-id> renders the stored model as text, json, md and html', async () => {
    const text = await runCli(['report', runId, '--data-dir', dataDir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`meterscope profile · run ${runId}`);

    const json = await runCli(['report', runId, '--format', 'json', '--data-dir', dataDir]);
    const alias = await runCli(['report', runId, '--json', '--data-dir', dataDir]);
    expect(JSON.parse(json.stdout)).toEqual(model);
    expect(alias.stdout).toBe(json.stdout);

    const md = await runCli(['report', runId, '--format', 'markdown', '--data-dir', dataDir]);
    expect(md.stdout).toMatch(/^# Metering profile: run /);

    const out = path.join(dir, 'report.html');
    const html = await runCli(['report', runId, '--out', out, '--data-dir', dataDir]);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toBe('');
    const page = fs.readFileSync(out, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(charts(page).map((c) => c.id)).toEqual(['rate-over-time', 'rate-distribution', 'week-hour', 'distinct-per-property', 'compound-cardinality']);
  }, 120_000);

  it('loads Vega for HTML only: text, JSON and Markdown never import it', async () => {
    const env = { NODE_OPTIONS: `--import ${path.join(__dirname, 'support', 'trace-vega.mjs')}` };
    for (const format of ['json', 'text', 'md']) {
      const res = await runCli(['report', runId, '--format', format, '--data-dir', dataDir], { env });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr, format).not.toContain('trace: imported');
    }
    const html = await runCli(['report', runId, '--format', 'html', '--data-dir', dataDir], { env });
    expect(html.stderr).toContain('trace: imported vega');
  }, 120_000);

  it('refuses an unknown format, or --json with another format, in one sentence', async () => {
    const bad = await runCli(['report', runId, '--format', 'pdf', '--data-dir', dataDir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toBe('meterscope: the report format must be one of text, json, md, html, got "pdf"');
    const both = await runCli(['report', runId, '--json', '--format', 'md', '--data-dir', dataDir]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--json asks for JSON');
    const nowhere = await runCli(['report', runId, '--out', path.join(dir, 'no', 'such', 'dir.html'), '--data-dir', dataDir]);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr.trim()).toMatch(/^meterscope: --out: cannot write .*dir\.html: ENOENT$/);
  }, 120_000);

  it('tail --out writes the final report to a file and keeps the usual stdout', async () => {
    const out = path.join(dir, 'tail.html');
    const res = await runCli(['tail', file, '--from', 'start', '--idle-exit', '1', '--json', '--out', out, '--data-dir', path.join(dir, 'tailstore')]);
    expect(res.code, res.stderr).toBe(0);
    const last = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(last.type).toBe('report');
    expect(last.report.events.total).toBe(evs.length);
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toContain('Live tail');
    expect(page).toContain(`Metering profile · run ${last.runId}`);
  }, 120_000);
});
