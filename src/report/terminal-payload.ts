/** The payload sections of the terminal report: dimension candidates and properties per event name. */
import type { ProfileReport, PropertyProfile } from '../profile/model.js';
import { dec, int, pct, plural } from './format.js';
import { cut, indent, safe, wrap } from './terminal-parts.js';
import { table } from './text-table.js';
import { adviceOf } from '../advice/index.js';

const MAX_PROPERTIES_PER_NAME = 25;
const MAX_CANDIDATES_PER_NAME = 8;

export function candidates(r: ProfileReport, w: number, out: string[]): void {
  const advice = adviceOf(r);
  out.push('DIMENSION CANDIDATES (score: how good to price by)');
  for (const d of r.dimensionCandidates) {
    out.push(cut(`  ${safe(d.eventName, 60)} (${plural(d.events, 'event')})`, w));
    if (d.candidates.length === 0) {
      out.push(wrap('no low-cardinality payload keys: nothing to price by', w, 4, 2));
    } else {
      const t = table([
        { head: 'keys', shrink: 'wrap', min: 12, want: 16 },
        { head: 'values', align: 'right' },
        { head: 'present', align: 'right' },
        { head: 'score', align: 'right', drop: 1 },
        { head: 'why', shrink: 'wrap', min: 16, want: 30 },
      ]);
      for (const c of d.candidates.slice(0, MAX_CANDIDATES_PER_NAME)) {
        t.push([safe(c.keys.join(' + '), 200), int(c.combinations), pct(c.presence), c.score.toFixed(2), safe(c.reason, 400)]);
      }
      out.push(indent(t.render(w - 4), 4));
      if (d.candidates.length > MAX_CANDIDATES_PER_NAME) out.push(`    … ${int(d.candidates.length - MAX_CANDIDATES_PER_NAME)} more (see --json)`);
    }
    const plan = advice.plans.find((p) => p.eventName === d.eventName);
    const draft = advice.drafts.find((x) => x.eventName === d.eventName);
    if (plan) {
      const keys = plan.groupKeys.length ? plan.groupKeys.map((g) => `[${g.join(', ')}]`).join(' ') : 'none';
      const billed = draft?.billed ? `; the draft bills ${int(draft.billed.events)} of ${int(draft.events)} events (${pct(draft.billed.eventsShare)})` : '';
      out.push(wrap(safe(`group keys: ${keys} (${plan.source === 'stripe-meter' ? 'from the Stripe meter' : 'candidates'})${billed}`, 400), w, 4, 2));
    }
  }
  out.push('');
}

export function properties(r: ProfileReport, w: number, out: string[]): void {
  out.push('PROPERTIES (payload keys per event name)');
  const byName = new Map<string, PropertyProfile[]>();
  for (const p of r.properties) byName.set(p.eventName, [...(byName.get(p.eventName) ?? []), p]);
  if (byName.size === 0) out.push('  no payload keys');
  for (const [name, props] of byName) {
    out.push(cut(`  ${safe(name, 60)}`, w));
    const t = table([
      { head: 'key', shrink: 'cut', min: 12, want: 18, max: 30 },
      { head: 'class', shrink: 'wrap', min: 9, want: 15 },
      { head: 'present', align: 'right', drop: 1 },
      { head: 'distinct', align: 'right' },
      { head: 'types', shrink: 'wrap', min: 6, drop: 2 },
      { head: 'values', shrink: 'wrap', min: 14, want: 20 },
    ]);
    for (const p of props.slice(0, MAX_PROPERTIES_PER_NAME)) {
      const role = p.role ? ` (${p.role})` : '';
      t.push([safe(p.key, 200), `${p.class}${role}`, pct(p.presence), `${p.distinctExact ? '' : '≈'}${int(p.distinct)}`, typesText(p), valuesText(p)]);
    }
    out.push(indent(t.render(w - 4), 4));
    if (props.length > MAX_PROPERTIES_PER_NAME) out.push(`    … ${int(props.length - MAX_PROPERTIES_PER_NAME)} more keys (see --json)`);
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
