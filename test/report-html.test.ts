/**
 * The HTML report as a string (the browser test opens it for real): self-contained, hostile payload
 * text escaped everywhere (also inside the embedded JSON), one script allowed by its CSP hash, every
 * chart rendered with marks, and chart data checked against the generated input: the hour × weekday
 * table, the peak and the ingestion-limit lines.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BURST_AT, charts, facts, generateEvents, HOSTILE, marks, marksByChart, profileFile, writeEvents, type Ev } from './support/report-support.js';
import type { ProfileReport } from '../src/profile/model.js';
import type { ReplayReport } from '../src/replay/model.js';
import { renderReport } from '../src/report/index.js';
import { parseReportFormat } from '../src/commands/report-output.js';
import { dec } from '../src/report/format.js';
import { weekHourTable } from '../src/report/week-hour.js';
import { jsonForScript } from '../src/report/escape.js';
import { sampleReplayReport } from './support/report-replay-sample.js';

let evs: Ev[];
let f: ReturnType<typeof facts>;
let report: ProfileReport;
let page: string;

beforeAll(async () => {
  evs = generateEvents();
  f = facts(evs);
  report = await profileFile(writeEvents(evs), 'html1');
  page = await renderReport(report, 'html');
}, 120_000);

describe('HTML profile report', () => {
  it('is one self-contained document: no external resources, one script allowed by its hash', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(/<(link|iframe|object|embed|img)\b/i.exec(page)?.[0] ?? null).toBeNull();
    expect(/\b(src|href)="(?!#)(?!https:\/\/docs\.)[^"]*"/i.exec(page)?.[0] ?? null).toBeNull();
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => s[1].trim())).toEqual(['type="application/json" id="report-model"', '']);
    const hash = createHash('sha256').update(scripts[1][2], 'utf8').digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
  });

  it('escapes hostile payload values, keys and event names everywhere', () => {
    for (const bad of [HOSTILE.img, HOSTILE.short, HOSTILE.key, '<script>window.__pwned', '<svg onload', '<img src=x']) {
      expect(page.includes(bad), bad).toBe(false);
    }
    expect(page.includes('&lt;img src=x onerror=__pwned=6&gt;')).toBe(true);
    // No element has an event-handler attribute (attribute values blanked first: escaped text inside them is fine).
    const tags = page.replace(/"[^"]*"/g, '""').match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.find((t) => /\son[a-z]+=/i.test(t)) ?? null).toBeNull();
    // The embedded model is the report, byte for byte after JSON.parse, and holds no "<" at all.
    const json = /<script type="application\/json" id="report-model">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(JSON.parse(jsonForScript({ s: '</script><!-- \u2028 &' }))).toEqual({ s: '</script><!-- \u2028 &' });
  });

  it('renders every chart with one mark per datum', () => {
    const cs = charts(page);
    expect(cs.map((c) => c.id)).toEqual(['rate-over-time', 'rate-distribution', 'week-hour', 'distinct-per-property', 'compound-cardinality']);
    for (const c of cs) expect(c.body, c.id).toContain('<svg');
    const times = evs.map((e) => e.timestamp);
    const hourSlots = Math.floor(Math.max(...times) / 3600) - Math.floor(Math.min(...times) / 3600) + 1; // the span is under a week
    const keyPairs = [...f.names.keys()].reduce((n, name) => n + f.keys(name).length, 0);
    const compounds = report.dimensionCandidates.flatMap((d) => d.candidates).filter((c) => c.kind !== 'single').length;
    expect(report.rate.series.points.length).toBeGreaterThan(40); // so the lines carry no point symbols
    expect(marksByChart(page)).toEqual({
      // the series and average lines, a rule and a label per live published limit (Stripe v1, v2
      // stream, v2 meter events, Metronome ingest), the peak's triangle and its label
      'rate-over-time': 2 + 2 * 4 + 2,
      // a bar and its count per bucket: 0, 1, 2–3, 4–7, … up to the busiest second
      'rate-distribution': 2 * (2 + Math.floor(Math.log2(f.peak1s))),
      'week-hour': hourSlots,
      // a distinct-count bar and a presence bar per event name × key
      'distinct-per-property': 2 * keyPairs,
      // a bar and a cross-product tick per pair or triple
      'compound-cardinality': 2 * compounds,
    });
  });

  it('marks the peak and draws the ingestion limits on the rate chart', () => {
    const svg = charts(page).find((c) => c.id === 'rate-over-time')!.body;
    const at = new Date(BURST_AT * 1000).toISOString().replace('T', ' ').slice(0, 19);
    expect(f.peak1s).toBe(evs.filter((e) => e.timestamp === BURST_AT).length);
    expect(svg).toContain(`peak ${f.peak1s} events/s at ${at}`);
    // Live limits only, one line per distinct capacity; the average line is the overview's figure.
    expect(svg).toContain('Stripe v1 meter events / Stripe v2 meter events: 1,000/s');
    expect(svg).toContain('Stripe v2 meter event stream: 10,000/s');
    expect(svg).toContain('Metronome ingest: 100,000/s');
    expect(svg).not.toContain('test mode');
    expect(svg).toContain(`average ${dec(report.rate.avgEps)}/s over the span`);
  });

  it('builds the hour × weekday table from the series exactly as the input has it', () => {
    const cells = weekHourTable(report)!;
    expect(report.rate.series.bucketSeconds).toBeLessThanOrEqual(3600);
    const brute = new Map<string, number>();
    for (const e of evs) {
      const d = new Date(e.timestamp * 1000);
      const k = `${((d.getUTCDay() + 6) % 7) + 1}-${d.getUTCHours()}`;
      brute.set(k, (brute.get(k) ?? 0) + 1);
    }
    for (const c of cells) expect(c.events, `${c.dayName} ${c.hour}h`).toBe(brute.get(`${c.day}-${c.hour}`) ?? 0);
    expect(cells.reduce((a, c) => a + c.seconds, 0)).toBe(f.spanSeconds);
  });

  it('shows fit verdicts with a symbol and a word, not colour alone', () => {
    const cells = [...page.matchAll(/<td class="verdict (\w+)"[^>]*>([^<]*)<\/td>/g)];
    expect(cells.length).toBe(report.fit.length);
    for (const [, cls, text] of cells) expect(text).toBe({ fits: '✔ FITS', tight: '▲ TIGHT', exceeds: '✖ EXCEEDS' }[cls]);
  });

  it('has a sortable, filterable properties table with one row per event name × key', () => {
    const table = /<table id="properties-table" class="sortable">([\s\S]*?)<\/table>/.exec(page)![1];
    expect((table.match(/<tr data-event=/g) ?? []).length).toBe(report.properties.length);
    expect(page).toContain('data-filter-table="properties-table"');
  });
});

describe('HTML report of a long span', () => {
  it('charts hour of day and weekday separately when the series buckets exceed an hour', async () => {
    const long: Ev[] = Array.from({ length: 400 }, (_, i) => ({
      identifier: `l${i}`,
      timestamp: 1_709_510_400 + i * 9000,
      event_name: 'job',
      payload: { stripe_customer_id: `cus_${i % 5}`, value: 1 + (i % 3) },
    }));
    const r = await profileFile(writeEvents(long), 'html-long');
    expect(r.rate.series.bucketSeconds).toBeGreaterThan(3600);
    expect(weekHourTable(r)).toBeNull();
    const html = await renderReport(r, 'html');
    const c = charts(html).find((x) => x.id === 'week-hour')!;
    expect(c.body).toContain('these are its two marginals');
    // The marginals are the model's: 24 hour bars and 7 weekday bars, and nothing else.
    expect((c.body.match(/aria-roledescription="bar"/g) ?? []).length).toBe(24 + 7);
    expect(marks(c.body)).toBe(24 + 7);
  });
});

describe('HTML replay report', () => {
  it('shows accounting, latency over time and status counts, with target reasons escaped', async () => {
    const r: ReplayReport = sampleReplayReport();
    const html = await renderReport(r, 'html');
    expect(charts(html).map((c) => c.id)).toEqual(['replay-latency', 'replay-outcomes', 'replay-statuses']);
    expect(r.series.length).toBeLessThanOrEqual(40); // so the latency lines carry a point per second
    expect(r.series.every((s) => s.p50Ms > 0)).toBe(true); // none left out of a log scale
    expect(marksByChart(html)).toEqual({
      'replay-latency': 3 + 3 * r.series.length, // p50, p99 and max lines, a point each per second
      'replay-outcomes': 3 * r.series.length, // acknowledged, rejected and failed per second (stacked)
      'replay-statuses': 2 * r.statuses.length, // a bar and its count per status
    });
    expect(html).toContain('✔ acknowledged + rejected + failed = sent');
    expect(html.includes(HOSTILE.short)).toBe(false);
    expect(html.includes('&lt;img src=x onerror=__pwned=6&gt;')).toBe(true);
    const t = r.totals;
    expect(html).toMatch(new RegExp(`<td class="num" data-sort="${t.acknowledged}">`));
  });
});

describe('format names', () => {
  it('accepts text, json, md, html (and markdown) and refuses others with one sentence', () => {
    expect(parseReportFormat('markdown')).toBe('md');
    expect(parseReportFormat('HTML')).toBe('html');
    expect(() => parseReportFormat('pdf')).toThrow('the report format must be one of text, json, md, html, got "pdf"');
  });
});
