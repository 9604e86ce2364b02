/**
 * The Markdown questionnaire answers, checked against numbers computed in plain JS from the generated
 * input (not against the profile code), and the Markdown's safety: rendered through a real Markdown
 * renderer (marked), no payload text becomes an element, a link or a table cell of its own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { marked } from 'marked';
import { facts, generateEvents, HOSTILE, profileFile, writeEvents, type Ev } from './support/report-support.js';
import type { ProfileReport } from '../src/profile/model.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { meteringAnswers, type MeteringAnswer } from '../src/report/answers.js';
import { dec, int, pct } from '../src/report/format.js';

let evs: Ev[];
let f: ReturnType<typeof facts>;
let report: ProfileReport;
let md: string;
let answers: MeteringAnswer[];

/** The "**Answer:** …" line under the question whose heading contains `q`. */
function answerOf(q: string): string {
  const at = md.indexOf(q);
  expect(at, `question "${q}" in the Markdown`).toBeGreaterThan(0);
  const m = /\*\*Answer:\*\* (.*)/.exec(md.slice(at));
  expect(m).not.toBeNull();
  return m![1];
}

const n = (s: string) => Number(s.replace(/,/g, ''));

beforeAll(async () => {
  evs = generateEvents();
  f = facts(evs);
  report = await profileFile(writeEvents(evs), 'md1');
  md = renderMarkdown(report);
  answers = meteringAnswers(report);
}, 120_000);

describe('Markdown metering answers', () => {
  it('answers every Metering question, each with evidence', () => {
    const questions = [...md.matchAll(/^### \d+\. (.*)$/gm)].map((m) => m[1]);
    expect(questions.length).toBe(9);
    for (const a of answers) expect(a.evidence.length, a.id).toBeGreaterThan(0);
    expect(md).toContain('## Billable-metric drafts');
  });

  it('counts event names (meters) as the input has them', () => {
    const a = answerOf('How many meters');
    expect(n(/^([\d,]+) event names in the log/.exec(a)![1])).toBe(f.names.size);
    for (const [name, count] of f.names) {
      if (name === HOSTILE.name) continue;
      expect(md).toContain(`\`${name}\`: ${int(count)} events`);
    }
  });

  it('states the average and peak events/s of the input', () => {
    const a = answerOf('event volume');
    const m = /^Average ([\d.,]+) events\/s; peak ([\d,]+) events\/s in one second/.exec(a)!;
    expect(m).not.toBeNull();
    expect(m[1]).toBe(dec(f.avgEps));
    expect(n(m[2])).toBe(f.peak1s);
    expect(md).toContain(`average = ${int(f.total)} ÷ ${int(f.spanSeconds)} s`);
    const per30 = n(/about ([\d,]+) events per 30 days/.exec(a)![1]);
    expect(Math.abs(per30 - (f.total / f.spanSeconds) * 30 * 86_400)).toBeLessThanOrEqual(1);
  });

  it('names the customer key with the distinct customers and the events without one', () => {
    const a = answerOf('attributed to customers');
    const m = /: ([\d,]+) distinct customers, ([\d,]+) events without one/.exec(a)!;
    expect(n(m[1])).toBe(f.customers);
    expect(n(m[2])).toBe(f.withoutCustomer);
    expect(a).toContain('`user_id`');
  });

  it('reports identifier coverage and 24 h duplicates', () => {
    const a = answerOf('idempotency key');
    const m = /^([\d,]+) events of ([\d,]+) carry an identifier.*\(([\d,]+) within Stripe's 24 h\)/.exec(a)!;
    expect(n(m[1])).toBe(f.total - f.withoutIdentifier);
    expect(n(m[2])).toBe(f.total);
    expect(n(m[3])).toBe(f.dup24h);
  });

  it('says which pricing keys are in the payloads, with their measured presence', () => {
    answerOf('dimensional pricing');
    for (const d of report.dimensionCandidates) {
      for (const k of d.design.pricingKeys) {
        const present = f.names.get(d.eventName)! - f.lacking(d.eventName, k);
        const line = `\`${k}\` ${int(f.distinct(d.eventName, k))} values in ${pct(present / f.names.get(d.eventName)!)} of events`;
        expect(md, line).toContain(line);
      }
    }
    // login.method is missing in ~10 % of login events: not every pricing key is in every event.
    expect(f.lacking('login', 'method')).toBeGreaterThan(0);
    const a = answerOf('dimensional pricing');
    const m = /^([\d,]+) event names of ([\d,]+) already carry.*in ([\d,]+) of them every pricing key/.exec(a)!;
    const withKeys = report.dimensionCandidates.filter((d) => d.design.pricingKeys.length > 0);
    const full = withKeys.filter((d) => d.design.pricingKeys.every((k) => f.lacking(d.eventName, k) === 0));
    expect([n(m[1]), n(m[2]), n(m[3])]).toEqual([withKeys.length, f.names.size, full.length]);
  });

  it('lists the metadata keys beyond customer, value and dimension keys', () => {
    const expected = new Set<string>();
    for (const [name] of f.names) {
      const design = report.dimensionCandidates.find((d) => d.eventName === name)!.design;
      for (const k of f.keys(name)) if (!['stripe_customer_id', 'value', ...design.pricingKeys, ...design.presentationKeys].includes(k)) expected.add(k);
    }
    const a = answerOf('additional metadata');
    expect(n(/^([\d,]+) payload keys/.exec(a)![1])).toBe(expected.size);
    expect(expected.has('request_id')).toBe(true);
    expect(a).toContain('`request_id`');
  });

  it('reads the ingest format and the fit verdicts', () => {
    const a = answerOf('ingested today');
    expect(a).toContain('Stripe meter events as JSON objects');
    expect(a).toMatch(/^.*3 of 3 ingestion paths fit/);
    // Peak of the input against Stripe v1's 1,000 calls/s, computed here.
    expect(md).toContain(`Stripe v1 meter events (POST /v1/billing/meter\\_events): ✔ fits, peak need ${pct(f.peak1s / 1000)} of the limit`);
  });
});

describe('Markdown safety', () => {
  it('renders hostile payload values, keys and names as text, never as HTML or links', async () => {
    const htmlOut = await marked.parse(md, { gfm: true });
    expect(htmlOut).not.toMatch(/<(img|script|svg|b)\b/i);
    expect(htmlOut).not.toMatch(/href="javascript/i);
    expect(htmlOut).not.toMatch(/<[^>]+\s(onerror|onload)=/i);
    // …but the text is still there to read.
    expect(htmlOut).toContain('&lt;img src=x onerror=');
    expect(htmlOut).toContain('&lt;svg onload=');
    // A pipe in a value does not add a column: every row of the payload-keys table has 7 cells.
    const table = md.slice(md.indexOf('## Payload keys'), md.indexOf('## Problems found'));
    for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      expect(cells, line).toBe(7);
    }
  });
});
