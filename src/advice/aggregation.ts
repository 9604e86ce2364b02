/**
 * The aggregation of a billable-metric draft: from the Stripe meter's formula when one bills the event
 * name (sum → SUM, count → COUNT, last → LATEST), else inferred from the value key's numbers.
 */
import type { PropertyProfile } from '../profile/model.js';
import type { StripeMeter } from '../stripe/meters.js';
import type { MetronomeAggregationType } from '../stripe/metronome.js';
import type { DraftFlag } from './model.js';
import { dec, int, pct } from '../util/format.js';

/** A value key is treated as numeric when at least this share of its values are numbers. */
const NUMERIC_VALUE_MIN_SHARE = 0.5;

/**
 * Names that read as a level reported repeatedly (a snapshot gauge: storage in use, seats, active nodes)
 * rather than an increment. A guess from the name only, always flagged for review.
 */
const GAUGE_NAME =
  /(^|[^a-z])(gauge|snapshot|level|balance|seats?|active|current|concurrent|inventory|capacity|allocated|provisioned|storage|gb|gib|tb|tib|instances?|nodes?|licen[cs]es?)([^a-z]|$)/i;

export function isGaugeName(...names: string[]): boolean {
  return names.some((n) => GAUGE_NAME.test(n));
}

export interface AggregationChoice {
  aggregation: MetronomeAggregationType;
  aggregationKey: string | undefined;
  why: string;
  flags: DraftFlag[];
}

export function chooseAggregation(eventName: string, valueKey: string, valueProp: PropertyProfile | undefined, meter: StripeMeter | null): AggregationChoice {
  const flags: DraftFlag[] = [];
  if (meter?.metronome) {
    const aggregation = meter.metronome.aggregationType;
    const aggregationKey = aggregation === 'COUNT' ? undefined : valueKey;
    if (aggregationKey && (!valueProp || valueProp.numericShare < 1)) {
      flags.push({
        key: valueKey,
        kind: 'stripe-mismatch',
        text: valueProp
          ? `the meter aggregates ${valueKey}, but only ${pct(valueProp.numericShare)} of its values are numeric`
          : `the meter aggregates ${valueKey}, but no ${eventName} event carries it`,
      });
    }
    const why = `Stripe meter ${meter.id || meter.displayName} aggregates with "${meter.formula}", which maps to ${aggregation}${aggregationKey ? ` over ${aggregationKey}` : ''}.`;
    return { aggregation, aggregationKey, why, flags };
  }
  const num = valueProp?.numeric;
  if (!valueProp || !num || valueProp.numericShare < NUMERIC_VALUE_MIN_SHARE) {
    const why = valueProp
      ? `${valueKey} is numeric in only ${pct(valueProp.numericShare)} of events, so COUNT of events.`
      : `No ${valueKey} key in these events, so COUNT of events.`;
    return { aggregation: 'COUNT', aggregationKey: undefined, why, flags };
  }
  if (num.min === 1 && num.max === 1)
    return { aggregation: 'COUNT', aggregationKey: undefined, why: `Every ${valueKey} is 1, so COUNT equals SUM and needs no aggregation key.`, flags };
  let choice: AggregationChoice;
  if (isGaugeName(eventName, valueKey)) {
    flags.push({
      key: valueKey,
      kind: 'gauge-guess',
      text: 'snapshot-gauge guess from the name only: use LATEST to bill the last reported level, or SUM if each event is an increment',
    });
    choice = {
      aggregation: 'MAX',
      aggregationKey: valueKey,
      why: `${valueKey} is numeric (${dec(num.min)}…${dec(num.max)}) and the name reads as a level reported repeatedly, so MAX over the period (not SUM, which would add up repeated snapshots).`,
      flags,
    };
  } else {
    choice = {
      aggregation: 'SUM',
      aggregationKey: valueKey,
      why: `${valueKey} is numeric in ${pct(valueProp.numericShare)} of events (${dec(num.min)}…${dec(num.max)}, mean ${dec(num.mean)}), so SUM over it.`,
      flags,
    };
  }
  if (valueProp.numericShare < 1)
    flags.push({
      key: valueKey,
      kind: 'non-numeric',
      text: `${int(valueProp.present - num.count)} events carry a non-numeric ${valueKey}: Metronome cannot aggregate them`,
    });
  if (num.min < 0)
    flags.push({ key: valueKey, kind: 'negative', text: `${valueKey} goes down to ${dec(num.min)}: check whether negative values are corrections or credits` });
  return choice;
}
