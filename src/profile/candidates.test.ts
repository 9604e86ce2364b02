import { describe, expect, it } from 'vitest';
import { MAX_COMPOUND_SINGLES, buildCandidates, compoundsOf, singleCandidates, singleScore } from './candidates.js';
import { itemId, type ItemCount } from './properties.js';
import type { PropertyClass, PropertyProfile } from './model.js';

const EVENTS = 1000;
const prop = (key: string, cls: PropertyClass, presence: number, distinct: number, role: PropertyProfile['role'] = null) =>
  ({ eventName: 'api', key, class: cls, presence, present: presence * EVENTS, distinct, role, events: EVENTS }) as PropertyProfile;

// Scores by hand (presence × fit, fit = 1 up to 100 values, then 100/n): region 1, model 1, tier 0.5, big 100/500 = 0.2.
const props = [
  prop('tier', 'dimension', 0.5, 3),
  prop('big', 'dimension', 1, 500),
  prop('region', 'dimension', 1, 4),
  prop('model', 'dimension', 1, 10),
  prop('stripe_customer_id', 'dimension', 1, 40, 'customer'),
  prop('user_id', 'identifier-like', 1, 200),
  prop('latency', 'measure', 1, 900),
];

describe('single candidates', () => {
  it('dimensions only, not the customer/value keys; best score first, then fewer values, then name', () => {
    expect(singleCandidates(props).map((p) => p.key)).toEqual(['region', 'model', 'tier', 'big']);
    expect(singleScore({ presence: 0.5, distinct: 3 })).toBe(0.5);
    expect(singleScore({ presence: 1, distinct: 500 })).toBe(0.2);
  });
});

describe('compoundsOf', () => {
  it(`pairs and triples of the best ${MAX_COMPOUND_SINGLES} singles, keys sorted in each`, () => {
    const six = ['f', 'e', 'd', 'c', 'b', 'a'];
    const out = compoundsOf(six);
    expect(out).toHaveLength(10 + 10); // C(5,2) + C(5,3)
    expect(out.flat()).not.toContain('a'); // the sixth single is left out
    for (const c of out) expect(c).toEqual([...c].sort());
    expect(new Set(out.map((c) => c.join())).size).toBe(out.length);
    expect(compoundsOf(['x', 'y', 'z'])).toEqual([['x', 'y'], ['x', 'y', 'z'], ['x', 'z'], ['y', 'z']]);
    expect(compoundsOf(['x'])).toEqual([]);
  });
});

describe('buildCandidates', () => {
  const counts = new Map<string, ItemCount>([
    // model determines region: 10 combinations, no more than model alone.
    [itemId('api', ['model', 'region']), { distinct: 10, present: 1000 }],
    // region × tier independent: all 12 combinations, both present in 60 % of events.
    [itemId('api', ['region', 'tier']), { distinct: 12, present: 600 }],
  ]);
  const r = buildCandidates('api', EVENTS, props, counts);

  it('scores compounds: presence × fit × 0.9 per extra key × 0.5 when redundant; compounds without counts left out', () => {
    expect(r.candidates.map((c) => [c.keys.join('+'), c.kind, Number(c.score.toFixed(4))])).toEqual([
      ['model', 'single', 1],
      ['region', 'single', 1],
      ['region+tier', 'pair', 0.54],
      ['tier', 'single', 0.5],
      ['model+region', 'pair', 0.45],
      ['big', 'single', 0.2],
    ]);
    const pair = r.candidates.find((c) => c.keys.join() === 'model,region')!;
    expect(pair).toMatchObject({ redundant: true, crossProduct: 40, combinations: 10, presence: 1 });
    expect(pair.reason).toBe("10 of 40 possible combinations, all keys in 100% of events; redundant: 'model' determines the others");
    expect(r.candidates.find((c) => c.keys.join() === 'region,tier')!.reason).toBe('12 of 12 possible combinations, all keys in 60% of events; independent keys');
  });

  it('single reasons follow presence and value count', () => {
    const reason = (k: string) => r.candidates.find((c) => c.keys.join() === k)!.reason;
    expect(reason('region')).toBe('4 values in 100% of events; good pricing key');
    expect(reason('tier')).toBe('3 values in 50% of events; missing in some events (they would need a default)');
    expect(reason('big')).toBe('500 values in 100% of events; many values: a presentation key rather than a price');
  });

  it('design: pricing keys skip one another\'s redundant partners; presentation keys repeat and are mostly present', () => {
    expect(r.design.pricingKeys).toEqual(['region', 'tier']); // model is determined by region's pair: skipped
    expect(r.design.presentationKeys).toEqual(['user_id', 'big']);
    expect(r.design.stripe).toMatchObject({ dimensionKeyLimit: 2, keysNeeded: 4, fits: false });
    expect(r.design.stripe.note).toMatch(/^needs 4 dimension keys \('user_id', 'big', 'region', 'tier'\) but a Stripe meter takes 2/);
    expect(r.design.metronome).toMatchObject({ groupKey: ['user_id', 'big', 'region', 'tier'], pricingGroupKey: ['region', 'tier'], presentationGroupKey: ['user_id', 'big'] });
  });

  it('no dimensions: nothing needed anywhere', () => {
    const none = buildCandidates('api', EVENTS, [prop('latency', 'measure', 1, 900)], new Map());
    expect(none.candidates).toEqual([]);
    expect(none.design.stripe).toMatchObject({ keysNeeded: 0, fits: true, note: 'no dimension keys needed' });
    expect(none.design.metronome.note).toBe('no group keys needed');
  });
});
