/**
 * Plain-text rendering of the report model for a terminal: at most 100 columns, top-down in the
 * order a reader needs it: volume, rates, fit verdicts, dimension candidates, properties, problems.
 * Payload values are untrusted: control characters (terminal escapes) are replaced before printing.
 */
import type { FitResult, ProfileReport, PropertyProfile } from '../profile/model.js';
import { dec, duration, int, pct, plural, when } from './format.js';
import { adviceOf } from '../advice/index.js';
import { cutoverRows, fitNotes } from './fit-notes.js';
import { indent, safe, sparkline, table, TERMINAL_WIDTH } from './terminal-parts.js';

const MAX_PROPERTIES_PER_NAME = 25;
const MAX_CANDIDATES_PER_NAME = 8;

// ---- sections ------------------------------------------------------------------------------------

export function renderTerminal(r: ProfileReport): string {
  const out: string[] = [];
  out.push(`meterscope profile · run ${safe(r.runId, 40)}`);
  out.push(safe(`store: ${r.store}`, TERMINAL_WIDTH));
  out.push('');
  volume(r, out);
  if (r.events.total > 0) {
    rates(r, out);
    fit(r, out);
    candidates(r, out);
    properties(r, out);
  }
  problems(r, out);
  return `${out.join('\n')}\n`;
}

function volume(r: ProfileReport, out: string[]): void {
  out.push('VOLUME');
  out.push(`  events       ${int(r.events.total)} accepted, ${int(r.events.rejected)} rejected`);
  if (r.events.first) {
    out.push(`  span         ${when(r.events.first)} → ${when(r.events.last)} UTC (${duration(r.rate.spanSeconds)})`);
    out.push(
      `  names        ${int(r.eventNames.length)} event name${r.eventNames.length === 1 ? '' : 's'}; ` +
        `customers ${int(r.customers.distinct)} distinct (${safe(r.customers.key, 30)})`,
    );
  }
  for (const s of r.sources) {
    out.push(safe(`  source       ${s.source} (${s.format}): ${plural(s.events, 'event')}, ${plural(s.rejects, 'reject')}, ${dec(s.seconds)} s`, TERMINAL_WIDTH));
  }
  out.push('');
}

function rates(r: ProfileReport, out: string[]): void {
  const rt = r.rate;
  out.push('RATES (events per second; windows slide, UTC)');
  out.push(`  average      ${dec(rt.avgEps)} over ${int(rt.spanSeconds)} s (${int(rt.activeSeconds)} with events)`);
  for (const w of ['1s', '10s', '60s'] as const) {
    const p = rt.peak[w];
    out.push(`  peak ${w.padEnd(4)}    ${dec(p.eps).padEnd(10)} ${plural(p.events, 'event')} from ${when(p.at)}`);
  }
  const q = rt.percentiles;
  out.push(`  per second   p50 ${int(q.p50)} · p90 ${int(q.p90)} · p99 ${int(q.p99)} · p99.9 ${int(q.p999)} · max ${int(q.max)} (empty seconds count)`);
  out.push(`  burst        peak 1 s is ${rt.burstFactor === null ? '-' : `${dec(rt.burstFactor)}×`} the average`);
  out.push(`  hour of day  |${sparkline(rt.hourOfDay.map((h) => h.events))}|  00…23 UTC, busiest ${String(busiest(rt.hourOfDay.map((h) => h.events))).padStart(2, '0')}h`);
  out.push(`  day of week  ${rt.dayOfWeek.map((d) => `${d.name} ${pct(d.share)}`).join(' · ')}`);
  out.push('');

  const names = table(['event name', 'events', 'share', 'avg/s', 'peak 1s', 'peak at (UTC)'], { widths: [29, 12, 7, 9, 9, 21], aligns: ['left', 'right', 'right', 'right', 'right', 'left'] });
  for (const n of r.eventNames.slice(0, 20)) names.push([safe(n.name, 27), int(n.count), pct(n.share), dec(n.avgEps), int(n.peak1s), when(n.peak1sAt)]);
  out.push(indent(names.toString()));
  if (r.eventNames.length > 20) out.push(`  … and ${int(r.eventNames.length - 20)} more event names (see --json)`);
  out.push('');

  if (r.customers.top.length) {
    const c = table([`top customers (${int(r.customers.distinct)} distinct)`, 'events', 'share', 'peak 1s', 'peak at (UTC)'], { widths: [36, 12, 8, 9, 21], aligns: ['left', 'right', 'right', 'right', 'left'] });
    for (const t of r.customers.top) c.push([safe(t.customer, 34), int(t.count), pct(t.share), int(t.peak1s), when(t.peak1sAt)]);
    out.push(indent(c.toString()));
    out.push('');
  }
}

function busiest(values: number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}

function fit(r: ProfileReport, out: string[]): void {
  out.push(`FIT (peak 1 s = ${int(r.rate.peak['1s'].events)} events/s, average ${dec(r.rate.avgEps)} events/s)`);
  const t = table(['path', 'limit', 'need avg → peak', 'use', 'headroom', 's over', 'verdict'], { widths: [24, 17, 16, 7, 9, 8, 9], aligns: ['left', 'left', 'left', 'right', 'right', 'right', 'left'] });
  for (const f of r.fit) {
    t.push([f.path, limitText(f), needText(f), pct(f.utilization), f.headroom === null ? '-' : `${dec(f.headroom)}×`, int(f.secondsOverLimit), f.verdict.toUpperCase()]);
  }
  out.push(indent(t.toString()));
  for (const f of r.fit) {
    out.push(wrap(safe(`${f.path}: ${f.advice.text}${f.growthFactor !== null ? `; verdict holds up to ${dec(f.growthFactor)}× growth` : ''}`, 600), 4, 2));
  }
  for (const n of fitNotes(r)) out.push(wrap(safe(n, 600), 4, 2));
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

function candidates(r: ProfileReport, out: string[]): void {
  const advice = adviceOf(r);
  out.push('DIMENSION CANDIDATES (score: how good to price by)');
  for (const d of r.dimensionCandidates) {
    out.push(`  ${safe(d.eventName, 60)} (${plural(d.events, 'event')})`);
    if (d.candidates.length === 0) {
      out.push('    no low-cardinality payload keys: nothing to price by');
    } else {
      const t = table(['keys', 'values', 'present', 'score', 'why'], { widths: [26, 9, 9, 7, 39], aligns: ['left', 'right', 'right', 'right', 'left'] });
      for (const c of d.candidates.slice(0, MAX_CANDIDATES_PER_NAME)) {
        t.push([safe(c.keys.join(' + '), 24), int(c.combinations), pct(c.presence), c.score.toFixed(2), safe(c.reason, 200)]);
      }
      out.push(indent(t.toString(), 4));
      if (d.candidates.length > MAX_CANDIDATES_PER_NAME) out.push(`    … ${d.candidates.length - MAX_CANDIDATES_PER_NAME} more (see --json)`);
    }
    const plan = advice.plans.find((p) => p.eventName === d.eventName);
    const draft = advice.drafts.find((x) => x.eventName === d.eventName);
    if (plan) {
      const keys = plan.groupKeys.length ? plan.groupKeys.map((g) => `[${g.join(', ')}]`).join(' ') : 'none';
      const billed = draft?.billed ? `; the draft bills ${int(draft.billed.events)} of ${int(draft.events)} events (${pct(draft.billed.eventsShare)})` : '';
      out.push(wrap(safe(`group keys: ${keys} (${plan.source === 'stripe-meter' ? 'from the Stripe meter' : 'candidates'})${billed}`, 400), 4, 2));
    }
  }
  out.push('');
}

function properties(r: ProfileReport, out: string[]): void {
  out.push('PROPERTIES (payload keys per event name)');
  const byName = new Map<string, PropertyProfile[]>();
  for (const p of r.properties) byName.set(p.eventName, [...(byName.get(p.eventName) ?? []), p]);
  if (byName.size === 0) out.push('  no payload keys');
  for (const [name, props] of byName) {
    out.push(`  ${safe(name, 60)}`);
    const t = table(['key', 'class', 'present', 'distinct', 'types', 'values'], { widths: [20, 17, 9, 10, 10, 23], aligns: ['left', 'left', 'right', 'right', 'left', 'left'] });
    for (const p of props.slice(0, MAX_PROPERTIES_PER_NAME)) {
      const role = p.role ? ` (${p.role})` : '';
      t.push([
        safe(p.key, 18),
        `${p.class}${role}`,
        pct(p.presence),
        `${p.distinctExact ? '' : '≈'}${int(p.distinct)}`,
        typesText(p),
        valuesText(p),
      ]);
    }
    out.push(indent(t.toString(), 4));
    if (props.length > MAX_PROPERTIES_PER_NAME) out.push(`    … ${props.length - MAX_PROPERTIES_PER_NAME} more keys (see --json)`);
  }
  out.push('');
}

function typesText(p: PropertyProfile): string {
  const entries = Object.entries(p.types).filter(([, n]) => n > 0);
  if (entries.length === 1) return entries[0][0];
  return entries.map(([t, n]) => `${t} ${pct(n / p.present)}`).join(' ');
}

function valuesText(p: PropertyProfile): string {
  if (p.numeric && (p.class === 'measure' || p.numericShare >= 0.95) && p.distinct > 10) {
    const n = p.numeric;
    return `${dec(n.min)}…${dec(n.max)} p50 ${dec(n.p50)} p99 ${dec(n.p99)}`;
  }
  return p.topValues
    .slice(0, 3)
    .map((t) => `${safe(t.value, 16)} ${pct(t.share)}`)
    .join(', ');
}

function problems(r: ProfileReport, out: string[]): void {
  const lines: string[] = [];
  if (r.rejects.total > 0) {
    lines.push(`rejected: ${plural(r.rejects.total, 'line')} (kept in the rejects table)`);
    for (const b of r.rejects.byReason.slice(0, 8)) lines.push(`  ${int(b.count).padStart(10)}  ${safe(b.reason, 80)}`);
    for (const e of r.rejects.examples) lines.push(safe(`  ${e.source}:${e.line}: ${e.reason}: ${e.raw}`, TERMINAL_WIDTH - 2));
  }
  if (r.events.total > 0) {
    const id = r.identity;
    const t = r.time;
    if (id.withoutIdentifier) lines.push(`no identifier: ${plural(id.withoutIdentifier, 'event')} (Stripe generates one; Metronome needs a transaction_id)`);
    if (id.duplicates24h || id.duplicates34d) {
      lines.push(`duplicate identifiers: ${int(id.duplicates24h)} within 24 h (Stripe rejects), ${int(id.duplicates34d)} within 34 days (Metronome drops); ${plural(id.reusedIdentifiers, 'identifier')} reused`);
      for (const e of [...id.examples24h.slice(0, 3), ...id.examples34d.slice(0, 2)]) {
        lines.push(safe(`  ${e.identifier}: ${e.first.source.split('/').pop()}:${e.first.line} then :${e.duplicate.line}, ${duration(e.gapSeconds)} later`, TERMINAL_WIDTH - 2));
      }
    }
    if (t.staleOver35d || t.staleOver34d) {
      lines.push(`old: ${int(t.staleOver35d)} events > 35 days before ${when(t.asOf)} (Stripe rejects), ${int(t.staleOver34d)} > 34 days (Metronome)`);
    }
    if (t.futureOver5m) lines.push(`future: ${int(t.futureOver5m)} events > 5 min after ${when(t.asOf)} (Stripe rejects); ${int(t.futureOver24h)} > 24 h (Metronome rejects)`);
    if (t.outOfOrder) lines.push(`out of file order: ${int(t.outOfOrder)} events (${pct(t.outOfOrderShare)}), up to ${duration(t.maxBackwardsSeconds)} back`);
    if (r.customers.missing) lines.push(`no customer: ${plural(r.customers.missing, 'event')}`);
    for (const [check, n, meaning] of cutoverRows(r)) if (n > 0) lines.push(`${check}: ${plural(n, 'event')} (${meaning})`);
    if (r.requirements) {
      for (const n of r.requirements.byEventName) {
        if (n.complete === n.events) continue;
        const keys = n.perKey.filter((k) => k.present < n.events).map((k) => `${k.key} ${pct(k.coverage)}`).join(', ');
        lines.push(safe(`missing required keys in ${n.eventName}: ${int(n.events - n.complete)} events (coverage ${keys}); ${int(n.customersMissing)} customers`, TERMINAL_WIDTH - 2));
        const top = n.topCustomersMissing.slice(0, 5).map((c) => `${safe(c.customer, 24)} ${int(c.events)}`).join(', ');
        if (top) lines.push(safe(`  most affected: ${top}`, TERMINAL_WIDTH - 2));
      }
    }
  }
  if (r.events.total === 0) lines.unshift('no events: the input was empty or every record was rejected');
  out.push('PROBLEMS');
  if (lines.length === 0) out.push('  none found');
  else for (const l of lines) out.push([...l].length <= TERMINAL_WIDTH - 2 ? `  ${l}` : wrap(l, 2, 4));
}

/** Word-wraps one logical line to the terminal width: `first` spaces before it, `more` extra on continuations. */
function wrap(text: string, first: number, more: number): string {
  const width = TERMINAL_WIDTH - first;
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const limit = lines.length === 0 ? width : width - more;
    if (cur && [...cur].length + 1 + [...w].length > limit) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines
    .map((l, i) => ' '.repeat(first + (i ? more : 0)) + ([...l].length > TERMINAL_WIDTH - first ? [...l].slice(0, TERMINAL_WIDTH - first - (i ? more : 0) - 1).join('') + '…' : l))
    .join('\n');
}
