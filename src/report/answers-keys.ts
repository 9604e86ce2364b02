/**
 * The questionnaire answers about payload keys: dimensions, attribution below the customer, pricing
 * properties and the remaining metadata — read from the advice section's plans (candidates, never
 * known prices) and the properties. Counts are of distinct keys unless the wording says otherwise.
 */
import type { ProfileReport, PropertyProfile } from '../profile/model.js';
import { STRIPE_METER_DIMENSIONS } from '../fit/limits.js';
import { adviceOf } from '../advice/index.js';
import type { MetricDraft } from '../advice/model.js';
import type { MeteringAnswer } from './answers.js';
import { mdCode, mdText } from './escape.js';
import { dec, int, list, pct, plural } from './format.js';

/** Payload key names that read as a tenant or sub-tenant (workspace, project, user …). */
const ATTRIBUTION_NAME =
  /(^|[_\-.])(tenant|org|organi[sz]ation|account|workspace|team|project|company|customer|user|subscription|app|env|environment)([_\-.]?(id|key|name|slug))?$/i;

const keyList = (keys: string[]) => (keys.length ? keys.map((k) => mdCode(k)).join(', ') : 'none');

export function dimensions(r: ProfileReport): MeteringAnswer {
  const plans = adviceOf(r).plans;
  const withKeys = plans.filter((p) => p.groupKeys.length > 0);
  const maxKeys = Math.max(0, ...plans.map((p) => p.groupKeys.length));
  const fromMeters = plans.filter((p) => p.source === 'stripe-meter');
  const meterDims = (r.stripe?.meters ?? []).filter((m) => m.dimensionKeys.length > 0);
  const stripeLimit = STRIPE_METER_DIMENSIONS.analyticsSegmentDimensions;
  const answer =
    plans.length === 0
      ? 'No events, so no dimensions can be measured.'
      : `${plural(withKeys.length, 'event name')} of ${int(plans.length)} get group keys; at most ${plural(maxKeys, 'group key')} per metric` +
        ` (standalone by default${fromMeters.length ? `; ${plural(fromMeters.length, 'metric')} take${fromMeters.length === 1 ? 's' : ''} the Stripe meter's dimensions` : '; profile candidates, not known prices'}).` +
        (r.stripe
          ? ` Stripe: ${plural(meterDims.length, 'meter')} with dimension_payload_keys; Stripe describes up to ${stripeLimit} segment dimensions per meter for grouping analytics and documents no maximum for dimension_payload_keys.`
          : '');
  return {
    id: 'dimensions',
    question: 'Are dimensions used, and how many per meter?',
    answer,
    evidence: plans.map(
      (p) =>
        `${mdCode(p.eventName)}: group keys ${p.groupKeys.length ? p.groupKeys.map((g) => `[${g.map((k) => mdCode(k)).join(', ')}]`).join(', ') : 'none'} ` +
        `(${p.source === 'stripe-meter' ? 'from the Stripe meter' : 'candidates'}); pricing candidates ${keyList(p.pricingCandidates)} (\`advice.plans\`)`,
    ),
    figures: {
      eventNamesWithGroupKeys: withKeys.length,
      eventNames: plans.length,
      maxGroupKeysPerMetric: maxKeys,
      metricsFromStripeMeters: fromMeters.length,
      stripeMetersWithDimensions: r.stripe ? meterDims.length : null,
      stripeAnalyticsDimensions: stripeLimit,
      ...Object.fromEntries(plans.map((p) => [`groupKeys:${p.eventName}`, p.groupKeys.length])),
    },
  };
}

export function attribution(r: ProfileReport): MeteringAnswer {
  const c = r.customers;
  const sub = new Map<string, { distinct: number; presence: number; names: string[] }>();
  for (const p of r.properties) {
    if (p.role !== null || !(ATTRIBUTION_NAME.test(p.key) || (p.class === 'identifier-like' && p.distinct < p.present / 2))) continue;
    const cur = sub.get(p.key);
    if (cur) {
      cur.distinct = Math.max(cur.distinct, p.distinct);
      cur.presence = Math.min(cur.presence, p.presence);
      cur.names.push(p.eventName);
    } else sub.set(p.key, { distinct: p.distinct, presence: p.presence, names: [p.eventName] });
  }
  const subKeys = [...sub.entries()].sort((a, b) => b[1].presence - a[1].presence || (a[0] < b[0] ? -1 : 1));
  const answer =
    `Customers are attributed by ${mdCode(c.key)}: ${plural(c.distinct, 'distinct customer')}, ${plural(c.missing, 'event')} without one.` +
    (subKeys.length
      ? ` Within a customer, usage can be attributed further by ${list(subKeys.map(([k]) => mdCode(k)))} (candidates; they grow with usage, so a group key on them needs \`--group-key\`).`
      : ' No payload key attributes usage below the customer (no user, project or workspace key).');
  return {
    id: 'attribution',
    question: 'How is usage attributed to customers (multi-tenant attribution keys)?',
    answer,
    evidence: [
      `customer key ${mdCode(c.key)}: ${int(c.distinct)} distinct, ${int(c.missing)} missing; top customer ${c.top[0] ? `${mdText(c.top[0].customer, 60)} with ${pct(c.top[0].share)} of events` : '-'} (\`customers\`)`,
      ...subKeys.map(
        ([k, s]) =>
          `${mdCode(k)}: ${s.names.length > 1 ? 'up to ' : ''}${int(s.distinct)} distinct values, present in ${s.names.length > 1 ? 'at least ' : ''}${pct(s.presence)} of events of ${list(s.names.map((n) => mdCode(n)))} (\`properties\`)`,
      ),
    ],
    figures: { customerKey: c.key, customers: c.distinct, eventsWithoutCustomer: c.missing, subCustomerKeys: subKeys.map(([k]) => k) },
  };
}

export function pricingProperties(r: ProfileReport): MeteringAnswer {
  if (r.requirements) return required(r);
  const advice = adviceOf(r);
  const rows = advice.plans.map((p) => ({
    name: p.eventName,
    candidates: p.pricingCandidates,
    sparse: advice.scores.filter((s) => s.eventName === p.eventName && s.verdict === 'too sparse'),
  }));
  const withKeys = rows.filter((x) => x.candidates.length);
  const withSparse = rows.filter((x) => x.sparse.length);
  const minPresence = advice.settings.pricingMinPresence;
  return {
    id: 'pricing-properties',
    question: 'Are the properties needed for dimensional pricing already in the payloads?',
    answer:
      rows.length === 0
        ? 'No events.'
        : `${plural(withKeys.length, 'event name')} of ${int(rows.length)} carry candidate pricing keys (in at least ${dec(minPresence * 100)}% of their events, spread over a small fixed set of values)` +
          (withSparse.length
            ? `; ${plural(withSparse.length, 'event name')} also carry keys that would fit but are missing in some events (an exists filter drops those events)`
            : '') +
          '. (Name the keys your price book needs with `profile --require k1,k2` to measure their coverage exactly.)',
    evidence: rows.map(
      (x) =>
        `${mdCode(x.name)}: candidates ${keyList(x.candidates)}` +
        x.sparse
          .map((s) => `; ${mdCode(s.key)} would drop ${int(s.dropped.events)} events (${pct(s.dropped.eventsShare)}) and ${pct(s.dropped.valueShare)} of value`)
          .join('') +
        ' (`advice.scores`)',
    ),
    figures: {
      eventNamesWithCandidates: withKeys.length,
      eventNames: rows.length,
      eventNamesWithSparseKeys: withSparse.length,
      pricingMinPresencePercent: minPresence * 100,
    },
  };
}

function required(r: ProfileReport): MeteringAnswer {
  const req = r.requirements!;
  const complete = req.byEventName.filter((n) => n.complete === n.events);
  const missingEvents = req.byEventName.reduce((a, n) => a + n.events - n.complete, 0);
  return {
    id: 'pricing-properties',
    question: 'Are the properties needed for dimensional pricing already in the payloads?',
    answer:
      `Checked for ${list(req.keys.map((k) => mdCode(k)))}: ${complete.length === req.byEventName.length ? 'yes' : 'partly'} — ` +
      `${plural(complete.length, 'event name')} of ${int(req.byEventName.length)} carry all of them in every event; ${plural(missingEvents, 'event')} lack at least one.`,
    evidence: req.byEventName.map(
      (n) =>
        `${mdCode(n.eventName)}: ${int(n.complete)} of ${int(n.events)} complete (${pct(n.coverage)}); ` +
        n.perKey.map((k) => `${mdCode(k.key)} ${pct(k.coverage)}`).join(', ') +
        (n.customersMissing ? `; ${plural(n.customersMissing, 'customer')} affected` : '') +
        ' (`requirements`)',
    ),
    figures: { required: req.keys, eventNamesComplete: complete.length, eventNames: req.byEventName.length, eventsMissingARequiredKey: missingEvents },
  };
}

export function metadata(r: ProfileReport, drafts: MetricDraft[]): MeteringAnswer {
  const used = new Map(drafts.map((d) => [d.eventName, new Set([d.customerKey, ...(d.request.property_filters ?? []).map((f) => f.name)])]));
  const extra = r.properties.filter((p) => p.role === null && !used.get(p.eventName)?.has(p.key));
  const classes = new Map<string, Set<string>>();
  for (const p of extra) classes.set(p.key, (classes.get(p.key) ?? new Set()).add(p.class));
  const keys = [...classes.keys()];
  const byClass = new Map<string, number>();
  for (const set of classes.values()) {
    const c = set.size === 1 ? [...set][0] : 'mixed class';
    byClass.set(c, (byClass.get(c) ?? 0) + 1);
  }
  const evidence = extra
    .slice(0, 40)
    .map(
      (p: PropertyProfile) =>
        `${mdCode(p.eventName)} · ${mdCode(p.key)}: ${p.class}, ${p.distinctExact ? '' : '≈'}${int(p.distinct)} distinct, in ${pct(p.presence)} of events (\`properties\`)`,
    );
  if (extra.length > 40) evidence.push(`… and ${int(extra.length - 40)} more`);
  return {
    id: 'metadata',
    question: 'What additional metadata properties do the events carry?',
    answer: keys.length
      ? `${plural(keys.length, 'payload key')} beyond the customer, the value and the drafts' group keys (${[...byClass.entries()].map(([c, n]) => `${int(n)} ${c}`).join(', ')}): ${list(keys.slice(0, 12).map((k) => mdCode(k)))}${keys.length > 12 ? ', …' : ''}. They can ride along as event properties; Metronome ignores properties no metric filters or groups by.`
      : "None: every payload key is the customer, the value or one of the drafts' group keys.",
    evidence,
    figures: { extraKeys: keys.length, keys, ...Object.fromEntries([...byClass.entries()].map(([c, n]) => [`class:${c}`, n])) },
  };
}
