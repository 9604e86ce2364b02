import { describe, expect, it } from 'vitest';
import { MAX_COMPOUND_SINGLES, buildCandidates, combinable, compoundsOf, singleCandidates } from './candidates.js';
import { itemId, type ItemCount } from './properties.js';
import type { PropertyClass, PropertyProfile } from './model.js';
import type { DimensionScore, KeyVerdict } from '../advice/model.js';

const EVENTS = 1000;
const prop = (key: string, cls: PropertyClass, presence: number, distinct: number, role: PropertyProfile['role'] = null) =>
  ({ eventName: 'api', key, class: cls, presence, present: presence * EVENTS, distinct, role, events: EVENTS }) as PropertyProfile;
const score = (key: string, value: number, verdict: KeyVerdict, topShare = 0.3) =>
  ({ eventName: 'api', key, score: value, verdict, topShare, reason: `${key} reason` }) as DimensionScore;

const props = [
  prop('tier', 'dimension', 0.5, 3),
  prop('big', 'dimension', 1, 500),
  prop('region', 'dimension', 1, 4),
  prop('model', 'dimension', 1, 10),
  prop('method', 'dimension', 1, 2),
  prop('stripe_customer_id', 'dimension', 1, 40, 'customer'),
  prop('user_id', 'identifier-like', 1, 200),
  prop('latency', 'measure', 1, 900),
];
// Scores as the advice computes them (src/advice/score.test.ts checks the formula): here given.
const scores = [
  score('region', 1, 'pricing candidate'),
  score('model', 1, 'pricing candidate'),
  score('tier', 0.5, 'too sparse'),
  score('big', 0.2, 'too many values'),
  score('method', 0.15, 'near-constant', 0.97),
];

describe('single candidates', () => {
  it('dimensions only, not the customer/value keys; best score first, then fewer values, then name', () => {
    expect(singleCandidates(props, scores).map((p) => p.key)).toEqual(
      ['model', 'region', 'tier', 'big', 'method'].sort((a, b) => {
        const s = (k: string) => scores.find((x) => x.key === k)!.score;
        return s(b) - s(a) || props.find((p) => p.key === a)!.distinct - props.find((p) => p.key === b)!.distinct;
      }),
    );
  });

  it('near-constant keys (and keys that grow with usage) are never combined', () => {
    expect(combinable(singleCandidates(props, scores), scores)).toEqual(['region', 'model', 'tier', 'big']);
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
    expect(compoundsOf(['x', 'y', 'z'])).toEqual([
      ['x', 'y'],
      ['x', 'y', 'z'],
      ['x', 'z'],
      ['y', 'z'],
    ]);
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
  const r = buildCandidates('api', EVENTS, props, counts, scores);

  it('singles carry the advice score and reason; compounds: presence × fit × evenness × 0.9 per extra key × 0.5 when redundant', () => {
    expect(r.candidates.map((c) => [c.keys.join('+'), c.kind, Number(c.score.toFixed(4))])).toEqual([
      ['model', 'single', 1],
      ['region', 'single', 1],
      ['region+tier', 'pair', 0.54],
      ['tier', 'single', 0.5],
      ['model+region', 'pair', 0.45],
      ['big', 'single', 0.2],
      ['method', 'single', 0.15],
    ]);
    expect(r.candidates.find((c) => c.keys.join() === 'method')!.reason).toBe('method reason');
    const pair = r.candidates.find((c) => c.keys.join() === 'model,region')!;
    expect(pair).toMatchObject({ redundant: true, crossProduct: 40, combinations: 10, presence: 1 });
    expect(pair.reason).toBe("10 of 40 possible combinations, all keys in 100% of events; redundant: 'model' determines the others");
    expect(r.candidates.find((c) => c.keys.join() === 'region,tier')!.reason).toBe('12 of 12 possible combinations, all keys in 60% of events; independent keys');
  });

  it('no dimensions: no candidates', () => {
    expect(buildCandidates('api', EVENTS, [prop('latency', 'measure', 1, 900)], new Map(), []).candidates).toEqual([]);
  });
});
