/**
 * The advice on the shipped example and on a real-looking web-server log turned into meter events:
 * near-constant keys (method, agent, HTTP version) are never priced by, identifiers never grouped by,
 * every draft bills what it says, the hourly batch shows as idle time on the chart, and the Markdown
 * answers state only numbers their figures hold.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/helpers.js';
import { profileFile, writeEvents, type Ev } from './support/report-support.js';
import { webLog } from './support/advice-logs.js';
import { unexplainedNumbers } from './support/answers-check.js';
import type { ProfileReport } from '../src/profile/model.js';
import { meteringAnswers } from '../src/report/answers.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { rateOverTime } from '../src/report/charts/rates.js';
import { requestProblems } from '../src/advice/drafts.js';
import { upgradeProfileReport } from '../src/profile/upgrade.js';
import { renderReport } from '../src/report/index.js';

let web: Ev[];
let webReport: ProfileReport;
let example: ProfileReport;

beforeAll(async () => {
  web = webLog();
  webReport = await profileFile(writeEvents(web), 'web1');
  example = await profileFile(path.join(ROOT, 'examples', 'stripe-meter-events.jsonl.gz'), 'example1');
}, 180_000);

describe('a web-server log', () => {
  it('near-constant keys are flagged and never in a group key; identifiers and growing keys are never grouped', () => {
    const verdict = (k: string) => webReport.advice.scores.find((s) => s.key === k)!.verdict;
    const share = (k: string, v: string) => web.filter((e) => e.payload[k] === v).length / web.length;
    expect(share('method', 'GET')).toBeGreaterThanOrEqual(0.95);
    expect(share('agent', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0')).toBeGreaterThanOrEqual(0.95);
    expect(share('http', 'HTTP/1.1')).toBeGreaterThanOrEqual(0.95);
    for (const k of ['method', 'agent', 'http']) expect(verdict(k), k).toBe('near-constant');
    for (const k of ['path', 'client_ip']) expect(['grows with usage', 'identifier-like', 'too many values'], k).toContain(verdict(k));
    const keys = webReport.advice.drafts.flatMap((d) => d.request.group_keys?.flat() ?? []);
    for (const k of ['method', 'agent', 'http', 'path', 'client_ip']) expect(keys, k).not.toContain(k);
    const reason = webReport.advice.scores.find((s) => s.key === 'method')!.reason;
    expect(reason).toMatch(/top value "GET" in >99\.9%|top value "GET" in 99\.\d%/);
  });

  it('the hourly batch shows as idle time: zero buckets on the chart, the average line is the overview figure', () => {
    const { series, avgEps } = webReport.rate;
    expect(series.points.filter((p) => p.events === 0).length).toBeGreaterThan(0);
    expect(series.points.reduce((a, p) => a + p.events, 0)).toBe(web.length);
    const spec = rateOverTime(webReport).spec as { layer: { data: { values: { eps: number; label?: string }[] } }[] };
    const average = spec.layer.find((l) => l.data.values.length === 1 && l.data.values[0].label?.startsWith('average'))!;
    expect(average.data.values[0].eps).toBe(avgEps);
    const span = Math.max(...web.map((e) => e.timestamp)) - Math.min(...web.map((e) => e.timestamp)) + 1;
    expect(avgEps).toBeCloseTo(web.length / span, 12);
  });

  it('the Markdown answers are internally consistent', () => {
    expect(unexplainedNumbers(meteringAnswers(webReport))).toEqual([]);
    for (const d of webReport.advice.drafts) expect(requestProblems(d.request)).toEqual([]);
    expect(renderMarkdown(webReport)).not.toMatch(/good pricing key/);
  });
});

describe('the shipped example', () => {
  it('drafts bill every event (no key below 99.9 % presence is a group key) and never group by user_id', () => {
    for (const d of example.advice.drafts) {
      expect(d.billed, d.eventName).toMatchObject({ eventsShare: 1, valueShare: 1 });
      expect(d.request.group_keys?.flat() ?? []).not.toContain('user_id');
      expect(d.request.group_keys?.flat() ?? []).not.toContain('model');
      expect(requestProblems(d.request)).toEqual([]);
    }
    const model = example.advice.plans[0].rows.find((r) => r.dimension.join() === 'model')!;
    expect(model.inGroupKeys).toBe(false);
    expect(model.dropped!.eventsShare).toBeCloseTo(0.2, 1);
  });

  it('the Markdown answers are internally consistent and say nothing about keys a Stripe meter "needs"', () => {
    expect(unexplainedNumbers(meteringAnswers(example))).toEqual([]);
    const md = renderMarkdown(example);
    expect(md).not.toMatch(/need(s)? more than Stripe/);
    expect(md).toContain('Stripe v2 meter event stream: also published as 100,000 events/s');
  });
});

describe('a report stored as schema version 1', () => {
  it('is upgraded when read: the old design gives way to advice planned from what it measured, and every format renders', async () => {
    const { advice: _a, keyUsage: _k, filterCoverage: _f, cutover: _c, ...rest } = example;
    const v1 = {
      ...rest,
      schemaVersion: 1,
      dimensionCandidates: example.dimensionCandidates.map((d) => ({ ...d, design: { pricingKeys: ['model'], presentationKeys: ['user_id'] } })),
      fit: example.fit
        .slice(0, 3)
        .map(({ mode: _m, customerMeter: _cm, ...f }) => ({ ...f, limits: { ...f.limits, alsoPublished: undefined, concurrentCallsPerCustomerMeter: undefined } })),
    } as unknown as ProfileReport;
    const r = upgradeProfileReport(v1);
    expect(r.schemaVersion).toBe(2);
    expect(r.dimensionCandidates.every((d) => !('design' in d))).toBe(true);
    expect(r.fit.map((f) => [f.mode, f.customerMeter, f.limits.alsoPublished])).toEqual([
      ['live', null, []],
      ['live', null, []],
      ['live', null, []],
    ]);
    // Planned from the properties alone: the same group keys, billed shares not measured.
    expect(r.advice.drafts.map((d) => d.request.group_keys)).toEqual(example.advice.drafts.map((d) => d.request.group_keys));
    expect(r.advice.drafts.every((d) => d.billed === null)).toBe(true);
    for (const format of ['text', 'md', 'html', 'json'] as const) expect((await renderReport(r, format)).length, format).toBeGreaterThan(1000);
  });
});
