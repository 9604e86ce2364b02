/**
 * Estimators for a Bernoulli sample: every unit (an identifier's events, or one object) was kept
 * independently with probability p. Pure arithmetic over the sample's sums; docs/sampling.md derives
 * each one. All intervals are two-sided 95 %.
 */

export const Z95 = 1.959963984540054;

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * A population count from the sample's units: x = Σ y (events kept), s2 = Σ y² (y = events per unit).
 * Horvitz–Thompson estimate x/p; the interval inverts x ≈ Normal(pN, (1−p)·d·pN) for N (a score
 * interval, like Wilson's), d = s2/x the design effect of units with several events (1 when every
 * unit is one event). Unlike x/p ± z·se it stays sensible for small x (x = 0 gives 0 to ≈ 3.8/p), and
 * it never goes below x: the population holds at least what the sample holds.
 */
export function countInterval(x: number, s2: number, p: number, z = Z95): Interval {
  if (p >= 1) return { estimate: x, low: x, high: x };
  const d = x > 0 ? Math.max(1, s2 / x) : 1;
  const c = z * z * (1 - p) * d;
  const half = Math.sqrt(c * x + (c * c) / 4);
  return { estimate: x / p, low: Math.max(x, (x + c / 2 - half) / p), high: (x + c / 2 + half) / p };
}

/**
 * A population sum of values (any sign): Horvitz–Thompson x/p with the variance estimate
 * (1−p)/p² · Σ y² from the sample's second moment (y = the value summed per unit); normal interval.
 */
export function sumInterval(x: number, s2: number, p: number, z = Z95): Interval {
  if (p >= 1) return { estimate: x, low: x, high: x };
  const se = Math.sqrt((1 - p) * s2) / p;
  return { estimate: x / p, low: x / p - z * se, high: x / p + z * se };
}

/**
 * How the units were drawn. bernoulli: each unit (an identifier's events, or an id-less event) kept
 * with probability p, the number of units in the input unknown. objects: n of the input's M objects
 * were read; the estimators condition on n (a simple random sample of n from M), which removes the
 * luck in how many objects were drawn — with few, large objects that luck would dominate x/p.
 */
export type Design = { kind: 'bernoulli'; p: number } | { kind: 'objects'; n: number; M: number };

/** A population total of counts (`count`) or values from the sample's Σ y and Σ y², under either design. */
export function totalInterval(design: Design, x: number, s2: number, count: boolean): Interval {
  if (design.kind === 'bernoulli') return count ? countInterval(x, s2, design.p) : sumInterval(x, s2, design.p);
  const e = expansionInterval(x, s2, design.n, design.M);
  return count ? { ...e, low: Math.max(x, e.low) } : e;
}

/**
 * n of M objects read, per-object totals y: the expansion estimate M·ȳ with the variance of a simple
 * random sample without replacement, M² (1 − n/M) s²/n, s² the sample variance of y (from Σy, Σy²);
 * Student's t with n − 1 degrees of freedom, since s² rests on n values. Needs n ≥ 2.
 */
export function expansionInterval(x: number, s2: number, n: number, M: number): Interval {
  if (n >= M) return { estimate: x, low: x, high: x };
  if (n < 2) throw new RangeError('an expansion estimate needs at least two objects');
  const estimate = (M * x) / n;
  const variance = Math.max(0, (s2 - (x * x) / n) / (n - 1));
  const se = M * Math.sqrt(((1 - n / M) * variance) / n);
  const t = t975(n - 1);
  return { estimate, low: estimate - t * se, high: estimate + t * se };
}

/** Student's t 97.5 % quantiles for 1–10 degrees of freedom (tables); beyond, Hill's expansion is within 1e-4. */
const T975 = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281];

/** Student's t quantile at 97.5 % (a two-sided 95 % interval) for `df` degrees of freedom. */
export function t975(df: number): number {
  if (df <= T975.length) return T975[df - 1];
  const z = normalQuantile(0.975);
  const [z3, z5, z7, z9] = [z ** 3, z ** 5, z ** 7, z ** 9];
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/** A share k of n (events carrying a key): Wilson's score interval. */
export function proportionInterval(k: number, n: number, z = Z95): Interval {
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  const phat = k / n;
  const z2 = z * z;
  const mid = (phat + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  // At k = 0 or k = n the bound is exactly 0 or 1 (rounding would leave it a hair inside).
  return { estimate: phat, low: k === 0 ? 0 : Math.max(0, mid - half), high: k === n ? 1 : Math.min(1, mid + half) };
}

/**
 * A share Σa ÷ Σb when n of M objects were read (whole clusters of events): the ratio estimator with
 * its linearized variance (1 − n/M) · n/(n−1) · Σ (a_j − R b_j)² ÷ (Σb)², Student's t with n − 1
 * degrees of freedom, clipped to 0..1.
 */
export function ratioInterval(units: { a: number; b: number }[], M: number): Interval {
  const n = units.length;
  const A = units.reduce((s, u) => s + u.a, 0);
  const B = units.reduce((s, u) => s + u.b, 0);
  if (B === 0) return { estimate: 0, low: 0, high: 1 };
  const r = A / B;
  if (n >= M) return { estimate: r, low: r, high: r };
  if (n < 2) throw new RangeError('a ratio estimate needs at least two objects');
  const v = ((1 - n / M) * (n / (n - 1)) * units.reduce((s, u) => s + (u.a - r * u.b) ** 2, 0)) / (B * B);
  const half = t975(n - 1) * Math.sqrt(v);
  return { estimate: r, low: Math.max(0, r - half), high: Math.min(1, r + half) };
}

/**
 * The busiest of `windows` windows (sliding seconds of the span) from the sample's busiest one, xMax
 * events. The point estimate xMax/p leans high (the busiest sampled window is partly the luckiest);
 * the interval holds for every window at once (Bonferroni over the windows: each window's count
 * interval at level 0.05 ÷ windows), so it holds for the busiest true window whichever it is: the
 * true peak is at least the lower bound of the window the sample found and at most the upper bound
 * of the window with the most sampled events, because that bound grows with the count. At such
 * extreme levels a normal approximation is far off for small counts, so the bounds are exact
 * Poisson ones (the sampled count of a window of N events is Binomial(N, p), never more dispersed
 * than Poisson(pN): the bounds are conservative); beyond 1,000 events the score interval is as good.
 */
export function peakInterval(xMax: number, windows: number, p: number): Interval {
  if (p >= 1) return { estimate: xMax, low: xMax, high: xMax };
  const alpha = 0.025 / Math.max(1, windows);
  if (xMax > EXACT_POISSON_MAX) return countInterval(xMax, xMax, p, normalQuantile(1 - alpha));
  // P(X ≥ xMax | μ) grows with μ, P(X ≤ xMax | μ) falls: bisect each to alpha.
  const muLow = xMax === 0 ? 0 : bisect((mu) => poissonTail(xMax, mu, 'upper') >= alpha);
  const muHigh = bisect((mu) => poissonTail(xMax, mu, 'lower') <= alpha);
  return { estimate: xMax / p, low: Math.max(xMax, muLow / p), high: muHigh / p };
}

const EXACT_POISSON_MAX = 1000;

/** The smallest μ ≥ 0 where `reached(μ)` holds (it holds from some μ on), to a relative 1e-9. */
function bisect(reached: (mu: number) => boolean): number {
  let lo = 0;
  let hi = 16;
  while (!reached(hi)) hi *= 2;
  while (hi - lo > 1e-9 * hi) {
    const mid = (lo + hi) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** P(X ≥ x) ('upper') or P(X ≤ x) ('lower') for X ~ Poisson(μ), summed in log space (no underflow at tiny levels). */
function poissonTail(x: number, mu: number, side: 'upper' | 'lower'): number {
  if (mu === 0) return side === 'lower' || x === 0 ? 1 : 0;
  const logTerm = (k: number) => -mu + k * Math.log(mu) - logFactorial(k);
  const terms: number[] = [];
  if (side === 'lower') for (let k = 0; k <= x; k++) terms.push(logTerm(k));
  else for (let k = x; k < x + 50 || logTerm(k) > terms[0] - 40; k++) terms.push(logTerm(k));
  const top = Math.max(...terms);
  return Math.min(1, Math.exp(top) * terms.reduce((s, t) => s + Math.exp(t - top), 0));
}

const LOG_FACTORIALS: number[] = [0];
function logFactorial(k: number): number {
  for (let i = LOG_FACTORIALS.length; i <= k; i++) LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1] + Math.log(i));
  return LOG_FACTORIALS[k];
}

/**
 * Φ⁻¹(q) for 0 < q < 1 (Acklam's rational approximation: relative error below 1.2e-9, ample for
 * interval bounds).
 */
export function normalQuantile(q: number): number {
  if (q <= 0 || q >= 1) throw new RangeError('quantile outside (0, 1)');
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  let x: number;
  if (q < lowTail || q > 1 - lowTail) {
    const r = Math.sqrt(-2 * Math.log(q < lowTail ? q : 1 - q));
    const t = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
    x = q < lowTail ? t : -t;
  } else {
    const s = q - 0.5;
    const r = s * s;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  return x;
}
