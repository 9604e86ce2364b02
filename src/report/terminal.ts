/**
 * Plain-text rendering of the report model for a terminal, laid out for its width, top-down in the
 * order a reader needs it: volume, rates, fit verdicts, dimension candidates, properties, problems.
 * Payload values are untrusted: control characters (terminal escapes) are replaced before printing.
 */
import type { FitResult, ProfileReport } from '../profile/model.js';
import { dec, duration, int, pct, plural, when, windowFits } from './format.js';
import { cut, DEFAULT_WIDTH, field, indent, safe, sparkline, wrap, type TextLayout } from './terminal-parts.js';
import { table } from './text-table.js';
import { candidates, properties } from './terminal-payload.js';
import { problems } from './terminal-problems.js';
import { fitNotes } from './fit-notes.js';
import { sampleSection } from './terminal-sample.js';
import { SAMPLE_FIT_NOTE, inconclusiveNotes, sampleRatesNote, shownVerdict } from './sample-text.js';

const MAX_EVENT_NAMES = 20;

/** `title` names the command in the first line (a tail's final report is a profile of what it read). */
export function renderTerminal(r: ProfileReport, layout: TextLayout = { width: DEFAULT_WIDTH }, title = 'profile'): string {
  const w = layout.width;
  const out: string[] = [];
  out.push(cut(`meterscope ${title} · run ${safe(r.runId, 40)}`, w));
  out.push(safe(`store: ${r.store}`, w));
  out.push('');
  sampleSection(r, w, out);
  volume(r, w, out);
  if (r.events.total > 0) {
    rates(r, w, out);
    fit(r, w, out);
    candidates(r, w, out);
    properties(r, w, out);
  }
  problems(r, w, out);
  return `${out.join('\n')}\n`;
}

function volume(r: ProfileReport, w: number, out: string[]): void {
  out.push('VOLUME');
  out.push(field('events', `${int(r.events.total)} accepted, ${int(r.events.rejected)} rejected`, w));
  if (r.events.first) {
    out.push(field('span', `${when(r.events.first)} → ${when(r.events.last)} UTC (${duration(r.rate.spanSeconds)})`, w));
    out.push(field('names', `${plural(r.eventNames.length, 'event name')}; customers ${int(r.customers.distinct)} distinct (${safe(r.customers.key, 40)})`, w));
  }
  for (const s of r.sources) {
    out.push(field('source', safe(`${s.source} (${s.format}): ${plural(s.events, 'event')}, ${plural(s.rejects, 'reject')}, ${dec(s.seconds)} s`, 400), w));
  }
  const t = r.time;
  // Neither API needs events in time order: worth knowing (charts, windows), not a problem.
  if (r.events.total > 0 && t.outOfOrder) {
    out.push(
      field(
        'file order',
        `${plural(t.outOfOrder, 'event')} (${pct(t.outOfOrderShare)}) earlier than a line before them, up to ${duration(t.maxBackwardsSeconds)} back; neither API needs time order`,
        w,
      ),
    );
  }
  out.push('');
}

function rates(r: ProfileReport, w: number, out: string[]): void {
  const rt = r.rate;
  out.push('RATES (events per second; windows slide, UTC)');
  const note = sampleRatesNote(r);
  if (note) out.push(wrap(note, w, 2, 2));
  out.push(field('average', `${dec(rt.avgEps)} over ${int(rt.spanSeconds)} s (${int(rt.activeSeconds)} with events)`, w));
  for (const win of ['1s', '10s', '60s'] as const) {
    const p = rt.peak[win];
    const text = windowFits(rt.spanSeconds, win)
      ? `${dec(p.eps).padEnd(10)} ${plural(p.events, 'event')} from ${when(p.at)}`
      : `n/a (the run spans ${duration(rt.spanSeconds)})`;
    out.push(field(`peak ${win}`, text, w));
  }
  const q = rt.percentiles;
  out.push(field('per second', `p50 ${int(q.p50)} · p90 ${int(q.p90)} · p99 ${int(q.p99)} · p99.9 ${int(q.p999)} · max ${int(q.max)} (empty seconds count)`, w));
  out.push(field('burst', `peak 1 s is ${rt.burstFactor === null ? '-' : `${dec(rt.burstFactor)}×`} the average`, w));
  out.push(
    field(
      'hour of day',
      `|${sparkline(rt.hourOfDay.map((h) => h.events))}|  00…23 UTC, busiest ${String(busiest(rt.hourOfDay.map((h) => h.events))).padStart(2, '0')}h`,
      w,
    ),
  );
  out.push(field('day of week', rt.dayOfWeek.map((d) => `${d.name} ${pct(d.share)}`).join(' · '), w));
  out.push('');

  const names = table([
    { head: 'event name', shrink: 'cut', min: 12, want: 20, max: 40 },
    { head: 'events', align: 'right' },
    { head: 'share', align: 'right', drop: 2 },
    { head: 'avg/s', align: 'right', drop: 3 },
    { head: 'peak 1s', align: 'right' },
    { head: 'peak at (UTC)', drop: 1 },
  ]);
  for (const n of r.eventNames.slice(0, MAX_EVENT_NAMES)) names.push([safe(n.name, 200), int(n.count), pct(n.share), dec(n.avgEps), int(n.peak1s), when(n.peak1sAt)]);
  out.push(indent(names.render(w - 2)));
  if (r.eventNames.length > MAX_EVENT_NAMES) out.push(cut(`  … and ${int(r.eventNames.length - MAX_EVENT_NAMES)} more event names (see --json)`, w));
  out.push('');

  if (r.customers.top.length) {
    const c = table([
      { head: `top customers (${int(r.customers.distinct)} distinct)`, shrink: 'cut', min: 14, want: 20, max: 40 },
      { head: 'events', align: 'right' },
      { head: 'share', align: 'right', drop: 2 },
      { head: 'peak 1s', align: 'right' },
      { head: 'peak at (UTC)', drop: 1 },
    ]);
    for (const t of r.customers.top) c.push([safe(t.customer, 200), int(t.count), pct(t.share), int(t.peak1s), when(t.peak1sAt)]);
    out.push(indent(c.render(w - 2)));
    out.push('');
  }
}

function busiest(values: number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}

function fit(r: ProfileReport, w: number, out: string[]): void {
  const basis = r.sample ? 'the sample: ' : '';
  out.push(cut(`FIT (${basis}peak 1 s = ${int(r.rate.peak['1s'].events)} events/s, average ${dec(r.rate.avgEps)} events/s)`, w));
  if (r.sample) out.push(wrap(SAMPLE_FIT_NOTE, w, 2, 2));
  const t = table([
    { head: 'path' },
    { head: 'limit', shrink: 'wrap', min: 10, want: 12 },
    { head: 'need avg → peak', shrink: 'wrap', min: 10, want: 12 },
    { head: 'use', align: 'right', drop: 1 },
    { head: 'headroom', align: 'right', drop: 3 },
    { head: 's over', align: 'right', drop: 2 },
    { head: 'verdict' },
  ]);
  for (const f of r.fit) {
    t.push([
      f.path,
      limitText(f),
      needText(f),
      pct(f.utilization),
      f.headroom === null ? '-' : `${dec(f.headroom)}×`,
      int(f.secondsOverLimit),
      shownVerdict(r, f).toUpperCase(),
    ]);
  }
  out.push(indent(t.render(w - 2)));
  for (const f of r.fit) {
    out.push(wrap(safe(`${f.path}: ${f.advice.text}${f.growthFactor !== null ? `; verdict holds up to ${dec(f.growthFactor)}× growth` : ''}`, 600), w, 4, 2));
  }
  for (const n of [...inconclusiveNotes(r), ...fitNotes(r)]) out.push(wrap(safe(n, 600), w, 4, 2));
  out.push('');
}

function limitText(f: FitResult): string {
  const parts: string[] = [];
  if (f.limits.requestsPerSecond !== null) parts.push(`${int(f.limits.requestsPerSecond)} req/s`);
  if (f.limits.eventsPerSecond !== null && !(f.limits.maxEventsPerRequest === 1 && f.limits.requestsPerSecond === f.limits.eventsPerSecond)) {
    parts.push(`${int(f.limits.eventsPerSecond)} ev/s`);
  }
  return parts.join(', ');
}

function needText(f: FitResult): string {
  return `${dec(f.need.avgRequestsPerSecond)} → ${int(f.need.peakRequestsPerSecond)} req/s`;
}
