/**
 * Opens the HTML reports from disk in Debian's Chromium (playwright-core, no browser download):
 * no console errors, no network requests beyond the file itself, every chart drawn with visible marks,
 * sorting and filtering work, and hostile payload text (<img onerror>, </script><script>, <svg onload>)
 * executes nothing. With METERSCOPE_SCREENSHOT=1 it also writes docs/report-screenshot.png from the
 * shipped sample in examples/ (or the generated input when there is none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, tempDir } from './support/helpers.js';
import { generateEvents, marksByChart, profileFile, writeEvents } from './support/report-support.js';
import { sampleReplayReport } from './support/report-replay-sample.js';
import { renderReport } from '../src/report/index.js';
import type { ProfileReport } from '../src/profile/model.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser;
let dir: string;
let report: ProfileReport;
let profilePath: string;
let replayPath: string;

interface Visit {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(file: string, width = 1280): Promise<Visit> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const v: Visit = { page, consoleErrors: [], pageErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') v.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => v.pageErrors.push(e.message));
  page.on('request', (r) => v.requests.push(r.url()));
  page.on('dialog', (d) => {
    v.dialogs.push(d.message());
    void d.dismiss();
  });
  // Anything but the report itself is refused (and recorded above).
  await page.route('**/*', (route) => (route.request().url() === pathToFileURL(file).href ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return v;
}

/** Per chart: the number of drawn marks (inside Vega mark groups, not axes/legends) with a visible box. */
async function visibleMarks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const fig of Array.from(document.querySelectorAll('figure.chart'))) {
      const els = Array.from(fig.querySelectorAll('svg g.role-mark > *')) as SVGGraphicsElement[];
      out[fig.getAttribute('data-chart') ?? '?'] = els.filter((e) => {
        const b = e.getBBox();
        return b.width > 0 || b.height > 0;
      }).length;
    }
    return out;
  });
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
  dir = tempDir();
  report = await profileFile(writeEvents(generateEvents(), dir), 'browser1');
  profilePath = path.join(dir, 'profile.html');
  fs.writeFileSync(profilePath, await renderReport(report, 'html'));
  replayPath = path.join(dir, 'replay.html');
  fs.writeFileSync(replayPath, await renderReport(sampleReplayReport(), 'html'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('HTML report in Chromium', () => {
  it('loads from disk with no console errors, no network and no executed payload', async () => {
    const v = await open(profilePath);
    expect(v.consoleErrors).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    expect(v.dialogs).toEqual([]);
    expect(v.requests).toEqual([pathToFileURL(profilePath).href]);
    const pwned = await v.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null);
    expect(pwned).toBeNull();
    // The hostile values are on the page as text.
    const text = await v.page.locator('#properties-table').innerText();
    expect(text).toContain('<img src=x onerror=__pwned=6>');
    expect(text).toContain('<svg onload="window.__pwned=3">');
    // And the embedded model reads back as the report.
    const model = await v.page.evaluate((id) => JSON.parse(document.getElementById(id)!.textContent!), 'report-model');
    expect(model).toEqual(JSON.parse(JSON.stringify(report)));
    await v.page.close();
  }, 60_000);

  it('draws every chart with every mark visible', async () => {
    const v = await open(profilePath);
    const marks = await visibleMarks(v.page);
    expect(Object.keys(marks)).toEqual(['rate-over-time', 'rate-distribution', 'week-hour', 'distinct-per-property', 'compound-cardinality']);
    // Each mark of the page's SVG (counted per datum in test/report-html.test.ts) has a box on screen.
    expect(marks).toEqual(marksByChart(fs.readFileSync(profilePath, 'utf8')));
    await v.page.close();
  }, 60_000);

  it('sorts and filters the properties table', async () => {
    const v = await open(profilePath);
    const distinctCol = v.page.locator('#properties-table thead th', { hasText: 'distinct' });
    await distinctCol.click();
    const sortValues = () =>
      v.page.$$eval('#properties-table tbody tr', (rows) => rows.map((r) => Number((r as HTMLTableRowElement).cells[4].getAttribute('data-sort'))));
    const asc = await sortValues();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await distinctCol.click();
    const desc = await sortValues();
    expect(desc).toEqual([...asc].sort((a, b) => b - a));

    await v.page.selectOption('form[data-filter-table="properties-table"] select[name="class"]', 'identifier-like');
    const shown = await v.page.$$eval('#properties-table tbody tr:not([hidden])', (rows) => rows.map((r) => r.getAttribute('data-class')));
    expect(shown.length).toBe(report.properties.filter((p) => p.class === 'identifier-like').length);
    expect(new Set(shown)).toEqual(new Set(['identifier-like']));
    await v.page.selectOption('form[data-filter-table="properties-table"] select[name="class"]', '');
    await v.page.fill('form[data-filter-table="properties-table"] input[type="search"]', 'user_id');
    const keys = await v.page.$$eval('#properties-table tbody tr:not([hidden])', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[1].textContent));
    expect(keys).toEqual(['user_id']);
    expect(v.consoleErrors).toEqual([]);
    await v.page.close();
  }, 60_000);

  it('shows the replay page with its charts, no errors and no network', async () => {
    const v = await open(replayPath);
    const marks = await visibleMarks(v.page);
    expect(Object.keys(marks)).toEqual(['replay-latency', 'replay-outcomes', 'replay-statuses']);
    expect(marks).toEqual(marksByChart(fs.readFileSync(replayPath, 'utf8')));
    expect(v.consoleErrors).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    expect(v.requests).toEqual([pathToFileURL(replayPath).href]);
    expect(await v.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null)).toBeNull();
    await v.page.close();
  }, 60_000);

  it('renders the screenshot of the shipped sample (METERSCOPE_SCREENSHOT=1)', async () => {
    const examples = fs.existsSync(path.join(ROOT, 'examples'))
      ? fs
          .readdirSync(path.join(ROOT, 'examples'))
          .filter((n) => /\.(jsonl|ndjson|json|csv|log|txt)(\.gz|\.zst)?$/.test(n))
          .map((n) => path.join(ROOT, 'examples', n))
      : [];
    const model = examples.length ? await profileFile(examples[0], 'browser-sample') : report;
    const file = path.join(dir, 'sample.html');
    fs.writeFileSync(file, await renderReport(model, 'html'));
    const v = await open(file);
    expect(v.consoleErrors).toEqual([]);
    const out = process.env.METERSCOPE_SCREENSHOT === '1' ? path.join(ROOT, 'docs', 'report-screenshot.png') : path.join(dir, 'report-screenshot.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await v.page.setViewportSize({ width: 1280, height: 2300 });
    await v.page.screenshot({ path: out });
    expect(fs.statSync(out).size).toBeGreaterThan(50_000);
    await v.page.close();
  }, 120_000);
});
